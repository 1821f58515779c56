import Journal
import Recorder

/// Where replay's own recorder writes: the records of the current entry, kept for comparison
/// with the journal, and (with `--emit`) a journal of the replay.
final class CaptureSink: JournalAppending {
    /// Records produced since the last `take()`.
    private(set) var records: [JournalRecord] = []
    /// The emitted journal, if any.
    let emit: (any JournalAppending)?
    /// Records produced in all.
    private(set) var produced: UInt64 = 0

    init(emit: (any JournalAppending)?) { self.emit = emit }

    func append(_ record: JournalRecord) throws(JournalError) {
        records.append(record)
        produced &+= 1
        try emit?.append(record)
    }

    func storePage(_ content: [UInt8]) throws(JournalError) -> PageKey { try storePage(content, basis: nil) }

    func storePage(_ content: [UInt8], basis: PageKey?) throws(JournalError) -> PageKey {
        if let emit { return try emit.storePage(content, basis: basis) }
        return PageKey(hash: 0, variant: 0)  // not compared: the content is the recorded one
    }

    /// The records of the entry just performed; the buffer is empty afterwards.
    func take() -> [JournalRecord] {
        defer { records.removeAll(keepingCapacity: true) }
        return records
    }
}
