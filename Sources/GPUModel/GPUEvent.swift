/// Something the GPU did that is visible outside it: the model's outputs.
///
/// The caller drains them after each step (`GPU.drainEvents()`); the mediator turns them
/// into guest-visible effects and the recorder journals them.
public enum GPUEvent: Hashable, Sendable, Codable {
    /// An engine wrote a context status buffer entry.
    case contextStatus(EngineID, ContextStatus, index: Int)
    /// MI_USER_INTERRUPT executed.
    case userInterrupt(EngineID)
    /// PIPE_CONTROL with the notify bit completed (RCS).
    case pipeControlNotify
    /// MI_FLUSH_DW with the notify bit completed.
    case flushNotify(EngineID)
    /// The device raised its MSI (master interrupt became pending and enabled).
    case interrupt
    /// A display pipe reached vertical blank.
    case vblank(Pipe, frame: UInt32)
    /// A plane flip latched at vblank (or immediately for an async flip).
    case flipDone(Pipe, plane: Int, surface: GraphicsAddress)
    /// An engine stopped: invalid command, page fault or unsupported context.
    case engineStalled(EngineID, EngineStall)
    /// Hang check declared an engine hung.
    case hang(HangReport)
    /// Engines were reset (GDRST or `reset(...)`).
    case reset(EngineMask)
    /// A command was dropped by the hardware privilege check.
    case privilegeViolation(EngineID, header: UInt32, at: GraphicsAddress)
}

/// Why an engine stopped executing (it stays stopped until reset).
public enum EngineStall: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The command streamer met a header no table knows on this engine.
    case invalidCommand(header: UInt32, at: GraphicsAddress)
    /// A command's length runs past the ring or the batch cannot be read.
    case malformedCommand(header: UInt32, at: GraphicsAddress)
    /// A memory access faulted (fault-and-hang mode).
    case pageFault(GPUFault, at: GraphicsAddress)
    /// The context descriptor or image cannot be executed (bad ring, unsupported mode).
    case badContext(String)
    /// Batch nesting went beyond what the hardware supports.
    case batchNesting(at: GraphicsAddress)

    public var description: String {
        switch self {
        case let .invalidCommand(header, at): "invalid command \(hex(header)) at \(at)"
        case let .malformedCommand(header, at): "malformed command \(hex(header)) at \(at)"
        case let .pageFault(fault, at): "page fault (\(fault)) at \(at)"
        case let .badContext(why): "bad context: \(why)"
        case let .batchNesting(at): "batch nesting too deep at \(at)"
        }
    }
}

/// What hang check found: enough for a person to start looking.
public struct HangReport: Hashable, Sendable, Codable {
    /// Why the engine was declared hung.
    public enum Reason: String, Hashable, Sendable, Codable {
        /// ACTHD and breadcrumbs unchanged across the threshold.
        case stuck
        /// Waiting on an MI_SEMAPHORE_WAIT that never became true.
        case semaphore
        /// ACTHD moves but no breadcrumb was written (a loop).
        case loop
        /// The engine stalled on an invalid command or a fault.
        case stalled
    }

    public var engine: EngineID
    public var reason: Reason
    public var acthd: GraphicsAddress
    /// The dword at ACTHD (the stuck command's header) if readable.
    public var instruction: UInt32?
    public var ringHead: UInt32
    public var ringTail: UInt32
    public var ringStart: GraphicsAddress
    /// The running element's descriptor.
    public var context: ContextDescriptor?
    public var stall: EngineStall?
    public var time: VirtualTime
}

/// What `GPU.run(_:until:)` ended with.
public enum EngineRunOutcome: Hashable, Sendable {
    /// Nothing left to execute.
    case idle
    /// Still busy when the time limit or command budget was reached.
    case busy
    /// Waiting on a semaphore; re-run later to re-poll.
    case waiting
    /// Stopped until reset.
    case stalled(EngineStall)
}
