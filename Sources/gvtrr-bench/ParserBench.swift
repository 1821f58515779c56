import Foundation
import GPUModel
import Hypervisor
import Mediator

// Command-parser throughput: a 16 K-dword privileged (GGTT) batch of 3D state, PIPE_CONTROL,
// LRI, GGTT stores and NOOPs, copied out of guest memory and audited, many times:
//   swift run -c release gvtrr-bench parser

/// Dwords scanned and the time it took.
func parserThroughput(repeats: Int) -> (dwords: Int, seconds: Double) {
    let gpu = GPU()
    let hypervisor = try! Hypervisor(gpu: gpu)
    let mediator = Mediator(host: gpu, mpt: hypervisor, clock: ManualClock())
    let id = try! mediator.createVGPU(type: .v5_4)
    _ = try! hypervisor.createVM(vgpu: id, ramPages: 64)
    let vgpu = mediator.vgpu(id)!
    let base = vgpu.slices.aperture.lowerBound
    for page in 0..<UInt64(64) {  // the guest maps its RAM at the start of its aperture slice
        mediator.emulateMMIOWrite(id, offset: BARLayout.ggttOffset + ((base >> 12) + page) * 8, size: 8,
                                  value: page << 12 | 1)
    }
    func write(_ dwords: [UInt32], at gma: UInt64) {
        var bytes: [UInt8] = []
        for dword in dwords { withUnsafeBytes(of: dword.littleEndian) { bytes += $0 } }
        _ = hypervisor.writeGuest(id, GuestPhysicalAddress(gma - base), bytes: bytes)
    }
    let target = GraphicsAddress(base + 60 * 4096)
    var batch: [UInt32] = []
    while batch.count < 16_000 {
        batch += [0x7810_0007, 0, 0, 0, 0, 0, 0, 0, 0]  // 3DSTATE_VS
        batch += [0x7820_000A] + Array(repeating: 0, count: 11)  // 3DSTATE_PS
        batch += CommandEncoder.pipeControl(store: 1, at: target, ggtt: true)
        batch += CommandEncoder.loadRegisterImmediate([(.csGPR(.rcs, 0), 1), (.csGPR(.rcs, 1), 2)])
        batch += CommandEncoder.storeDataImmediate(target, 7, ggtt: true)
        batch += CommandEncoder.primitive(vertices: 3)
        batch += CommandEncoder.noop + CommandEncoder.arbCheck
    }
    batch += CommandEncoder.batchEnd
    let batchAddress = base + 4 * 4096
    write(batch, at: batchAddress)
    let ring = CommandEncoder.batchStart(GraphicsAddress(batchAddress), ppgtt: false)
        + CommandEncoder.pipeControl(notify: true) + CommandEncoder.userInterrupt
    let request = ScanRequest(engine: .rcs, ring: ring, ringStart: GraphicsAddress(base), ringSize: 16384,
                              head: 0, tail: UInt64(ring.count) * 4)
    var dwords = 0
    let seconds = measure {
        for _ in 0..<repeats {
            let result = mediator.scanWorkload(vgpu, request)
            precondition(result.verdict == .ok, "\(result.verdict)")
            dwords += result.dwords
        }
    }
    return (dwords, seconds)
}

/// Prints the parser figure.
func runParserBench() {
    print("gvtrr-bench parser (release build, one core)")
    _ = parserThroughput(repeats: 3)  // warm-up
    let p = parserThroughput(repeats: 300)
    print(pad("GGTT batch scan (copy + audit)", 34) + String(format: "%.1f M dwords/s (%d dwords, %.3f s)",
          Double(p.dwords) / p.seconds / 1e6, p.dwords, p.seconds))
}
