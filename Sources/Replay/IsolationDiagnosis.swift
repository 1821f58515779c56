import GPUModel
import Journal
import Mediator
import Recorder

/// An isolation break reported so a person can act on it: the event that caused it, whose
/// memory or register it reached (or would have), and what the mediator did about it.
public struct IsolationDiagnosis: Sendable, Equatable, Codable {
    /// Sequence of the finding's record (recorded oracle) or of the input whose entry found it.
    public var sequence: UInt64
    /// The input that caused it, as a dump line ("#12 t=… mmio-write vgpu 1 …").
    public var cause: String
    /// Finding kind ("ggttMapping", "engineWrite" …).
    public var kind: String
    /// The vGPU responsible (nil: the host's own mapping).
    public var responsible: UInt32?
    /// Whose isolation was broken ("vgpu 2", "host").
    public var victim: String
    /// What was touched: graphics address, host frame and its owner, register.
    public var touched: String
    /// What the mediator did (failsafe, workload failed, audit rejection…), or that it did nothing.
    public var response: String
    /// The oracle's full text.
    public var detail: String

    /// The report's lines.
    public var text: String {
        "isolation: \(kind) at #\(sequence), \(responsible.map { "vgpu \($0)" } ?? "host") -> \(victim)\n"
            + "  caused by: \(cause)\n  touched: \(touched)\n  mediator response: \(response)\n  oracle: \(detail)"
    }

    /// From a finding made by replay's own oracle.
    static func make(_ finding: IsolationFinding, sequence: UInt64, cause: String, response: String?) -> IsolationDiagnosis {
        var touched: [String] = []
        if let address = finding.address { touched.append("graphics address \(address)") }
        if let frame = finding.frame { touched.append("host frame \(frame)" + (finding.owner.map { " owned by \($0)" } ?? "")) }
        if let register = finding.register {
            touched.append("register \(hex(UInt64(register.rawValue), width: 5))"
                           + (RegisterCatalogue.gen9.name(of: register).map { " \($0)" } ?? ""))
        }
        if let engine = finding.engine { touched.append("by engine \(engine)") }
        return IsolationDiagnosis(sequence: sequence, cause: cause, kind: finding.kind.rawValue,
                                  responsible: finding.responsible.map { UInt32($0.rawValue) }, victim: "\(finding.victim)",
                                  touched: touched.isEmpty ? "(not said)" : touched.joined(separator: ", "),
                                  response: finding.response ?? response ?? Self.noResponse, detail: finding.description)
    }

    /// From a recorded isolation-finding output.
    static func make(record: JournalRecord, cause: String, response: String?) -> IsolationDiagnosis? {
        guard case let .isolationFinding(vgpu, kind, address, detail) = record.event else { return nil }
        return IsolationDiagnosis(sequence: record.sequence, cause: cause, kind: IsolationRecords.kindName(kind),
                                  responsible: vgpu == 0 ? nil : vgpu, victim: Self.victim(in: detail),
                                  touched: "address \(hex(address))", response: response ?? Self.noResponse, detail: detail)
    }

    static let noResponse = "none in the same entry: the access was not blocked"

    /// "kind: vgpu1 -> host, …" → "host".
    static func victim(in detail: String) -> String {
        guard let arrow = detail.range(of: " -> ") else { return "?" }
        return String(detail[arrow.upperBound...].prefix { $0 != "," })
    }

    /// The mediator's response among an entry's outputs: failsafe, a failed or rejected workload, a reset.
    static func response(in outputs: some Sequence<JournalRecord>) -> String? {
        for record in outputs {
            switch record.event {
            case let .failsafe(vgpu, reason, detail): return "vgpu \(vgpu) entered failsafe (\(FailsafeCode.name(reason)): \(detail))"
            case let .workloadCreated(w):
                if case let .rejected(reason, address, header) = w.audit {
                    return "workload \(w.workload) rejected by the command auditor (reason \(reason), address \(hex(address)), "
                        + "command \(hex(UInt64(header), width: 8)))"
                }
            case let .workloadCompleted(vgpu, engine, workload, status) where status != 0:
                return "workload \(workload) of vgpu \(vgpu) on \(EventText.engineName(engine)) failed (errno \(status))"
            case let .note(_, _, topic, text) where topic == NoteTopic.workloadRejected.rawValue
                || (topic == NoteTopic.workloadScanned.rawValue && !text.hasSuffix(": ok")):
                return "the mediator refused the workload: \(text)"
            case let .vgpuReset(vgpu, dmlr, _): return "vgpu \(vgpu) reset (\(dmlr ? "device-model level" : "engines"))"
            default: continue
            }
        }
        return nil
    }
}
