import Foundation
import GPUModel
import Hypervisor
import Mediator

/// What a scenario is asked to do (every field optional: defaults finish in a few seconds).
public struct ScenarioParameters: Hashable, Sendable, Codable {
    /// Number of VMs (scenario default if nil).
    public var vms: Int?
    /// vGPU type names (GVTg_V5_4 …), cycled over the VMs.
    public var types: [String]?
    /// Wall-clock budget for the workload phase.
    public var seconds: Double?
    /// Operations per guest.
    public var ops: Int?
    /// Seed of every random choice the guests make.
    public var seed: UInt64
    /// Mediator revision (scenario default if nil).
    public var revision: MediatorRevision?
    /// Called with the engine before any VM exists (the recorder attaches here). Not part of
    /// the parameters' identity or encoding.
    public var prepare: EnginePreparation?

    public init(vms: Int? = nil, types: [String]? = nil, seconds: Double? = nil, ops: Int? = nil, seed: UInt64 = 1,
                revision: MediatorRevision? = nil) {
        self.vms = vms
        self.types = types
        self.seconds = seconds
        self.ops = ops
        self.seed = seed
        self.revision = revision
    }
}

/// Something to do to a bench's engine before its VMs are created (attach a recorder, an
/// oracle). Compares equal to any other and encodes as nothing: it is not a parameter.
public struct EnginePreparation: Hashable, Sendable, Codable {
    let body: @Sendable (LiveEngine) throws -> Void
    /// A preparation running `body`.
    public init(_ body: @escaping @Sendable (LiveEngine) throws -> Void) { self.body = body }
    public static func == (a: Self, b: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
    public init(from decoder: Decoder) throws { body = { _ in } }
    public func encode(to encoder: Encoder) throws {}
}

/// What happened in one scenario run.
public struct ScenarioReport: Hashable, Sendable, Codable {
    public var scenario: String
    public var seed: UInt64
    public var revision: String
    public var vms: Int
    public var seconds: Double
    /// Requests guests submitted / saw complete (seqno breadcrumbs).
    public var submitted = 0
    public var completed = 0
    /// Mediator workloads completed and failed.
    public var workloadsCompleted = 0
    public var workloadsFailed = 0
    /// Hangs the GPU's hangcheck declared; hangs guests detected; GDRST resets guests did.
    public var gpuHangs = 0
    public var guestHangs = 0
    public var gdrstResets = 0
    /// Requests completed after the last guest reset (recovery).
    public var completedAfterReset = 0
    /// Failsafe entries, "vgpu: reason: detail".
    public var failsafe: [String] = []
    /// Attacks attempted, and those whose effect did not reach anything outside the attacker.
    public var attacks = 0
    public var blockedAttacks = 0
    /// Attacks whose effect was seen outside the attacker (what an isolation oracle flags).
    public var breaches: [String] = []
    /// checkGTTInvariants findings at the end.
    public var gttViolations: [String] = []
    /// Findings of the isolation oracle (engine writes and register loads while running,
    /// GGTT and shadow PPGTT mappings at each check), one line each, in order.
    public var oracleFindings: [String] = []
    public var flips = 0
    public var vblanks = 0
    public var interrupts = 0
    /// Trapped accesses and engine entries.
    public var traps = 0
    public var engineEntries: UInt64 = 0
    /// Mediator event counts by category.
    public var counts: [String: Int] = [:]
    /// Guests that failed to boot and why.
    public var bootFailures: [String] = []
    public var notes: [String] = []
    /// Per VM (1-based order), the colour (0xRRGGBB) at the centre of each of four
    /// horizontal bands of its pipe-A plane, decoded by `mediator.guestPlaneImage`; empty
    /// if the plane could not be decoded.
    public var screens: [[UInt32]] = []

    /// One line per fact, for the terminal.
    public var summary: String {
        var lines = ["\(scenario) seed \(seed) revision \(revision): \(vms) VM(s), \(String(format: "%.2f", seconds)) s"]
        lines.append("  requests \(completed)/\(submitted) completed; workloads \(workloadsCompleted) ok, \(workloadsFailed) failed")
        lines.append("  hangs: gpu \(gpuHangs), guest \(guestHangs), GDRST resets \(gdrstResets), completed after reset \(completedAfterReset)")
        lines.append("  attacks \(attacks), blocked \(blockedAttacks), breaches \(breaches.count)")
        lines.append("  failsafe \(failsafe.count), GTT invariant violations \(gttViolations.count), oracle findings \(oracleFindings.count)")
        lines.append("  flips \(flips), vblank waits \(vblanks), interrupts \(interrupts), traps \(traps), engine entries \(engineEntries)")
        for line in failsafe.prefix(4) { lines.append("  failsafe: \(line)") }
        for line in breaches.prefix(4) { lines.append("  breach: \(line)") }
        for line in oracleFindings.prefix(4) { lines.append("  oracle: \(line)") }
        for line in bootFailures { lines.append("  boot failure: \(line)") }
        for line in notes { lines.append("  note: \(line)") }
        return lines.joined(separator: "\n")
    }
}

/// Why a scenario could not start.
public enum ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A vGPU type name that `VGPUType.named` does not know.
    case unknownType(String)

