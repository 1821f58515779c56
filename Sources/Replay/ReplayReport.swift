import Journal

/// A place where replay and the recording disagree: the first output (or returned value)
/// of an entry that differs.
public struct Divergence: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Sequence number of the recorded event that differs (for an output the recording does
    /// not have, the sequence of the input that caused it).
    public var sequence: UInt64
    /// Sequence number of the input whose entry diverged.
    public var inputSequence: UInt64
    /// The input, as a dump line.
    public var input: String
    /// Kind name of the differing event ("mmio-read", "ggtt-write" …).
    public var kind: String
    /// The vGPU concerned, if any.
    public var vgpu: UInt32?
    /// The engine concerned, if any (0 rcs, 1 bcs, 2 vcs, 3 vecs).
    public var engine: UInt8?
    /// What the recording says (nil: the recording has no such output).
    public var recorded: String?
    /// What replay produced (nil: replay produced no such output).
    public var replayed: String?
    /// The few records before it, oldest first, as dump lines (context for a person).
    public var context: [String] = []

    public var description: String {
        var text = "divergence at #\(sequence) (\(kind)"
        if let vgpu { text += ", vgpu \(vgpu)" }
        if let engine { text += ", engine \(EventText.engineName(engine))" }
        text += ") after input #\(inputSequence) \(input)\n"
        text += "  recorded: \(recorded ?? "(nothing)")\n"
        text += "  replayed: \(replayed ?? "(nothing)")"
        return text
    }
}

/// What a replay found about the run: its verdicts.
public struct Verdict: Hashable, Sendable, Codable {
    /// The kinds `--expect` knows.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case clean, hang, isolation, failsafe, reset
    }
    /// Sequence number of the event behind the verdict.
    public var seq: UInt64
    /// What it is.
    public var kind: Kind
    /// The vGPU concerned (nil: none, or the host).
    public var vgpu: UInt32?
    /// One line a person can act on.
    public var detail: String

    /// JSON with every key present (`vgpu` null when there is none).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(kind, forKey: .kind)
        try c.encode(vgpu, forKey: .vgpu)
        try c.encode(detail, forKey: .detail)
    }
}

/// The outcome of a replay.
public struct ReplayResult: Sendable {
    /// Records replayed (inputs and outputs).
    public var events: UInt64 = 0
    /// Inputs performed.
    public var inputs: UInt64 = 0
    /// Divergences found (the first, or all with `keepGoing`).
    public var divergences: [Divergence] = []
    /// Verdicts, in order.
    public var verdicts: [Verdict] = []
    /// Why the replay stopped before the end (`until`, damage, a stop at the first divergence).
    public var stoppedEarly: String?
    /// Notes said up front (version or configuration differences, an incomplete journal).
    public var notes: [String] = []
    /// Sequence of the last record replayed.
    public var lastSequence: UInt64 = 0
    /// Hang reports (one per hang verdict replay could examine), in order.
    public var hangs: [HangDiagnosis] = []
    /// Isolation reports (one per isolation verdict), in order.
    public var isolations: [IsolationDiagnosis] = []
    /// Whether the journal was cut (torn or damaged) before its end.
    public var torn = false

    /// Sequence of the first divergence, or nil.
    public var firstDivergence: UInt64? { divergences.first?.sequence }

    /// Whether any divergence was found.
    public var diverged: Bool { !divergences.isEmpty }

    /// Whether the verdicts meet `expectation`: `clean` means no hang, isolation or
    /// failsafe verdict; any other kind means at least one verdict of that kind.
    public func meets(_ expectation: Verdict.Kind) -> Bool {
        switch expectation {
        case .clean: !verdicts.contains { $0.kind == .hang || $0.kind == .isolation || $0.kind == .failsafe }
        default: verdicts.contains { $0.kind == expectation }
        }
    }
}
