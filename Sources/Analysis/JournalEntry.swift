import Journal

/// One entry of a journal: an input record and the outputs it caused (GVT's view: one trap
/// or timer, and what the mediator did about it). Outputs before the first input form an
/// entry without input.
public struct JournalEntry: Sendable, Hashable {
    /// The input record (with its result), nil for outputs before any input.
    public var input: JournalRecord?
    /// The outputs, in order.
    public var outputs: [JournalRecord]

    /// An entry.
    public init(input: JournalRecord?, outputs: [JournalRecord]) {
        self.input = input
        self.outputs = outputs
    }

    /// The first sequence number of the entry.
    public var firstSequence: UInt64? { input?.sequence ?? outputs.first?.sequence }
    /// Records in the entry.
    public var recordCount: Int { outputs.count + (input == nil ? 0 : 1) }
}

/// Reads a journal entry by entry through a `JournalCursor` (one frame in memory), counting
/// what it read. Damage is thrown once, as the cursor throws it.
public final class EntryReader {
    /// The journal's path (for messages).
    public let path: String
    private let cursor: JournalCursor
    private var lookahead: JournalRecord?
    private var finished = false
    /// Records read so far.
    public private(set) var records: UInt64 = 0
    /// Entries returned so far.
    public private(set) var entries: UInt64 = 0

    /// Entries of `reader`'s journal from the start.
    public init(reader: JournalReader, path: String) throws(JournalError) {
        self.path = path
        cursor = try reader.records()
    }

    private func read() throws(JournalError) -> JournalRecord? {
        if let record = lookahead {
            lookahead = nil
            return record
        }
        guard !finished else { return nil }
        guard let record = try cursor.next() else {
            finished = true
            return nil
        }
        records &+= 1
        return record
    }

    /// The next entry, nil at the end.
    public func next() throws(JournalError) -> JournalEntry? {
        guard let first = try read() else { return nil }
        var entry = JournalEntry(input: first.event.isInput ? first : nil, outputs: first.event.isInput ? [] : [first])
        while let record = try read() {
            if record.event.isInput {
                lookahead = record
                break
            }
            entry.outputs.append(record)
        }
        entries &+= 1
        return entry
    }
}
