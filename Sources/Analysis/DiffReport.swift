import Foundation

/// One difference between two journals: an output (or an input's result) that one journal
/// has and the other has not, or has with other fields.
public struct Difference: Sendable, Hashable, Codable {
    /// What it is about.
    public var category: DiffCategory
    /// Kind name of the differing event ("scheduler-decision", "mmio-read" …).
    public var kind: String
    /// The vGPU concerned, if any.
    public var vgpu: UInt32?
    /// Sequence of the entry's input in A (nil: an input B alone has).
    public var inputA: UInt64?
    /// Sequence of the entry's input in B (nil: an input A alone has).
    public var inputB: UInt64?
    /// The entry's input, as a dump line.
    public var input: String
    /// Sequence of the differing record in A (nil: A has no such record).
    public var sequenceA: UInt64?
    /// Sequence of the differing record in B (nil: B has no such record).
    public var sequenceB: UInt64?
    /// A's record (nil: none).
    public var a: String?
    /// B's record (nil: none).
    public var b: String?
    /// Where the difference sits in A (its record, else the A record it follows): orders differences.
    public var position: UInt64

    /// Two or three lines: where, then "- A …" and "+ B …".
    public var description: String {
        var text = "\(category.rawValue) \(kind)"
        if let vgpu { text += " vgpu \(vgpu)" }
        text += " in the entry of " + (inputA.map { "A #\($0)" } ?? "") + (inputA != nil && inputB != nil ? " / " : "")
            + (inputB.map { "B #\($0)" } ?? "") + ": \(input)"
        text += "\n  - A " + (sequenceA.map { "#\($0) " } ?? "") + (a ?? "(nothing)")
        text += "\n  + B " + (sequenceB.map { "#\($0) " } ?? "") + (b ?? "(nothing)")
        return text
    }
}

/// The differences of one category.
public struct CategorySummary: Sendable, Hashable, Codable {
    /// The category.
    public var category: DiffCategory
    /// How many differences.
    public var count: UInt64
    /// The first few (by position in A).
    public var examples: [Difference]
}

/// How the two journals were aligned.
public enum DiffMode: String, Sendable, Codable, CaseIterable {
    /// Same inputs: entry by entry, in input order.
    case aligned
    /// Different inputs: per vGPU and input kind, by a longest common subsequence in windows.
    case unaligned
}

/// What `gvtrr diff` found.
public struct DiffReport: Sendable, Codable {
    /// The two journals.
    public var fileA: String, fileB: String
    /// How they were aligned, and why.
    public var mode: DiffMode
    /// Why this mode ("same input stream" or where the inputs first differ).
    public var modeReason: String
    /// Entries read from each journal.
    public var entriesA: UInt64 = 0, entriesB: UInt64 = 0
    /// Records read from each journal.
    public var recordsA: UInt64 = 0, recordsB: UInt64 = 0
    /// Entries paired with an entry of the other journal.
    public var matchedEntries: UInt64 = 0
    /// Differences in all (in the categories asked for).
    public var differences: UInt64 = 0
    /// The first difference (by position in A).
    public var first: Difference?
    /// The records of A before the first difference, as dump lines.
    public var context: [String] = []
    /// Per category, in category order (only categories with differences).
    public var categories: [CategorySummary] = []
    /// The categories reported (all when empty).
    public var filter: [DiffCategory] = []

    /// Whether the journals behave the same (in the categories asked for).
    public var same: Bool { differences == 0 }

    /// The report as text for a terminal.
    public var text: String {
        var lines: [String] = []
        let modeText = mode == .aligned ? "aligned entry by entry (same inputs)" : "unaligned: per vGPU and input kind (inputs differ)"
        lines.append("diff \(fileA) \(fileB): \(modeText); \(modeReason)")
        lines.append("  A: \(entriesA) entries, \(recordsA) records; B: \(entriesB) entries, \(recordsB) records; "
                     + "\(matchedEntries) entries paired")
        if !filter.isEmpty { lines.append("  categories: " + filter.map(\.rawValue).joined(separator: ", ")) }
        guard let first else {
            lines.append("no difference in behaviour")
            return lines.joined(separator: "\n")
        }
        lines.append("\(differences) difference\(differences == 1 ? "" : "s"); the first:")
        if !context.isEmpty {
            lines.append("  context (A):")
            lines += context.map { "    " + $0 }
        }
        lines += first.description.split(separator: "\n").map { "  " + $0 }
        lines.append("summary by category:")
        for summary in categories {
            lines.append("  \(summary.category.title) [\(summary.category.rawValue)]: \(summary.count)")
            for example in summary.examples {
                lines += example.description.split(separator: "\n").map { "    " + $0 }
            }
            if summary.count > UInt64(summary.examples.count) {
                lines.append("    … \(summary.count - UInt64(summary.examples.count)) more")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The report as JSON (sorted keys, for CI).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Collects differences: counts per category, the first few of each, the first overall;
/// memory stays bounded whatever the number of differences.
extension DiffReport {
    /// A report of `mode` over the two journals' entry readers, what was paired and what the
    /// tally counted (both alignment modes end this way).
    init(fileA: String, fileB: String, mode: DiffMode, modeReason: String, a: EntryReader, b: EntryReader,
         matched: UInt64, tally: DifferenceTally) {
        self.init(fileA: fileA, fileB: fileB, mode: mode, modeReason: modeReason)
        entriesA = a.entries
        entriesB = b.entries
        recordsA = a.records
        recordsB = b.records
        matchedEntries = matched
        differences = tally.total
        first = tally.first
        categories = tally.summaries
    }
}

struct DifferenceTally {
    let filter: Set<DiffCategory>
    let examplesPerCategory: Int
    private(set) var total: UInt64 = 0
    private(set) var first: Difference?
    private var counts: [DiffCategory: UInt64] = [:]
    private var examples: [DiffCategory: [Difference]] = [:]

    init(filter: Set<DiffCategory>, examplesPerCategory: Int) {
        self.filter = filter
        self.examplesPerCategory = examplesPerCategory
    }

    /// Counts a difference of `category` at `position`; `make` builds it (its text costs)
    /// only when it is kept as the first difference or as an example.
    mutating func add(_ category: DiffCategory, at position: UInt64, _ make: () -> Difference) {
        guard filter.isEmpty || filter.contains(category) else { return }
        total &+= 1
        counts[category, default: 0] &+= 1
        let isFirst = first.map { position < $0.position } ?? true
        let list = examples[category, default: []]
        let isExample = list.count < examplesPerCategory || position < list.last!.position
        guard isFirst || isExample else { return }
        let difference = make()
        if isFirst { first = difference }
        if isExample { insert(difference, into: list) }
    }

    /// Counts `difference`.
    mutating func add(_ difference: Difference) {
        add(difference.category, at: difference.position) { difference }
    }

    private mutating func insert(_ difference: Difference, into list: [Difference]) {
        var list = list
        do {
            let at = list.firstIndex { difference.position < $0.position } ?? list.count
            list.insert(difference, at: at)
            if list.count > examplesPerCategory { list.removeLast() }
            examples[difference.category] = list
        }
    }

    var summaries: [CategorySummary] {
        counts.keys.sorted().map { CategorySummary(category: $0, count: counts[$0]!, examples: examples[$0] ?? []) }
    }
}
