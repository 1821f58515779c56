import ArgumentParser
import Decode
import Foundation
import GPUModel

/// `gvtrr gpu-demo`: runs the sample multi-engine workload on the Gen9 GPU model and
/// prints what the hardware did. The README's end-to-end command runs it until the bench
/// and the journal exist.
struct GPUDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpu-demo",
        abstract: "Run a sample workload on the Gen9 GPU model and report what it did."
    )

    @Option(help: "Workload seed (same seed, same work, same digest).")
    var seed: UInt64 = 1

    @Option(help: "Submission rounds.")
    var rounds: Int = 4

    @Option(help: "Write pipe A's primary plane as a PPM image to this file.")
    var image: String?

    @Flag(help: "Print only the state digest.")
    var digestOnly = false

    func validate() throws {
        guard (1...10_000).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 10000") }
    }

    func run() throws {
        let gpu = GPU()
        let result = SampleWorkload(seed: seed, rounds: rounds).run(on: gpu)
        let digest = gpu.stateDigest()
        if digestOnly {
            print(digest)
            return
        }
        let config = gpu.configuration
        print("GPU model: Apollo Lake, device \(hex(config.deviceID, width: 4)), "
              + "\(config.memorySize >> 30) GiB memory, \(config.apertureSize >> 20) MiB aperture")
        print("workload: seed \(seed), \(rounds) rounds on rcs, bcs, vcs, vecs")
        print("engine  commands  busy-until       breadcrumbs  state")
        for (state, outcome) in zip(gpu.engines, result.outcomes) {
            let name = state.id.name.padding(toLength: 6, withPad: " ", startingAt: 0)
            let commands = String(state.commandsExecuted).leftPadded(to: 8, with: " ")
            let clock = state.clock.description.leftPadded(to: 15, with: " ")
            let crumbs = String(state.breadcrumbs).leftPadded(to: 11, with: " ")
            print("\(name)  \(commands)  \(clock)  \(crumbs)  \(describe(outcome))")
        }
        print("events: " + EventSummary(result.events).lines.joined(separator: ", "))
        if let plane = gpu.display.planeImage(pipe: .a, plane: 1, registers: gpu.registers, read: { gma, count in
            try? gpu.graphicsMemory.read(gma, count: count, in: .ggtt)
        }) {
            let colors = Set(plane.pixels).count
            print("pipe A primary plane: \(plane.width)x\(plane.height) XRGB8888 at \(result.framebuffer), \(colors) colours")
            if let image {
                try writePPM(plane, to: image)
                print("wrote \(image)")
            }
        } else {
            print("pipe A primary plane: not readable")
        }
        print("render batch at \(result.renderBatch), decoded (first lines):")
        let decoder = BatchDecoder(options: .init(engine: .rcs, baseAddress: result.renderBatch, followJumps: false,
                                                  decodeFields: false))
        let lines = decoder.decodeAll(ContiguousArray(result.renderBatchDwords)).map(CommandFormatter.text)
        for line in lines.prefix(8) { print("  " + line.split(separator: "\n").first.map(String.init)!) }
        print("  … \(lines.count) commands")
        print("state digest: \(digest)")
    }

    func describe(_ outcome: EngineRunOutcome) -> String {
        switch outcome {
        case .idle: "idle"
        case .busy: "busy"
        case .waiting: "waiting"
        case .stalled(let stall): "stalled: \(stall)"
        }
    }

    /// Writes a binary PPM (P6): the simplest lossless image format viewers read.
    func writePPM(_ plane: PlaneImage, to path: String) throws {
        var bytes = Array("P6\n\(plane.width) \(plane.height)\n255\n".utf8)
        bytes.reserveCapacity(bytes.count + plane.pixels.count * 3)
        for pixel in plane.pixels {
            bytes += [UInt8((pixel >> 16) & 0xFF), UInt8((pixel >> 8) & 0xFF), UInt8(pixel & 0xFF)]
        }
        do { try Data(bytes).write(to: URL(fileURLWithPath: path)) } catch {
            throw CLIError.cannotWrite(path, error.localizedDescription)
        }
    }
}

/// Counts of events by kind, for one summary line.
struct EventSummary {
    var counts: [(String, Int)] = []

    init(_ events: [GPUEvent]) {
        var order: [String] = []
        var count: [String: Int] = [:]
        for event in events {
            let kind = Self.kind(event)
            if count[kind] == nil { order.append(kind) }
            count[kind, default: 0] += 1
        }
        counts = order.map { ($0, count[$0]!) }
    }

    var lines: [String] { counts.map { "\($0.1) \($0.0)" } }

    static func kind(_ event: GPUEvent) -> String {
        switch event {
        case .contextStatus: "context-status"
        case .userInterrupt: "user-interrupt"
        case .pipeControlNotify: "pipe-control-notify"
        case .flushNotify: "flush-notify"
        case .interrupt: "msi"
        case .vblank: "vblank"
        case .flipDone: "flip-done"
        case .engineStalled: "stall"
        case .hang: "hang"
        case .reset: "reset"
        case .privilegeViolation: "privilege-violation"
        }
    }
}
