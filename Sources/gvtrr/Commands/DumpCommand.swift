import ArgumentParser
import Foundation
import GPUModel
import Journal
import Recorder

/// `gvtrr dump FILE [--from SEQ] [--count N] [--kind K] [--vgpu V] [--json]`: events one per
/// line, with register names from the GPU model's catalogue, code names (note topics,
/// scheduler reasons, hang and failsafe reasons, timers), ELSP submissions decoded into
/// context descriptors and the trapping instruction's disassembly (capstone).
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print a journal's events, one per line.",
        discussion: "Kinds: " + JournalEventKind.allCases.map(\.name).joined(separator: ", ") + "."
    )

    @Argument(help: "The journal (.gvtj).")
    var file: String

    @Option(help: "Start at the first event whose sequence number is at least this.")
    var from: UInt64 = 0

    @Option(help: "Print at most this many events.")
    var count: Int?

    @Option(help: "Only events of this kind (name or numeric id, e.g. mmio-write or 2).")
    var kind: String?

    @Option(help: "Only events concerning this vGPU.")
    var vgpu: UInt32?

    @Flag(help: "Print one JSON object per line.")
    var json = false

    func validate() throws {
        if let count, count < 0 { throw ValidationError("--count must be 0 or more") }
        if let kind, kindID(kind) == nil {
            throw ValidationError("unknown kind '\(kind)'; kinds are: " + JournalEventKind.allCases.map(\.name).joined(separator: ", "))
        }
    }

    /// The kind id a `--kind` value names: a registry name or any decimal id.
    func kindID(_ text: String) -> UInt32? {
        if let kind = JournalEventKind(name: text) { return kind.rawValue }
        if text.hasPrefix("kind-") { return UInt32(text.dropFirst(5)) }
        return UInt32(text)
    }

    func run() throws {
        let reader = try openJournal(file)
        let cursor = try journalCall(file) { () throws(JournalError) in try reader.records(from: from) }
        let wantedKind = kind.flatMap(kindID)
        let limit = count ?? Int.max
        var printed = 0
        var annotator = DumpAnnotator()
        var out = ""
        do {
            while printed < limit, let record = try cursor.next() {
                let extra = annotator.annotate(record.event)  // sees every event: ELSP state spans filters
                if let wantedKind, record.event.kindID != wantedKind { continue }
                if let vgpu, record.event.vgpu != vgpu { continue }
                let fields = EventFields.of(record.event) + extra
                out += json ? EventFields.json(record, fields) : EventFields.text(record, fields)
                out += "\n"
                printed += 1
                if out.utf8.count > 64 << 10 {
                    print(out, terminator: "")
                    out = ""
                }
            }
        } catch {
            print(out, terminator: "")
            if case let .damaged(damage) = error {
                printError("gvtrr: \(damage.description)\nto keep what is readable: gvtrr verify \(file) --salvage FIXED.gvtj")
                throw ExitCode(1)
            }
            printError("gvtrr: \(error.description)")
            throw ExitCode(2)
        }
        print(out, terminator: "")
    }
}

/// One event as named fields, rendered as `key=value` text or as JSON (decorations that
/// need state across events, ELSP and disassembly, come from `DumpAnnotator`).
enum EventFields {
    /// A field value.
    enum Value {
        case number(UInt64)
        case signed(Int64)
        case hex(UInt64, width: Int)
        case register(UInt32)
        /// A code with its name: text shows the name, JSON the number plus `<key>Name`.
        case code(UInt64, String)
        case text(String)
        case bytes([UInt8])
        case bool(Bool)
        case absent
        case list([Value])
    }

