/// Everything one engine holds while it runs: execlist port, CSB, the loaded context and
/// the command streamer's position. A value; the `GPU` keeps one per engine.
public struct EngineState: Hashable, Sendable {
    public let id: EngineID
    public var submitPort = ExeclistSubmitPort()
    public var csb = ContextStatusBuffer()
    /// Elements of the current submission still to run (index 0 is executing).
    public var queue: [ContextDescriptor] = []
    /// A submission written while busy, taken at the next arbitration point.
    public var pendingSubmission: ExeclistSubmission?
    /// The loaded context, if any.
    public var context: LoadedContext?
    /// Virtual time this engine has executed up to.
    public var clock: VirtualTime = .zero
    /// Progress marks (user interrupts, post-sync writes, stores, completions), for hang check.
    public var breadcrumbs: UInt64 = 0
    /// Set when the engine stopped until reset.
    public var stall: EngineStall?
    /// Set while an MI_SEMAPHORE_WAIT is unsatisfied.
    public var semaphoreWait: SemaphoreWait?
    /// MI_ARB_ON_OFF state: arbitration (preemption between ring commands) enabled.
    public var arbitrationEnabled = true
    public var hangcheck = HangcheckSample()
    /// Commands executed since reset (statistics).
    public var commandsExecuted: UInt64 = 0

    public init(id: EngineID) { self.id = id }

    /// True while a context is loaded or a submission waits.
    public var isBusy: Bool { context != nil || !queue.isEmpty || pendingSubmission != nil }
}

/// A context loaded on an engine: its descriptor, ring and the streamer position.
public struct LoadedContext: Hashable, Sendable {
    public var descriptor: ContextDescriptor
    /// Ring buffer start (GGTT), size in bytes, head and tail offsets.
    public var ringStart: GraphicsAddress
    public var ringSize: UInt32
    public var head: UInt32
    public var tail: UInt32
    /// Head wrap count (RING_HEAD bits 31:21).
    public var wraps: UInt32 = 0
    /// The context's PPGTT, from its PDP slots.
    public var ppgtt: AddressSpace
    /// Batch buffers being executed, outermost first (empty: executing the ring).
    public var batches: [BatchFrame] = []
    /// CONTEXT_CONTROL as loaded.
    public var contextControl: UInt32
    /// Address of the command being executed (ACTHD).
    public var acthd: GraphicsAddress

    /// The address space in which the current command's memory operands default.
    public var currentSpace: AddressSpace { batches.last?.space ?? .ggtt }
    /// True if the current command runs privileged (ring or GGTT batch of a privileged context).
    public var isPrivileged: Bool {
        guard descriptor.isPrivileged else { return false }
        if let top = batches.last { return top.space == .ggtt }
        return true
    }
}

/// A batch buffer being executed.
public struct BatchFrame: Hashable, Sendable {
    public enum Level: Int, Sendable, Codable { case first = 1, second = 2 }
    public var level: Level
    public var start: GraphicsAddress
    public var pointer: GraphicsAddress
    public var space: AddressSpace
}

/// An MI_SEMAPHORE_WAIT in polling mode.
public struct SemaphoreWait: Hashable, Sendable, Codable {
    public var address: GraphicsAddress
    public var space: AddressSpace
    public var data: UInt32
    /// Compare operation (dw0 bits 14:12).
    public var operation: UInt32
    /// Address of the command (for restart and reports).
    public var at: GraphicsAddress
    public var length: Int

    /// True when `value` satisfies the wait (PRM: SAD_* compare operations).
    public func isSatisfied(by value: UInt32) -> Bool {
        switch operation {
        case 0: value > data  // SAD_GREATER_THAN_SDD
        case 1: value >= data  // SAD_GREATER_THAN_OR_EQUAL_SDD
        case 2: value < data  // SAD_LESS_THAN_SDD
        case 3: value <= data  // SAD_LESS_THAN_OR_EQUAL_SDD
        case 4: value == data  // SAD_EQUAL_SDD
        case 5: value != data  // SAD_NOT_EQUAL_SDD
        default: false
        }
    }
}

/// What the last hang check saw of an engine.
public struct HangcheckSample: Hashable, Sendable, Codable {
    public var acthd: GraphicsAddress = 0
    public var breadcrumbs: UInt64 = 0
    /// Commands executed at the sample.
    public var commands: UInt64 = 0
    /// Consecutive checks with neither ACTHD nor breadcrumbs moving (or waiting/stalled).
    public var stuckChecks = 0
    /// Consecutive checks with ACTHD moving but no breadcrumb.
    public var loopChecks = 0
    /// Already reported as hung (until reset).
    public var reported = false
    public init() {}
}
