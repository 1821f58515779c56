import Journal

/// What `gvtrr diff` is asked to do.
public struct DiffOptions: Sendable {
    /// Which alignment to use.
    public enum ModeChoice: String, Sendable, CaseIterable {
        /// Aligned when the input streams agree, else unaligned.
        case auto
        /// Entry by entry (inputs that disagree are reported as inputs in one journal only).
        case aligned
        /// Per vGPU and input kind.
        case unaligned
    }
    /// Records of A shown before the first difference.
    public var context = 5
    /// Categories reported (empty: all).
    public var categories: Set<DiffCategory> = []
    /// The alignment.
    public var mode = ModeChoice.auto
    /// Differences kept as examples per category.
    public var examplesPerCategory = 5
    /// Inputs per lane and journal aligned at once in the unaligned mode (memory bound).
    public var window = 512
    /// Default options.
    public init() {}
}

/// Compares the behaviour recorded in two journals (GVT's outputs and the values it returned),
/// streaming both with `JournalCursor`: memory stays bounded whatever their length.
///
/// With the same inputs (a recording and a replay of it with `--emit`, or two emits) the
/// journals are aligned entry by entry in input order; with different inputs (two live
/// captures) per vGPU and input kind by a windowed longest common subsequence, so that an
/// inserted or deleted input does not make everything after it differ.
public enum JournalDiff {
    /// Diffs the journals at `pathA` and `pathB`; throws when either cannot be read (damage
    /// included: the error names the file and the offset).
    public static func run(_ pathA: String, _ pathB: String, options: DiffOptions = DiffOptions()) throws(JournalError) -> DiffReport {
        let readerA = try JournalReader(path: pathA)
        let readerB = try JournalReader(path: pathB)
        return try run(readerA, readerB, nameA: pathA, nameB: pathB, options: options)
    }

    /// Diffs two open journals.
    public static func run(_ readerA: JournalReader, _ readerB: JournalReader, nameA: String, nameB: String,
                           options: DiffOptions = DiffOptions()) throws(JournalError) -> DiffReport {
        var report: DiffReport
        switch options.mode {
        case .aligned:
            report = try aligned(readerA, readerB, nameA, nameB, options, fallBack: false)!
        case .unaligned:
            report = try UnalignedDiff(options: options).run(readerA, readerB, nameA, nameB,
                                                             reason: "unaligned mode asked for")
        case .auto:
            if let done = try aligned(readerA, readerB, nameA, nameB, options, fallBack: true) {
                report = done
            } else {
                let reason = try firstInputDifference(readerA, readerB)
                report = try UnalignedDiff(options: options).run(readerA, readerB, nameA, nameB, reason: reason)
            }
        }
        report.filter = options.categories.sorted()
        if let first = report.first, options.context > 0 {
            report.context = try context(readerA, before: first, count: options.context)
        }
        return report
    }

    /// The aligned mode; nil when `fallBack` and the input streams disagree.
    static func aligned(_ readerA: JournalReader, _ readerB: JournalReader, _ nameA: String, _ nameB: String,
                        _ options: DiffOptions, fallBack: Bool) throws(JournalError) -> DiffReport? {
        let a = try EntryReader(reader: readerA, path: nameA)
        let b = try EntryReader(reader: readerB, path: nameB)
        var tally = DifferenceTally(filter: options.categories, examplesPerCategory: options.examplesPerCategory)
        var matched: UInt64 = 0
        var lastA: UInt64 = 0
        while true {
            let ea = try a.next(), eb = try b.next()
            if ea == nil && eb == nil { break }
            if let ea, let eb, sameInput(ea, eb) {
                EntryComparison.compare(ea, eb, into: &tally)
                matched &+= 1
                lastA = ea.outputs.last?.sequence ?? ea.firstSequence ?? lastA
                continue
            }
            if fallBack { return nil }
            if let ea { EntryComparison.only(ea, side: .a, position: ea.firstSequence ?? lastA, into: &tally) }
            if let eb { EntryComparison.only(eb, side: .b, position: lastA, into: &tally) }
            if let ea { lastA = ea.outputs.last?.sequence ?? ea.firstSequence ?? lastA }
        }
        return DiffReport(fileA: nameA, fileB: nameB, mode: .aligned,
                          modeReason: options.mode == .aligned ? "aligned mode asked for" : "same input stream",
                          a: a, b: b, matched: matched, tally: tally)
    }

    static func sameInput(_ a: JournalEntry, _ b: JournalEntry) -> Bool {
        switch (a.input, b.input) {
        case (nil, nil): true
        case let (x?, y?): InputIdentity.same(x.event, y.event)
        default: false
        }
    }

    /// Where the input streams first disagree, as a sentence.
    static func firstInputDifference(_ readerA: JournalReader, _ readerB: JournalReader) throws(JournalError) -> String {
        let a = try readerA.records(), b = try readerB.records()
        var count: UInt64 = 0
        func nextInput(_ cursor: JournalCursor) throws(JournalError) -> JournalRecord? {
            while let record = try cursor.next() { if record.event.isInput { return record } }
            return nil
        }
        while true {
            let x = try nextInput(a), y = try nextInput(b)
            count &+= 1
            switch (x, y) {
            case (nil, nil): return "the input streams agree"
            case let (x?, nil): return "A has more inputs (from A #\(x.sequence), input \(count))"
            case let (nil, y?): return "B has more inputs (from B #\(y.sequence), input \(count))"
            case let (x?, y?):
                if !InputIdentity.same(x.event, y.event) {
                    return "the inputs first differ at input \(count): A #\(x.sequence) \(EventDetail.line(x.event)) / "
                        + "B #\(y.sequence) \(EventDetail.line(y.event))"
                }
            }
        }
    }