    static func of(_ event: JournalEvent) -> [(String, Value)] {
        func opt(_ v: UInt32?) -> Value { v.map { .number(UInt64($0)) } ?? .absent }
        switch event {
        case let .mmioRead(t), let .mmioWrite(t):
            return [("vgpu", .number(UInt64(t.vgpu))), ("vcpu", .number(UInt64(t.vcpu))), ("reg", .register(t.offset)),
                    ("size", .number(UInt64(t.size))), ("value", .hex(t.value, width: Int(min(t.size, 8)) * 2)),
                    ("rip", .hex(t.rip, width: 16)), ("insn", .bytes(t.instruction))]
        case let .pciConfigRead(v, offset, size, value), let .pciConfigWrite(v, offset, size, value):
            return [("vgpu", .number(UInt64(v))), ("offset", .hex(UInt64(offset), width: 3)), ("size", .number(UInt64(size))),
                    ("value", .hex(UInt64(value), width: Int(min(size, 4)) * 2))]
        case let .ggttWrite(v, index, guest, host):
            return [("vgpu", .number(UInt64(v))), ("index", .hex(index, width: 5)), ("guest", .hex(guest, width: 16)),
                    ("host", .hex(host, width: 16))]
        case let .ggttWriteIgnored(v, index, guest, reason):
            return [("vgpu", .number(UInt64(v))), ("index", .hex(index, width: 5)), ("guest", .hex(guest, width: 16)),
                    ("reason", .number(UInt64(reason)))]
        case let .protectedPageWrite(v, gpa, bytes):
            return [("vgpu", .number(UInt64(v))), ("gpa", .hex(gpa, width: 12)), ("bytes", .bytes(bytes))]
        case let .shadowEntryChanged(v, table, index, guest, shadow):
            return [("vgpu", .number(UInt64(v))), ("table", .hex(table, width: 12)), ("index", .number(UInt64(index))),
                    ("guest", .hex(guest, width: 16)), ("shadow", .hex(shadow, width: 16))]
        case let .elspSubmission(v, engine, d):
            return [("vgpu", .number(UInt64(v))), ("engine", engineName(engine)),
                    ("dwords", .list(d.array.map { .hex(UInt64($0), width: 8) })), ("submit", elspSubmission(d.array))]
        case let .workloadCreated(w):
            var fields: [(String, Value)] = [
                ("vgpu", .number(UInt64(w.vgpu))), ("engine", engineName(w.engine)), ("workload", .number(w.workload)),
                ("ring", .hex(w.ringStart, width: 8)), ("head", .hex(UInt64(w.head), width: 4)), ("tail", .hex(UInt64(w.tail), width: 4)),
                ("ctx", .hex(w.contextDescriptor, width: 16)),
                ("context", .text(ContextDescriptor(rawValue: w.contextDescriptor).description)),
                ("batches", .number(UInt64(w.batchBuffers)))]
            switch w.audit {
            case .ok: fields.append(("audit", .text("ok")))
            case let .rejected(reason, address, header):
                fields += [("audit", .text("rejected")), ("reason", .number(UInt64(reason))), ("address", .hex(address, width: 12)),
                           ("header", .hex(UInt64(header), width: 8))]
            }
            return fields
        case let .workloadDispatched(v, engine, workload):
            return [("vgpu", .number(UInt64(v))), ("engine", engineName(engine)), ("workload", .number(workload))]
        case let .workloadCompleted(v, engine, workload, status):
            return [("vgpu", .number(UInt64(v))), ("engine", engineName(engine)), ("workload", .number(workload)),
                    ("status", .code(UInt64(status), statusName(status)))]
        case let .guestMemoryRead(v, gpa, length, content):
            return [("vgpu", .number(UInt64(v))), ("gpa", .hex(gpa, width: 12)), ("length", .number(UInt64(length))),
                    ("page", .text(content.page.description)), ("pageOffset", .number(UInt64(content.offset)))]
        case let .clockReading(value):
            return [("value", .number(value))]
        case let .timerExpiry(kind):
            return [("timer", .code(UInt64(kind), InputRecords.Timer(rawValue: kind)?.name ?? "timer-\(kind)"))]
        case let .contextStatus(engine, flags, context):
            return [("engine", engineName(engine)), ("flags", .hex(UInt64(flags), width: 8)), ("ctx", .number(UInt64(context)))]
        case let .completion(engine, context):
            return [("engine", engineName(engine)), ("ctx", .number(UInt64(context)))]
        case let .hang(engine, reason, acthd, instruction, head, tail):
            return [("engine", engineName(engine)), ("reason", .code(UInt64(reason), HardwareRecords.hangReasonName(reason))),
                    ("acthd", .hex(acthd, width: 8)),
                    ("instruction", .hex(UInt64(instruction), width: 8)), ("head", .hex(UInt64(head), width: 4)),
                    ("tail", .hex(UInt64(tail), width: 4))]
        case let .engineStall(engine, reason):
            return [("engine", engineName(engine)), ("reason", .code(UInt64(reason), stallName(reason)))]
        case let .engineReset(engines):
            return [("engines", .hex(UInt64(engines), width: 2))]
        case let .privilegeViolation(v, engine, instruction, address):
            return [("vgpu", .number(UInt64(v))), ("engine", engineName(engine)), ("instruction", .hex(UInt64(instruction), width: 8)),
                    ("address", .hex(address, width: 12))]
        case let .virtualInterrupt(v, bank, bit):
            return [("vgpu", .number(UInt64(v))), ("bank", .number(UInt64(bank))), ("bit", .number(UInt64(bit)))]
        case let .msiInjected(v, address, data):
            return [("vgpu", .number(UInt64(v))), ("address", .hex(address, width: 8)), ("data", .hex(UInt64(data), width: 4))]
        case let .schedulerDecision(engine, from, to, reason, budgets):
            return [("engine", engine.map(engineName) ?? .text("all")), ("from", opt(from)), ("to", opt(to)),
                    ("reason", .code(UInt64(reason), SchedulerRecords.describe(reason: reason))),
                    ("budgets", .list(budgets.map { .signed($0) }))]
        case let .mmioContextSwitch(engine, from, to, registers):
            return [("engine", engineName(engine)), ("from", opt(from)), ("to", opt(to)), ("count", .number(UInt64(registers.count))),
                    ("registers", .list(registers.map { .list([.register($0.offset), .hex(UInt64($0.value), width: 8)]) }))]
        case let .failsafe(v, reason, detail):
            return [("vgpu", .number(UInt64(v))), ("reason", .code(UInt64(reason), FailsafeCode.name(reason))), ("detail", .text(detail))]
        case let .isolationFinding(v, kind, address, detail):
            return [("vgpu", .number(UInt64(v))), ("finding", .code(UInt64(kind), IsolationRecords.kindName(kind))),
                    ("address", .hex(address, width: 12)),
                    ("detail", .text(detail))]
        case let .vgpuCreated(v, type):
            return [("vgpu", .number(UInt64(v))), ("type", .text(type))]
        case let .vgpuDestroyed(v):
            return [("vgpu", .number(UInt64(v)))]
        case let .vgpuReset(v, dmlr, engines):
            return [("vgpu", .number(UInt64(v))), ("dmlr", .bool(dmlr)), ("engines", .hex(UInt64(engines), width: 2))]
        case let .hostRegisterWrite(offset, value):
            return [("reg", .register(offset)), ("value", .hex(UInt64(value), width: 8))]
        case let .g2vNotification(v, notification):
            return [("vgpu", .number(UInt64(v))), ("notification", .number(UInt64(notification)))]
        case let .guestPageWritten(v, frame, page):
            return [("vgpu", .number(UInt64(v))), ("frame", .hex(frame, width: 6)), ("page", .text(page.description))]
        case let .vgpuCreateRequest(type, pages, v, first):
            return [("type", .text(type)), ("ramPages", .number(UInt64(pages))), ("vgpu", .number(UInt64(v))),
                    ("firstFrame", .hex(first, width: 6))]
        case let .vgpuDestroyRequest(v), let .vgpuResetRequest(v):
            return [("vgpu", .number(UInt64(v)))]
        case let .note(v, engine, topic, text):
            return [("vgpu", opt(v)), ("engine", engine.map(engineName) ?? .absent),
                    ("topic", .code(UInt64(topic), NoteTopic(rawValue: topic)?.name ?? "topic-\(topic)")),
                    ("text", .text(text))]
        case let .guestMemoryWrite(v, gpa, bytes):
            return [("vgpu", .number(UInt64(v))), ("gpa", .hex(gpa, width: 12)), ("bytes", .bytes(bytes))]
        case let .guestContextStatus(v, engine, index, flags, context):
            return [("vgpu", .number(UInt64(v))), ("engine", engineName(engine)), ("csb", .number(UInt64(index))),
                    ("flags", .hex(UInt64(flags), width: 8)), ("ctx", .hex(UInt64(context), width: 8))]
        case let .extension(_, bytes):
            return [("bytes", .bytes(bytes))]
        }
    }

