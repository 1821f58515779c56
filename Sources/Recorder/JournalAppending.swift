import Journal

/// Where the recorder writes: a journal writer on this thread (`JournalWriter`, replay's
/// `--emit`) or one that compresses and writes on its own thread (`BackgroundJournalWriter`,
/// live capture), or an in-memory list in tests.
public protocol JournalAppending: AnyObject {
    /// Appends one record (blocks rather than drop when the writer is behind).
    func append(_ record: JournalRecord) throws(JournalError)
    /// Stores a page's content once and returns its key.
    func storePage(_ content: [UInt8]) throws(JournalError) -> PageKey
    /// Stores a page's content once, as a patch against `basis` (the key of the same guest
    /// page's previous content) when the writer finds that smaller.
    func storePage(_ content: [UInt8], basis: PageKey?) throws(JournalError) -> PageKey
}

extension JournalAppending {
    /// Sinks that store only whole pages ignore the basis.
    public func storePage(_ content: [UInt8], basis: PageKey?) throws(JournalError) -> PageKey {
        try storePage(content)
    }
}

extension JournalWriter: JournalAppending {}
extension BackgroundJournalWriter: JournalAppending {}
