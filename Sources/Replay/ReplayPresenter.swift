import Foundation

/// The text and JSON forms of a replay's outcome (what `gvtrr replay` prints).
public enum ReplayPresenter {
    /// The up-front lines: notes on version or configuration differences, an incomplete journal.
    public static func notes(_ result: ReplayResult) -> [String] {
        result.notes.map { "note: \($0)" }
    }

    /// The report for a person: divergences (with the records before the first), verdicts,
    /// hang and isolation reports, then one summary line (and the expectation's outcome).
    public static func text(_ result: ReplayResult, file: String, expectation: Verdict.Kind? = nil,
                            decoder: HangDecoder = .own) -> String {
        var lines: [String] = []
        for (k, divergence) in result.divergences.enumerated() {
            if k == 0 && !divergence.context.isEmpty {
                lines.append("before the divergence:")
                lines += divergence.context.map { "  \($0)" }
            }
            lines += divergence.description.split(separator: "\n").map(String.init)
        }
        if !result.verdicts.isEmpty {
            lines.append("verdicts:")
            for verdict in result.verdicts {
                lines.append("  #\(verdict.seq) \(verdict.kind.rawValue)" + (verdict.vgpu.map { " vgpu \($0)" } ?? "")
                             + ": \(verdict.detail)")
            }
        }
        for hang in result.hangs { lines += hang.text(decoder: decoder).split(separator: "\n").map(String.init) }
        for finding in result.isolations { lines += finding.text.split(separator: "\n").map(String.init) }
        if let why = result.stoppedEarly { lines.append("stopped early: \(why)") }
        lines.append(summary(result, file: file))
        if let expectation {
            lines.append("expected \(expectation.rawValue): " + (result.meets(expectation) ? "met" : "NOT met"))
        }
        return lines.joined(separator: "\n")
    }

    /// "FILE: 1234 events replayed (456 inputs), no divergence; verdicts: 1 hang".
    public static func summary(_ result: ReplayResult, file: String) -> String {
        var text = "\(file): \(result.events) events replayed (\(result.inputs) inputs)"
        if let first = result.firstDivergence {
            text += ", DIVERGED at #\(first)"
            if result.divergences.count > 1 { text += " (\(result.divergences.count) divergences)" }
        } else {
            text += ", no divergence"
        }
        if result.torn { text += ", journal torn" }
        var counts: [String] = []
        for kind in Verdict.Kind.allCases where kind != .clean {
            let n = result.verdicts.filter { $0.kind == kind }.count
            if n > 0 { counts.append("\(n) \(kind.rawValue)") }
        }
        text += "; verdicts: " + (counts.isEmpty ? "clean" : counts.joined(separator: ", "))
        return text
    }

    /// The JSON document: `events`, `inputs`, `diverged`, `firstDivergence` (sequence or null),
    /// `divergences`, `verdicts` ({seq, kind, vgpu, detail}), `hangs`, `isolations`, `notes`,
    /// `stoppedEarly` (text or null), `torn`, and `expectation`/`expectationMet` when one was given.
    public static func json(_ result: ReplayResult, expectation: Verdict.Kind? = nil, decoder: HangDecoder = .own) -> String {
        let document = Document(result: result, expectation: expectation, decoder: decoder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(document) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The JSON document (nil values written as null, not left out).
    struct Document: Encodable {
        var result: ReplayResult
        var expectation: Verdict.Kind?
        var decoder: HangDecoder

        enum Keys: String, CodingKey {
            case events, inputs, diverged, firstDivergence, divergences, verdicts, hangs, isolations, notes, stoppedEarly, torn
            case expectation, expectationMet
        }

        struct HangJSON: Encodable {
            var seq: UInt64
            var engine: String
            var reason: String
            var vgpu: UInt32?
            var workload: UInt64?
            var acthd: UInt64
            var head: UInt32
            var tail: UInt32
            var stuckCommand: String?
            var report: String
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(result.events, forKey: .events)
            try c.encode(result.inputs, forKey: .inputs)
            try c.encode(result.diverged, forKey: .diverged)
            try c.encode(result.firstDivergence, forKey: .firstDivergence)  // an Optional encodes null
            try c.encode(result.divergences, forKey: .divergences)
            try c.encode(result.verdicts, forKey: .verdicts)
            try c.encode(result.hangs.map { hang in
                HangJSON(seq: hang.sequence, engine: EventText.engineName(UInt8(hang.engine.index)), reason: hang.reason,
                         vgpu: hang.vgpu, workload: hang.workload, acthd: hang.acthd.rawValue, head: hang.head, tail: hang.tail,
                         stuckCommand: hang.stuckCommand, report: hang.text(decoder: decoder))
            }, forKey: .hangs)
            try c.encode(result.isolations, forKey: .isolations)
            try c.encode(result.notes, forKey: .notes)
            if let stopped = result.stoppedEarly { try c.encode(stopped, forKey: .stoppedEarly) } else { try c.encodeNil(forKey: .stoppedEarly) }
            try c.encode(result.torn, forKey: .torn)
            if let expectation {
                try c.encode(expectation.rawValue, forKey: .expectation)
                try c.encode(result.meets(expectation), forKey: .expectationMet)
            }
        }
    }
}