    /// Four ELSP dwords in write order decoded as the submitted context descriptors.
    static func elspSubmission(_ dwords: [UInt32]) -> Value {
        var port = ExeclistSubmitPort()
        var submission: ExeclistSubmission?
        for d in dwords { submission = port.write(d) }
        guard let submission else { return .absent }
        return .list(submission.elements.map { .text($0.description) })
    }

    /// Engine stall codes (`HardwareRecords.code(_: EngineStall)`).
    static func stallName(_ code: UInt32) -> String {
        let names = ["invalid-command", "malformed-command", "page-fault", "bad-context", "batch-nesting"]
        return Int(code) < names.count ? names[Int(code)] : "code-\(code)"
    }

    /// Workload status codes (`WorkloadStatus`): 0 ok, else the errno.
    static func statusName(_ code: UInt32) -> String {
        switch code {
        case 0: "ok"
        case 5: "EIO"
        case 14: "EFAULT"
        case 22: "EINVAL"
        case 56: "EBADRQC"
        default: "errno-\(code)"
        }
    }

    static func engineName(_ index: UInt8) -> Value {
        let names = ["rcs", "bcs", "vcs", "vecs"]
        return .text(Int(index) < names.count ? names[Int(index)] : "engine\(index)")
    }

    static func registerName(_ offset: UInt32) -> String? {
        RegisterCatalogue.gen9.name(of: MMIOOffset(offset))
    }