    public var description: String {
        switch self {
        case .unknownType(let name):
            "unknown vGPU type '\(name)' (known: \(VGPUType.gen9.map(\.name).joined(separator: ", ")))"
        }
    }
}

/// A named bench scenario.
public struct Scenario: Sendable {
    public let name: String
    /// One-line description (`gvtrr benches`).
    public let summary: String
    /// VMs when not given.
    public let defaultVMs: Int
    let body: @Sendable (ScenarioParameters) throws -> ScenarioReport

    /// Runs the scenario to its end.
    public func run(_ parameters: ScenarioParameters = ScenarioParameters()) throws -> ScenarioReport { try body(parameters) }
}

/// A running bench: engine, runner, VMs and their drivers.
public final class BenchSession: @unchecked Sendable {
    public let engine: LiveEngine
    /// The isolation oracle, attached to the GPU from the start (ownership from the
    /// hypervisor); its findings go to `ScenarioReport.oracleFindings`.
    public let oracle = IsolationOracle()
    public let runner: LiveRunner
    public private(set) var guests: [GuestDriver] = []
    public let parameters: ScenarioParameters
    let started = ContinuousClock.now
    var report: ScenarioReport

    /// Builds the engine and `count` VMs of the given types (cycled), RAM `ramPages` each.
    public init(scenario: String, parameters: ScenarioParameters, defaultVMs: Int, defaultTypes: [VGPUType] = [.v5_4],
                configuration: MediatorConfiguration = MediatorConfiguration(), ramPages: Int = 1024) throws {
        self.parameters = parameters
        var configuration = configuration
        if let revision = parameters.revision { configuration.revision = revision }
        engine = try LiveEngine(configuration: configuration)
        try parameters.prepare?.body(engine)
        runner = LiveRunner(engine: engine)
        let count = parameters.vms ?? defaultVMs
        var types = defaultTypes
        if let names = parameters.types {
            types = try names.map { name throws(ScenarioError) -> VGPUType in
                guard let type = VGPUType.named(name) else { throw .unknownType(name) }
                return type
            }
        }
        report = ScenarioReport(scenario: scenario, seed: parameters.seed, revision: configuration.revision.rawValue,
                                vms: count, seconds: 0)
        for k in 0..<count {
            let type = types.isEmpty ? VGPUType.v5_4 : types[k % types.count]
            let vm = try engine.createVM(type: type, ramPages: ramPages)
            guests.append(GuestDriver(engine: engine, vm: vm, number: k + 1))
        }
        engine.enter { oracle.attach(to: engine.gpu, mediator: engine.mediator, ownership: engine.hypervisor) }
    }

    /// Wall-clock budget for the workload phase.
    public func seconds(default value: Double) -> Double { parameters.seconds ?? value }
    /// Ops per guest.
    public func ops(default value: Int) -> Int { parameters.ops ?? value }

    /// Starts the timers and the GPU thread, runs one body per guest on its vCPU thread,
    /// stops everything and returns the report.
    public func run(_ body: @escaping @Sendable (GuestDriver, Int) -> Void) -> ScenarioReport {
        run(prepare: { _, _ in }, body)
    }

    /// As `run(_:)`, after calling `prepare` for every guest in order on the calling thread
    /// with the runner's threads started (e.g. to boot every guest before any attack).
    public func run(prepare: (GuestDriver, Int) -> Void, _ body: @escaping @Sendable (GuestDriver, Int) -> Void) -> ScenarioReport {
        runner.start()
        for (k, guest) in guests.enumerated() { prepare(guest, k) }
        let bodies: [@Sendable () -> Void] = guests.enumerated().map { k, guest in { body(guest, k) } }
        runner.runGuests(bodies)
        runner.stop()
        return finish()
    }

    /// Adds an attack outcome.
    public func attack(blocked: Bool, _ what: @autoclosure () -> String) {
        engine.enter {
            report.attacks += 1
            if blocked { report.blockedAttacks += 1 } else { report.breaches.append(what()) }
        }
    }

    /// Runs the oracle now (engine findings so far, then every GGTT and shadow PPGTT
    /// mapping), adds its findings to the report and returns them.
    @discardableResult
    public func checkOracle() -> [IsolationFinding] {
        engine.enter { checkOracleLocked() }
    }

    func checkOracleLocked() -> [IsolationFinding] {
        let findings = oracle.takeEngineFindings()
            + oracle.checkMappings(mediator: engine.mediator, gpu: engine.gpu, ownership: engine.hypervisor)
        for finding in findings where report.oracleFindings.count < 64 {
            let line = finding.description
            if !report.oracleFindings.contains(line) { report.oracleFindings.append(line) }
        }
        return findings
    }

