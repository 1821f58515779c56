import Foundation
import GPUModel
import Journal
import Recorder
import Replay

/// Readable text of journal events for diffs: `EventText.line`, with scheduler decisions
/// spelt out (decision, engines, from/to, and the run queue with its budgets).
public enum EventDetail {
    /// One line for `event`.
    public static func line(_ event: JournalEvent) -> String {
        if case let .schedulerDecision(engine, from, to, reason, budgets) = event {
            return schedulerLine(engine: engine, from: from, to: to, reason: reason, budgets: budgets)
        }
        if case let .mmioContextSwitch(engine, from, to, registers) = event {
            func who(_ v: UInt32?) -> String { v.map { "vgpu \($0)" } ?? "host" }
            let shown = registers.prefix(6).map { "\(hex(UInt64($0.offset)))=\(hex(UInt64($0.value), width: 8))" }
            return "mmio-context-switch \(EventText.engineName(engine)) \(who(from)) → \(who(to)): \(registers.count) registers "
                + shown.joined(separator: " ") + (registers.count > 6 ? " …" : "")
        }
        if case let .workloadCreated(w) = event {
            var audit = "ok"
            if case let .rejected(reason, address, header) = w.audit {
                audit = "rejected (reason \(reason), address \(hex(address)), header \(hex(UInt64(header), width: 8)))"
            }
            return "workload-created vgpu \(w.vgpu) \(EventText.engineName(w.engine)) workload \(w.workload) ring \(hex(w.ringStart)) "
                + "head \(hex(UInt64(w.head))) tail \(hex(UInt64(w.tail))) context \(hex(w.contextDescriptor)) audit \(audit)"
        }
        return EventText.line(event)
    }

    /// "#12 t=1.5ms …" for a record.
    public static func line(_ record: JournalRecord) -> String {
        "#\(record.sequence) t=\(VirtualTime(nanoseconds: record.time)) \(line(record.event))"
    }

    /// "scheduler-decision switch/timer/round-robin rcs,bcs vgpu 1 → vgpu 2; stage 3; queue: …".
    static func schedulerLine(engine: UInt8?, from: UInt32?, to: UInt32?, reason: UInt32, budgets: [Int64]) -> String {
        let engines = engine.map { mask in
            let names = EngineMask(rawValue: mask).engines.map { EventText.engineName(UInt8($0.index)) }
            return names.isEmpty ? "none" : names.joined(separator: ",")
        } ?? "all"
        func who(_ v: UInt32?) -> String { v.map { "vgpu \($0)" } ?? "idle" }
        var text = "scheduler-decision \(SchedulerRecords.describe(reason: reason)) \(engines) \(who(from)) → \(who(to))"
        text += "; " + runQueue(budgets)
        return text
    }

    /// The run queue of a decision's budgets: "stage 3; queue: vgpu 1 w4 left 0.8ms of 1ms ran 12ms [prio], …".
    public static func runQueue(_ budgets: [Int64]) -> String {
        guard let stage = budgets.first else { return "no run queue" }
        var parts: [String] = []
        let n = SchedulerRecords.fieldsPerEntry
        var k = 1
        while k + n <= budgets.count {
            let f = budgets[k..<k + n].map { $0 }
            var entry = "vgpu \(f[0]) w\(f[1]) left \(ms(f[2])) of \(ms(f[3])) ran \(ms(f[4]))"
            if f[5] != 0 { entry += " prio" }
            parts.append(entry)
            k += n
        }
        let stageText = stage < 0 ? "no balance stage" : "stage \(stage)"
        return "\(stageText); queue: " + (parts.isEmpty ? "empty" : parts.joined(separator: ", "))
    }

    private static func ms(_ ns: Int64) -> String {
        let value = Double(ns) / 1e6
        if value == value.rounded() { return "\(Int64(value))ms" }
        return String(format: "%.3fms", value)
    }
}
