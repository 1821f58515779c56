import GPUModel
import Journal
import Mediator

/// The journal form of a scheduler decision (`JournalEvent.schedulerDecision`).
///
/// `engine` is the engine mask of the decision (nil when it names none), `reason` packs the
/// decision kind, trigger and reason (`kind << 16 | trigger << 8 | reason`, codes in the
/// order of the tables below), and `budgets` lists, per run-queue entry, the vGPU, its
/// weight, its time slice left and allocated (ns), the time it last ran and its priority
/// flag, flattened: `[vgpu, weight, leftTS, allocatedTS, schedTime, priority]…`, preceded
/// by the balance stage (-1 when none).
public enum SchedulerRecords {
    static let kinds: [SchedulerDecision.Kind] = [.pick, .idle, .stay, .waitForDrain, .switch, .start, .stop]
    static let triggers: [SchedulerTrigger] = [.timer, .event, .completion, .start, .stop]
    static let reasons: [SchedulerReason] = [.priorityWindow, .timeSliceLeft, .nothingRunnable, .roundRobin, .sliceLeft,
                                             .alreadyCurrent, .enginesBusy, .drained, .started, .stopped]
    /// Numbers per run-queue entry in `budgets`.
    public static let fieldsPerEntry = 6

    /// The journal event for a decision.
    public static func record(_ decision: SchedulerDecision) -> JournalEvent {
        let kind = UInt32(kinds.firstIndex(of: decision.kind) ?? 0xFF)
        let trigger = UInt32(triggers.firstIndex(of: decision.trigger) ?? 0xFF)
        let reason = UInt32(reasons.firstIndex(of: decision.reason) ?? 0xFF)
        var budgets: [Int64] = [Int64(decision.balanceStage ?? -1)]
        budgets.reserveCapacity(1 + decision.runQueue.count * fieldsPerEntry)
        for entry in decision.runQueue {
            budgets += [Int64(entry.vgpu.rawValue), Int64(entry.weight), entry.leftTS, entry.allocatedTS,
                        Int64(bitPattern: entry.schedTime), entry.priority ? 1 : 0]
        }
        return .schedulerDecision(engine: decision.engines.isEmpty ? nil : decision.engines.rawValue,
                                  from: decision.from.map { UInt32($0.rawValue) }, to: decision.to.map { UInt32($0.rawValue) },
                                  reason: kind << 16 | trigger << 8 | reason, budgets: budgets)
    }

    /// "switch/timer/round-robin" for a packed reason code.
    public static func describe(reason code: UInt32) -> String {
        let kind = kinds[safe: Int(code >> 16)]?.rawValue ?? "?"
        let trigger = triggers[safe: Int(code >> 8 & 0xFF)]?.rawValue ?? "?"
        let reason = reasons[safe: Int(code & 0xFF)]?.rawValue ?? "?"
        return "\(kind)/\(trigger)/\(reason)"
    }
}