    /// The guest of VM `number` (1-based).
    public func guest(_ number: Int) -> GuestDriver? { number >= 1 && number <= guests.count ? guests[number - 1] : nil }

    /// Adds a note.
    public func note(_ text: String) { engine.enter { report.notes.append(text) } }
    /// Records a boot failure.
    public func bootFailed(_ guest: GuestDriver, _ error: Error) {
        engine.enter { report.bootFailures.append("VM \(guest.number): \(error)") }
    }
    /// Requests completed after a reset (recovery).
    public func completedAfterReset(_ n: Int) { engine.enter { report.completedAfterReset += n } }

    func finish() -> ScenarioReport {
        engine.enter {
            _ = checkOracleLocked()
            oracle.detach(from: engine.gpu)
            var r = report
            let elapsed = ContinuousClock.now - started
            r.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            for guest in guests {
                r.submitted += guest.stats.submitted
                r.completed += guest.stats.completed
                r.guestHangs += guest.stats.hangsDetected
                r.gdrstResets += guest.stats.gdrstResets
                r.flips += guest.stats.flips
                r.vblanks += guest.stats.vblankWaits
                r.interrupts += guest.stats.interrupts
            }
            let tally = engine.tally
            r.workloadsCompleted = tally.count("workload.completed")
            r.workloadsFailed = tally.count("workload.failed")
            r.gpuHangs = tally.hangs.count
            r.failsafe = tally.failsafes.map { "vGPU \($0.vgpu.rawValue): \($0.reason): \($0.detail)" }
            r.counts = tally.counts
            r.notes += tally.failures.prefix(3).map { "workload failure: \($0)" }
            r.notes += tally.hangs.prefix(3).map { "gpu hang: \($0)" }
            r.traps = engine.hypervisor.trapCount
            r.engineEntries = engine.sequence
            for guest in guests {
                guard let vgpu = engine.mediator.vgpu(guest.id),
                      let image = engine.mediator.guestPlaneImage(vgpu, pipe: .a, translate: { engine.mediator.guestGGTTTranslate(vgpu, $0) })
                else { r.screens.append([]); continue }
                r.screens.append((0..<4).map { band in
                    image.pixels[(band * image.height / 4 + image.height / 8) * image.width + image.width / 2] & 0xFF_FFFF
                })
            }
            for id in engine.mediator.vgpuIDs {
                if let vgpu = engine.mediator.vgpu(id) {
                    r.gttViolations += engine.mediator.checkGTTInvariants(vgpu).map { "vGPU \(id.rawValue): \($0)" }
                }
            }
            return r
        }
    }
}

extension GuestDriver {
    /// The standard guest loop: keep every engine in `engines` busy with the workload mix
    /// until `ops` requests were submitted or `deadline` passed; handle interrupts, read
    /// completions, flip after every fill round, run the guest hangcheck every ~20 ms; then
    /// drain (up to a second).
    public func runLoop(_ work: GuestWorkloads, engines: [EngineID], ops: Int, deadline: ContinuousClock.Instant,
                        flips: Bool = true, rng: inout SplitMix64) {
        var submitted = 0
        var step = [Int](repeating: 0, count: EngineID.count)
        var lastHangcheck = ContinuousClock.now
        while submitted < ops && ContinuousClock.now < deadline && !engine.stopRequested {
            var progressed = false
            for engine in engines where isIdle(engine) && submitted < ops {
                let body = work.next(engine, step: step[engine.index] + Int(rng.next() % 2))
                if submit(engine, body) {
                    step[engine.index] += 1
                    submitted += 1
                    progressed = true
                    if flips && engine == .bcs && step[engine.index] % 4 == 0 {
                        flip()
                        waitForVblank(timeout: 0.05)
                    }
                }
            }
            handleInterrupts()
            processCompletions()
            if ContinuousClock.now - lastHangcheck > .milliseconds(20) {
                hangcheck()
                lastHangcheck = ContinuousClock.now
            }
            if !progressed { Thread.sleep(forTimeInterval: 0.0002) }
        }
        drain()
    }

    /// Waits (up to `timeout` s) for every engine to go idle, with hangcheck.
    public func drain(timeout: Double = 1.5) {
        let end = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var lastHangcheck = ContinuousClock.now
        while ContinuousClock.now < end && !engine.stopRequested {
            handleInterrupts()
            processCompletions()
            if EngineID.allCases.allSatisfy({ isIdle($0) }) { return }
            if ContinuousClock.now - lastHangcheck > .milliseconds(20) {
                hangcheck()
                lastHangcheck = ContinuousClock.now
            }
            Thread.sleep(forTimeInterval: 0.0005)
        }
    }
}