    /// The records of A before `difference` (up to and including the record it follows when
    /// A has no record of its own), as dump lines.
    static func context(_ reader: JournalReader, before difference: Difference, count: Int) throws(JournalError) -> [String] {
        let end = difference.sequenceA.map { $0 &- 1 } ?? difference.position
        guard end > 0 else { return [] }
        let start = end > UInt64(count) ? end - UInt64(count) + 1 : 1
        let cursor = try reader.records(from: start)
        var lines: [String] = []
        while let record = try cursor.next(), record.sequence <= end {
            lines.append(EventDetail.line(record))
        }
        return Array(lines.suffix(count))
    }
}

/// Compares two entries with the same input: the input's result, then the outputs aligned
/// by a longest common subsequence; unmatched outputs of one kind on both sides pair up as
/// changed records.
enum EntryComparison {
    enum Side { case a, b }

    /// Outputs per entry beyond which the alignment gives up and compares by position.
    static let maxEdits = 4096

    static func compare(_ a: JournalEntry, _ b: JournalEntry, into tally: inout DifferenceTally) {
        var inputText: String { a.input.map { EventDetail.line($0.event) } ?? "(outputs before the first input)" }
        func add(_ x: JournalRecord?, _ y: JournalRecord?, after: UInt64) {
            let event = (x ?? y)!.event
            tally.add(DiffCategory.of(event), at: x?.sequence ?? after) { make(x, y, after: after) }
        }
        func make(_ x: JournalRecord?, _ y: JournalRecord?, after: UInt64) -> Difference {
            let event = (x ?? y)!.event
            return Difference(category: DiffCategory.of(event), kind: JournalEventKind.name(of: event.kindID), vgpu: event.vgpu,
                              inputA: a.input?.sequence, inputB: b.input?.sequence, input: inputText,
                              sequenceA: x?.sequence, sequenceB: y?.sequence, a: x.map { EventDetail.line($0.event) },
                              b: y.map { EventDetail.line($0.event) }, position: x?.sequence ?? after)
        }
        if let x = a.input, let y = b.input, !InputIdentity.sameResult(x.event, y.event) {
            add(x, y, after: x.sequence)
        }
        let (oa, ob) = (a.outputs, b.outputs)
        if oa.count == ob.count && zip(oa, ob).allSatisfy({ $0.event == $1.event }) { return }
        let steps = SequenceAlignment.align(oa.count, ob.count, maxEdits: maxEdits) { oa[$0].event == ob[$1].event }
            ?? (0..<max(oa.count, ob.count)).flatMap { k -> [SequenceAlignment.Step] in
                (k < oa.count ? [.onlyA(k)] : []) + (k < ob.count ? [.onlyB(k)] : [])
            }
        var after = a.input?.sequence ?? 0
        var runA: [Int] = [], runB: [Int] = []
        func flush() {
            var usedB = [Bool](repeating: false, count: runB.count)
            for i in runA {
                let kind = oa[i].event.kindID
                if let j = runB.indices.first(where: { !usedB[$0] && ob[runB[$0]].event.kindID == kind }) {
                    usedB[j] = true
                    add(oa[i], ob[runB[j]], after: after)
                } else {
                    add(oa[i], nil, after: after)
                }
            }
            for (j, index) in runB.enumerated() where !usedB[j] { add(nil, ob[index], after: runA.last.map { oa[$0].sequence } ?? after) }
            runA.removeAll()
            runB.removeAll()
        }
        for step in steps {
            switch step {
            case let .match(i, _):
                flush()
                after = oa[i].sequence
            case let .onlyA(i): runA.append(i)
            case let .onlyB(j): runB.append(j)
            }
        }
        flush()
    }

    /// An entry that only one journal has: one difference for its input (or its outputs
    /// when it has none).
    static func only(_ entry: JournalEntry, side: Side, position: UInt64, into tally: inout DifferenceTally) {
        guard let record = entry.input ?? entry.outputs.first else { return }
        let category: DiffCategory = entry.input == nil ? DiffCategory.of(record.event) : .inputs
        let at = side == .a ? record.sequence : position
        tally.add(category, at: at) {
            let text = EventDetail.line(record.event)
            let outputs = entry.outputs.count
            let detail = text + (outputs > 0 ? " (and its \(outputs) output\(outputs == 1 ? "" : "s"))" : "")
            return Difference(category: category, kind: JournalEventKind.name(of: record.event.kindID), vgpu: record.event.vgpu,
                              inputA: side == .a ? entry.input?.sequence : nil, inputB: side == .b ? entry.input?.sequence : nil,
                              input: text, sequenceA: side == .a ? record.sequence : nil,
                              sequenceB: side == .b ? record.sequence : nil, a: side == .a ? detail : nil,
                              b: side == .b ? detail : nil, position: at)
        }
    }
}
