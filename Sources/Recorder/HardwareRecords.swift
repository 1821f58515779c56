import GPUModel
import Journal
import Mediator

/// The journal form of the GPU's events as the mediator received them.
public enum HardwareRecords {
    /// Hang reason codes of `JournalEvent.hang`: 0 stuck, 1 semaphore, 2 loop, 3 stalled.
    public static func code(_ reason: HangReport.Reason) -> UInt32 {
        switch reason {
        case .stuck: 0
        case .semaphore: 1
        case .loop: 2
        case .stalled: 3
        }
    }

    /// The name of a hang reason code.
    public static func hangReasonName(_ code: UInt32) -> String {
        ["stuck", "semaphore", "loop", "stalled"][safe: Int(code)] ?? "code \(code)"
    }

    /// Stall codes of `JournalEvent.engineStall`: 0 invalid command, 1 malformed command,
    /// 2 page fault, 3 bad context, 4 batch nesting.
    public static func code(_ stall: EngineStall) -> UInt32 {
        switch stall {
        case .invalidCommand: 0
        case .malformedCommand: 1
        case .pageFault: 2
        case .badContext: 3
        case .batchNesting: 4
        }
    }

    /// The journal event for a hardware event.
    public static func record(_ event: GPUEvent) -> JournalEvent {
        switch event {
        case let .contextStatus(engine, status, _):
            return .contextStatus(engine: e(engine), flags: status.flags.rawValue, context: status.contextID)
        case let .userInterrupt(engine), let .flushNotify(engine):
            return .completion(engine: e(engine), context: 0)
        case let .hang(report):
            return .hang(engine: e(report.engine), reason: code(report.reason), acthd: report.acthd.rawValue,
                         instruction: report.instruction ?? 0, head: report.ringHead, tail: report.ringTail)
        case let .engineStalled(engine, stall):
            return .engineStall(engine: e(engine), reason: code(stall))
        case let .reset(engines):
            return .engineReset(engines: UInt32(engines.rawValue))
        case let .privilegeViolation(engine, header, at):
            return .privilegeViolation(vgpu: 0, engine: e(engine), instruction: header, address: at.rawValue)
        case .pipeControlNotify, .interrupt, .vblank, .flipDone:
            return .note(vgpu: nil, engine: nil, topic: NoteTopic.hardwareEvent.rawValue, text: "\(event)")
        }
    }

    private static func e(_ engine: EngineID) -> UInt8 { UInt8(truncatingIfNeeded: engine.index) }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
