import Foundation
import GPUModel
import Hypervisor
import Mediator

/// The mediator's clock on a live bench: nanoseconds of a monotonic clock since the bench
/// started (ContinuousClock). Allowed here, never in GPUModel or Mediator: every reading is
/// an input the mediator observes.
public final class MonotonicClock: MediatorClock, @unchecked Sendable {
    private let origin = ContinuousClock.now
    /// Starts the time line at zero.
    public init() {}
    /// Nanoseconds since the bench started.
    public func now() -> VirtualTime {
        let elapsed = ContinuousClock.now - origin
        let (seconds, attoseconds) = elapsed.components
        return VirtualTime(nanoseconds: UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000))
    }
}

/// The engine of a live bench: `Engine` (mediator + GPU) and the hypervisor behind ONE lock
/// with a sequence counter (architecture.md "One engine, two drivers"). Every thread that
/// enters the engine (vCPUs, timers, the GPU thread) goes through `enter`, so the order in
/// which the mediator's state changes is the order of `sequence`, and an observer attached
/// with `attach(_:)` sees the inputs and events inside the lock.
public final class LiveEngine: @unchecked Sendable {
    /// The engine every input goes through.
    public let core: Engine
    /// The physical GPU.
    public var gpu: GPU { core.gpu }
    /// The hypervisor (guest RAM, trap path, MSIs).
    public let hypervisor: Hypervisor
    /// The device model.
    public var mediator: Mediator { core.mediator }
    /// The clock the mediator reads (one reading of the monotonic clock per entry).
    public var clock: MediatorClock { core.clock }
    /// What the bench counts (failsafe, completions, refusals …); always attached.
    public let tally: BenchTally
    private let lock = NSLock()
    /// Entries into the engine so far (the global order of the live run).
    public private(set) var sequence: UInt64 = 0
    private let stopFlag = NSLock()
    private var stopping = false

    /// Asks the guests to wind down now (a capture whose journal cannot be written): their
    /// loops end at the next check instead of at their deadline. Any thread; never blocks
    /// on the engine's lock.
    public func requestStop() {
        stopFlag.lock()
        stopping = true
        stopFlag.unlock()
    }

    /// Whether `requestStop()` was called.
    public var stopRequested: Bool {
        stopFlag.lock()
        defer { stopFlag.unlock() }
        return stopping
    }

    /// Builds a GPU, a hypervisor and an engine over them with `configuration`; entries take
    /// their time from `clock`.
    public init(configuration: MediatorConfiguration = MediatorConfiguration(), clock: MediatorClock = MonotonicClock(),
                gpu: GPU = GPU()) throws {
        hypervisor = try Hypervisor(gpu: gpu)
        core = Engine(configuration: configuration, gpu: gpu, mpt: hypervisor, timeSource: clock)
        hypervisor.engine = core
        tally = BenchTally()
        core.mediator.observer = tally
    }

    /// Runs `body` inside the engine's lock as one entry (sequence + 1).
    @inline(__always)
    public func enter<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        sequence &+= 1
        return try body()
    }

    /// Performs one input inside the lock.
    @discardableResult
    public func perform(_ input: EngineInput) -> EngineResult { enter { core.perform(input) } }

    /// Creates a vGPU of `type` and its VM with `ramPages` pages of RAM (one engine input,
    /// so replay allocates the same host frames).
    public func createVM(type: VGPUType, ramPages: Int) throws -> VirtualMachine {
        try enter { () throws -> VirtualMachine in
            switch core.perform(.createVGPU(type: type.name, ramPages: ramPages)) {
            case let .created(id, frames): return hypervisor.createVM(vgpu: id, frames: frames)
            case .refused(let why): throw BenchError.vmRefused(why)
            case .none, .value: throw BenchError.vmRefused("unexpected result")
            }
        }
    }

    /// Attaches an observer (the Recorder) behind the bench's tally: it sees every input and
    /// every mediator event inside the lock, in order. Pass nil to detach.
    public func attach(_ observer: (MediatorObserver & EngineInputObserver)?) {
        enter {
            tally.downstream = observer
            core.inputObserver = observer
        }
    }
}

/// Why a bench could not be set up.
public enum BenchError: Error, CustomStringConvertible {
    /// The engine refused to create a VM's vGPU.
    case vmRefused(String)
    public var description: String {
        switch self {
        case .vmRefused(let why): return "the engine refused a VM: \(why)"
        }
    }
}

/// Counts what happened on a live bench (attached as the mediator's observer; forwards to
/// a downstream observer such as the Recorder).
public final class BenchTally: MediatorObserver, @unchecked Sendable {
    /// The next observer in the chain.
    public var downstream: MediatorObserver?
    /// Counts by category (sorted when reported).
    public private(set) var counts: [String: Int] = [:]
    /// Failsafe entries: (vGPU, reason, detail).
    public private(set) var failsafes: [(vgpu: VGPUID, reason: String, detail: String)] = []
    /// Hang reports from the GPU's hangcheck.
    public private(set) var hangs: [HangReport] = []
    /// Workload failures (first few, for the report).
    public private(set) var failures: [String] = []

    init() {}

    func bump(_ key: String, _ n: Int = 1) { counts[key, default: 0] += n }

    /// Counts a hardware event the mediator received.
    func noteHardware(_ event: GPUEvent) {
        switch event {
        case .hang(let report):
            hangs.append(report)
            bump("gpu.hang")
        case .privilegeViolation: bump("gpu.privilegeViolation")
        case .engineStalled: bump("gpu.engineStalled")
        case .reset: bump("gpu.reset")
        default: break
        }
    }

    public func mediator(_ mediator: Mediator, observed event: MediatorEvent) {
        switch event {
        case .mmioRead: bump("mmio.read")
        case .mmioWrite: bump("mmio.write")
        case .configRead, .configWrite: bump("config")
        case .pageTrackWrite: bump("pageTrackWrite")
        case .failsafe(let id, let reason, let detail):
            failsafes.append((id, "\(reason)", detail))
            bump("failsafe")
        case .ggttWriteIgnored: bump("refused.ggttWrite")
        case .shadowPPGTTRefused: bump("refused.ppgttEntry")
        case .mmioAccessError: bump("refused.mmio")
        case .configAccessError: bump("refused.config")
        case .displayWriteRefused: bump("refused.display")
        case .workloadRejected: bump("workload.rejected")
        case .workloadScanned(_, _, _, _, let rejection): if rejection != nil { bump("workload.scanRejected") }
        case .workloadDispatched: bump("workload.dispatched")
        case .workloadCompleted(_, let engine, let id, let failure):
            if let failure {
                bump("workload.failed")
                if failures.count < 8 { failures.append("\(engine) #\(id): \(failure)") }
            } else {
                bump("workload.completed")
            }
        case .virtualInterrupt: bump("virtualInterrupt")
        case .msiInjected: bump("msi")
        case .vgpuReset: bump("vgpu.reset")
        case .guestWriteSkipped: bump("refused.guestWrite")
        case .hardwareEvent(let hardware): noteHardware(hardware)
        default: break
        }
        downstream?.mediator(mediator, observed: event)
    }

    /// The count for `key` (0 if none).
    public func count(_ key: String) -> Int { counts[key] ?? 0 }
}
