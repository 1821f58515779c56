import GPUModel
import Journal

/// One-line text of journal events for reports (divergences, verdicts, the debugger).
public enum EventText {
    /// Engine name of an engine index.
    public static func engineName(_ index: UInt8) -> String {
        let names = ["rcs", "bcs", "vcs", "vecs"]
        return Int(index) < names.count ? names[Int(index)] : "engine\(index)"
    }

    /// "mmio-write vgpu 1 0x2030 RCS_RING_TAIL size 4 = 0x40": kind name and payload.
    public static func line(_ event: JournalEvent) -> String {
        let kind = JournalEventKind.name(of: event.kindID)
        switch event {
        case let .mmioRead(t), let .mmioWrite(t):
            let name = RegisterCatalogue.gen9.name(of: MMIOOffset(t.offset)).map { " \($0)" } ?? ""
            return "\(kind) vgpu \(t.vgpu) \(hex(UInt64(t.offset)))\(name) size \(t.size) = \(hex(t.value))"
        case let .workloadCreated(w):
            return "\(kind) vgpu \(w.vgpu) \(engineName(w.engine)) workload \(w.workload) ring \(hex(w.ringStart)) head "
                + "\(hex(UInt64(w.head))) tail \(hex(UInt64(w.tail))) context \(hex(w.contextDescriptor, width: 16))"
        case let .note(_, _, topic, text):
            return "\(kind) [\(topic)] \(text)"
        default:
            var payload = "\(event)"
            if let open = payload.firstIndex(of: "(") { payload = String(payload[open...]) }
            return "\(kind) \(payload)"
        }
    }

    /// "#12 t=1.5ms mmio-write …".
    public static func line(_ record: JournalRecord) -> String {
        "#\(record.sequence) t=\(VirtualTime(nanoseconds: record.time)) \(line(record.event))"
    }
}
