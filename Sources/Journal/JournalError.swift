/// Everything that can go wrong reading or writing a journal; each case says what, where
/// and what to do next.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case cannotRead(path: String, reason: String)
    /// The bytes are not a gvt-rr journal.
    case notAJournal(path: String, reason: String)
    /// The journal's format version is outside what this build reads.
    case unsupportedVersion(path: String, found: UInt32, minimumReadable: UInt32, current: UInt32)
    /// The journal is damaged; everything before `damage.offset` is readable.
    case damaged(JournalDamage)
    /// Writing failed; the journal is readable up to the last complete frame.
    case writeFailed(JournalWriteFailure)
    /// liblz4 refused to compress (should not happen with valid preferences).
    case compressionFailed(String)
    /// The writer was used after `close()` or after a write failure.
    case writerClosed
    /// No page with this key is in the journal.
    case pageNotFound(PageKey)

    /// What, where, and what to do next.
    public var description: String {
        switch self {
        case let .cannotRead(path, reason):
            "cannot read journal \(path): \(reason)"
        case let .notAJournal(path, reason):
            "\(path) is not a gvt-rr journal: \(reason)"
        case let .unsupportedVersion(path, found, minimum, current):
            found > current
                ? "\(path) is journal format version \(found); this gvtrr reads versions \(minimum) to \(current): use a newer gvtrr"
                : "\(path) is journal format version \(found), older than the oldest this gvtrr reads (\(minimum)): use an older gvtrr"
        case let .damaged(damage):
            damage.description
        case let .writeFailed(failure):
            failure.description
        case let .compressionFailed(reason):
            "liblz4 could not compress a frame: \(reason)"
        case .writerClosed:
            "the journal writer is closed"
        case let .pageNotFound(key):
            "\(key) is not in the journal's page store"
        }
    }
}

/// Where and why a journal stops being readable.
public struct JournalDamage: Sendable, Equatable, CustomStringConvertible {
    /// The journal's path (or a description of the source).
    public var path: String
    /// Byte offset of the first bad byte (the start of the first frame that does not verify).
    public var offset: UInt64
    /// The file's size.
    public var fileSize: UInt64
    /// What is wrong there.
    public var reason: String
    /// Sequence number of the last event before the damage, if any.
    public var lastGoodSequence: UInt64?
    /// Timestamp of that event.
    public var lastGoodTime: UInt64?
    /// Number of events readable before the damage.
    public var eventsBefore: UInt64

    /// A damage report.
    public init(path: String, offset: UInt64, fileSize: UInt64, reason: String,
                lastGoodSequence: UInt64?, lastGoodTime: UInt64?, eventsBefore: UInt64) {
        self.path = path
        self.offset = offset
        self.fileSize = fileSize
        self.reason = reason
        self.lastGoodSequence = lastGoodSequence
        self.lastGoodTime = lastGoodTime
        self.eventsBefore = eventsBefore
    }

    /// "journal X is damaged at byte offset N of M: reason; last good event #S (t=T ns), K events readable".
    public var description: String {
        let last = lastGoodSequence.map { "the last good event is #\($0) (t=\(lastGoodTime ?? 0) ns)" } ?? "no event precedes it"
        return "journal \(path) is damaged at byte offset \(offset) of \(fileSize): \(reason); \(last); "
            + "\(eventsBefore) events before the damage are readable"
    }
}

/// A write that failed, and what of the capture is safe.
public struct JournalWriteFailure: Sendable, Equatable, CustomStringConvertible {
    /// Where the journal goes.
    public var destination: String
    /// Byte offset at which the failed write started.
    public var offset: UInt64
    /// The system's reason ("No space left on device").
    public var reason: String
    /// The last event sequence number in a complete frame on disk, if any.
    public var lastWrittenSequence: UInt64?
    /// Number of events in complete frames on disk.
    public var eventsWritten: UInt64

    /// A failure report.
    public init(destination: String, offset: UInt64, reason: String, lastWrittenSequence: UInt64?, eventsWritten: UInt64) {
        self.destination = destination
        self.offset = offset
        self.reason = reason
        self.lastWrittenSequence = lastWrittenSequence
        self.eventsWritten = eventsWritten
    }

    /// What failed, what is safe, what to do.
    public var description: String {
        let safe = lastWrittenSequence.map { "events up to #\($0) (\(eventsWritten) events) are in the journal" }
            ?? "no event reached the journal"
        return "writing journal \(destination) failed at byte offset \(offset): \(reason); \(safe), "
            + "later events were not written; the journal is readable up to the last complete frame "
            + "(run `gvtrr verify \(destination) --salvage FIXED.gvtj` to make a complete copy)"
    }
}