    /// `#12 t=1000 mmio-write vgpu=1 reg=RCS_RING_TAIL(0x00002030) …`
    static func text(_ record: JournalRecord, _ fields: [(String, Value)]) -> String {
        var line = "#\(record.sequence) t=\(record.time) \(JournalEventKind.name(of: record.event.kindID))"
        for (key, value) in fields { line += " \(key)=\(text(value))" }
        return line
    }

    static func text(_ value: Value) -> String {
        switch value {
        case let .number(n): String(n)
        case let .signed(n): String(n)
        case let .hex(n, width): hex(n, width: width)
        case let .register(offset): registerName(offset).map { "\($0)(\(hex(offset, width: 8)))" } ?? hex(offset, width: 8)
        case let .code(_, name): text(.text(name))
        case let .text(s): s.contains(" ") || s.isEmpty ? "\"\(s)\"" : s
        case let .bytes(b): b.isEmpty ? "-" : b.map { hex($0, width: 2).dropFirst(2) }.joined()
        case let .bool(b): b ? "yes" : "no"
        case .absent: "-"
        case let .list(items): "[" + items.map(text).joined(separator: ",") + "]"
        }
    }

    /// `{"seq":12,"time":1000,"kind":"mmio-write","vgpu":1,"reg":8240,"regName":"RCS_RING_TAIL",…}`
    static func json(_ record: JournalRecord, _ fields: [(String, Value)]) -> String {
        var parts = ["\"seq\":\(record.sequence)", "\"time\":\(record.time)",
                     "\"kind\":\(quoted(JournalEventKind.name(of: record.event.kindID)))", "\"kindId\":\(record.event.kindID)"]
        for (key, value) in fields {
            parts.append("\(quoted(key)):\(json(value))")
            if case let .register(offset) = value, let name = registerName(offset) {
                parts.append("\(quoted(key + "Name")):\(quoted(name))")
            }
            if case let .code(_, name) = value { parts.append("\(quoted(key + "Name")):\(quoted(name))") }
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func json(_ value: Value) -> String {
        switch value {
        case let .number(n), let .hex(n, _), let .code(n, _): String(n)
        case let .signed(n): String(n)
        case let .register(offset): String(offset)
        case let .text(s): quoted(s)
        case let .bytes(b): quoted(b.map { hex($0, width: 2).dropFirst(2) }.joined())
        case let .bool(b): b ? "true" : "false"
        case .absent: "null"
        case let .list(items): "[" + items.map(json).joined(separator: ",") + "]"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
