import Foundation
import GPUModel

// Release-build micro-benchmarks of the GPU model (never run as tests):
//   swift run -c release gvtrr-bench [gpu]
// Each figure is a rate measured here, with the wall clock of this process.

/// Times `body` and returns seconds.
func measure(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let elapsed = clock.measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }

/// An MI-heavy workload: a PPGTT batch of LRI/SDI/SRM/NOOP run `repeats` times from the ring.
func miHeavy(repeats: Int) -> (commands: UInt64, seconds: Double) {
    let gpu = GPU()
    let bench = Workbench(gpu: gpu)
    let ppgtt = bench.makePPGTT()
    let base: GraphicsAddress = 0x100_0000
    ppgtt.mapFresh(base, pages: 16)
    let space = AddressSpace.ppgtt(ppgtt.root)
    var batch: [UInt32] = []
    for k in 0..<500 {
        batch += CommandEncoder.loadRegisterImmediate([(0x7300, UInt32(k))])
        batch += CommandEncoder.storeDataImmediate(base.advanced(by: UInt64(k % 256) * 4), UInt32(k))
        batch += CommandEncoder.storeRegisterMemory(0x7300, to: base.advanced(by: 0x1000))
        batch += CommandEncoder.noop + CommandEncoder.arbCheck
    }
    batch += CommandEncoder.batchEnd
    bench.write(batch, at: base.advanced(by: 0x2000), in: space)
    var ctx = bench.makeContext(engine: .rcs, ringPages: 16, ppgtt: ppgtt)
    let seconds = measure {
        for _ in 0..<repeats {
            bench.emit(CommandEncoder.batchStart(base.advanced(by: 0x2000), ppgtt: true), to: &ctx)
            bench.submit(ctx)
            _ = gpu.run(.rcs, until: .never)
        }
    }
    return (gpu.engine(.rcs).commandsExecuted, seconds)
}

/// A blit-heavy workload: a BCS batch of 64×64 fills and copies on a 1024-pixel-wide surface.
func blitHeavy(repeats: Int) -> (commands: UInt64, bytes: UInt64, seconds: Double) {
    let gpu = GPU()
    let bench = Workbench(gpu: gpu)
    let ppgtt = bench.makePPGTT()
    let surface: GraphicsAddress = 0x200_0000
    ppgtt.mapFresh(surface, pages: 1024)  // 1024 x 1024 x 4 bytes
    let space = AddressSpace.ppgtt(ppgtt.root)
    var batch: [UInt32] = []
    var bytes: UInt64 = 0
    for k in 0..<32 {
        let x = UInt32(k % 8) * 64, y = UInt32(k / 8) * 64
        batch += CommandEncoder.colorBlit(surface, pitch: 4096, x1: x, y1: y, x2: x + 64, y2: y + 64, color: UInt32(k))
        batch += CommandEncoder.sourceCopyBlit(to: surface, pitch: 4096, x1: x + 512, y1: y, x2: x + 576, y2: y + 64,
                                               from: surface, sourcePitch: 4096, sourceX: x, sourceY: y)
        bytes += 2 * 64 * 64 * 4
    }
    batch += CommandEncoder.batchEnd
    let batchAddress = surface.advanced(by: 0x3F_0000)
    bench.write(batch, at: batchAddress, in: space)
    var ctx = bench.makeContext(engine: .bcs, ringPages: 16, ppgtt: ppgtt)
    let seconds = measure {
        for _ in 0..<repeats {
            bench.emit(CommandEncoder.batchStart(batchAddress, ppgtt: true), to: &ctx)
            bench.submit(ctx)
            _ = gpu.run(.bcs, until: .never)
        }
    }
    return (gpu.engine(.bcs).commandsExecuted, bytes * UInt64(repeats), seconds)
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.isEmpty || arguments.contains("gtt") { runGTTBench() }
if arguments.isEmpty || arguments.contains("mediator") {
    print("gvtrr-bench mediator (release build, one core, no observer)")
    _ = mmioTraps(rounds: 1_000)  // warm-up
    let (traps, seconds) = mmioTraps(rounds: 200_000)
    print(pad("MMIO traps (mediator only)", 34) + String(format: "%.2f M traps/s (%d traps, %.3f s)",
          Double(traps) / seconds / 1e6, traps, seconds))
}
if arguments.isEmpty || arguments.contains("gpu") {
    print("gvtrr-bench gpu (release build, one core)")
    print(pad("figure", 34) + "rate")
    _ = miHeavy(repeats: 2)  // warm-up
    let mi = miHeavy(repeats: 200)
    print(pad("MI-heavy ring+batch", 34) + String(format: "%.2f M commands/s (%d commands, %.3f s)",
          Double(mi.commands) / mi.seconds / 1e6, Int(mi.commands), mi.seconds))
    let blit = blitHeavy(repeats: 20)
    print(pad("blit-heavy batch", 34) + String(format: "%.0f k commands/s, %.0f MB/s written (%.3f s)",
          Double(blit.commands) / blit.seconds / 1e3, Double(blit.bytes) / blit.seconds / 1e6, blit.seconds))
}
if arguments.isEmpty || arguments.contains("parser") { runParserBench() }
if arguments.isEmpty || arguments.contains("workloads") { runWorkloadBench() }
if arguments.contains("scheduler") {
    schedulerBench()
}
if arguments.isEmpty || arguments.contains("traps") { runTrapBench() }
if arguments.contains("journal") { journalBench() }
if arguments.contains("replay") { replayBench() }
if let k = arguments.firstIndex(of: "suite") {
    suiteBench(seconds: k + 1 < arguments.endIndex ? Double(arguments[k + 1]) ?? 20 : 20)
}
if arguments.first == "checkpoints", let journal = arguments.dropFirst().first {
    checkpointBench(on: journal, interval: arguments.dropFirst(2).first.flatMap { UInt64($0) } ?? 2000)
}
if arguments.first == "seek", let journal = arguments.dropFirst().first { seekBench(on: journal) }
if arguments.first == "writer", let journal = arguments.dropFirst().first { writerBench(on: journal) }
if arguments.first == "analysis" { runAnalysisBench(keep: arguments.dropFirst().first) }
if arguments.first == "analysis-example" { writeAnalysisExample(to: arguments.dropFirst().first ?? ".") }
