/// Writes a journal synchronously: append events, store pages, cut frames, close.
///
/// Records are encoded into the current frame; a frame is cut (compressed with one
/// `LZ4F_compressUpdate` and written) every `maxEventsPerFrame` events or `maxFrameBytes`
/// raw bytes, on `cutFrame()`, or on `flushIfOlderThan`. A crash loses at most the current
/// frame. `close()` writes the index and summary trailer and marks the journal complete.
/// Not thread-safe: one owner (see `BackgroundJournalWriter` for compression off-thread).
public final class JournalWriter {
    private var builder: FrameBuilder
    private let frames: FrameWriter
    private var closed = false

    /// Starts a journal on `sink`: writes the empty LZ4 frame, the header and the
    /// `incomplete` lifecycle marker.
    public init(sink: any JournalSink, header: JournalHeader, options: JournalWriterOptions = .init()) throws(JournalError) {
        builder = FrameBuilder(options: options)
        frames = FrameWriter(sink: sink, options: options)
        try frames.writePreamble(header: header)
    }

    /// Starts a journal in a new file at `path` (truncating an existing one).
    public convenience init(path: String, header: JournalHeader, options: JournalWriterOptions = .init()) throws(JournalError) {
        let sink: FileJournalSink
        do { sink = try FileJournalSink(path: path) } catch {
            throw .writeFailed(JournalWriteFailure(destination: path, offset: 0, reason: "\(error)",
                                                   lastWrittenSequence: nil, eventsWritten: 0))
        }
        try self.init(sink: sink, header: header, options: options)
    }

    /// Bytes written to the sink so far.
    public var bytesWritten: UInt64 { frames.offset }
    /// Events in frames already written.
    public var eventsWritten: UInt64 { frames.eventsWritten }

    /// Appends one event; cuts the frame when it is full.
    public func append(_ record: JournalRecord) throws(JournalError) {
        guard !closed else { throw .writerClosed }
        if let failure = frames.failure { throw .writeFailed(failure) }
        builder.append(record)
        if builder.isFull { try cutFrame() }
    }

    /// Appends one event.
    public func append(sequence: UInt64, time: UInt64, _ event: JournalEvent) throws(JournalError) {
        try append(JournalRecord(sequence: sequence, time: time, event: event))
    }

    /// Stores a page of guest memory (once per distinct content) and returns its key.
    /// Call it before appending the event that references the page.
    public func storePage(_ content: [UInt8]) throws(JournalError) -> PageKey {
        try storePage(content, basis: nil)
    }

    /// Stores a page, as a patch against `basis` (the key of an earlier content of the same
    /// guest page) when that is smaller.
    public func storePage(_ content: [UInt8], basis: PageKey?) throws(JournalError) -> PageKey {
        guard !closed else { throw .writerClosed }
        if let failure = frames.failure { throw .writeFailed(failure) }
        let key = content.withUnsafeBytes { builder.storePage($0, basis: basis) }
        if builder.isFull { try cutFrame() }
        return key
    }

    /// Stores a page under a given key (salvage copies pages verbatim).
    func storePage(_ key: PageKey, _ content: [UInt8]) throws(JournalError) {
        guard !closed else { throw .writerClosed }
        content.withUnsafeBytes { builder.storePage(key, $0) }
        if builder.isFull { try cutFrame() }
    }

    /// Writes the current frame now (no-op when it is empty).
    public func cutFrame() throws(JournalError) {
        guard let frame = builder.takeFrame() else { return }
        try frames.write(frame)
    }

    /// Cuts the current frame if its first event is at least `maxAge` ns older than `now`
    /// (both on the clock of the events' timestamps; the writer never reads a clock).
    /// Returns whether a frame was cut.
    @discardableResult
    public func flushIfOlderThan(_ maxAge: UInt64, now: UInt64) throws(JournalError) -> Bool {
        guard let since = builder.pendingSince, now >= since, now - since >= maxAge else { return false }
        try cutFrame()
        return true
    }

    /// Writes the last frame and the trailer, marks the journal complete and closes the sink.
    @discardableResult
    public func close() throws(JournalError) -> JournalSummary {
        guard !closed else { throw .writerClosed }
        closed = true
        try cutFrame()
        let summary = builder.summary.finished()
        try frames.finish(summary: summary)
        return summary
    }
}
