/// Settings of a journal writer.
public struct JournalWriterOptions: Sendable {
    /// Cut a frame after this many events (bounds what a crash can lose).
    public var maxEventsPerFrame: Int = 4096
    /// Cut a frame once its raw records reach this many bytes.
    public var maxFrameBytes: Int = 256 << 10
    /// liblz4 compression level (0 = fast, like `lz4 -1`).
    public var compressionLevel: Int32 = 0
    /// Bytes of recent page contents kept to verify hash hits before reusing a key.
    public var pageCacheBytes: Int = 16 << 20
    /// Frames the background writer may hold before `append` blocks.
    public var queuedFrames: Int = 8
    /// Seconds (wall clock) the background writer lets a frame's first record wait before it
    /// cuts the frame on its own, so that a crash of the capture loses at most this much;
    /// nil: only by size. `JournalWriter` has no thread: drive `flushIfOlderThan` instead.
    public var maxFrameAge: Double? = 0.2
    /// The page hash (xxHash64; tests inject a colliding one).
    var pageHash: @Sendable (UnsafeRawBufferPointer) -> UInt64 = { XXHash64.hash($0) }

    /// Default options: 4096 events or 256 KiB or 0.2 s per frame, fast compression.
    public init() {}
}

/// A frame's raw records, ready to compress, with what the index needs to know about it.
struct PendingFrame: Sendable {
    var raw: [UInt8]
    var events: UInt64
    var firstSequence: UInt64
    var lastSequence: UInt64
    var firstTime: UInt64
    var lastTime: UInt64
    var pages: [PageKey]
}

/// The caller-side half of a writer: encodes records and pages into the current frame's raw
/// bytes, decides when to cut, deduplicates pages and keeps the summary. No I/O.
struct FrameBuilder {
    let options: JournalWriterOptions
    private var encoder = RecordEncoder()
    private var raw: [UInt8] = []
    private var events: UInt64 = 0
    private var firstSequence: UInt64 = 0
    private var firstTime: UInt64 = 0
    private var lastTime: UInt64 = 0
    private var pages: [PageKey] = []
    private var dedup: PageDeduplicator
    /// Patch chain depth of the pages stored lately (forgotten wholesale past 64 Ki keys, so
    /// memory stays bounded; a forgotten basis just means the next page is stored whole).
    private var chainDepth: [PageKey: UInt8] = [:]
    private(set) var lastSequence: UInt64?
    private(set) var summary = SummaryBuilder()

    init(options: JournalWriterOptions) {
        precondition(options.maxEventsPerFrame > 0 && options.maxFrameBytes > 0, "frame limits must be positive")
        self.options = options
        dedup = PageDeduplicator(cacheBytes: options.pageCacheBytes, hash: options.pageHash)
        raw.reserveCapacity(options.maxFrameBytes + 4096)
    }

    /// Whether the current frame holds nothing.
    var isEmpty: Bool { raw.isEmpty }

    /// Timestamp of the first event of the current frame, if it holds one.
    var pendingSince: UInt64? { events > 0 ? firstTime : nil }

    /// Whether the current frame has reached a limit.
    var isFull: Bool { events >= UInt64(options.maxEventsPerFrame) || raw.count >= options.maxFrameBytes }

    /// Encodes one event. Precondition: sequence numbers strictly increase through the journal.
    mutating func append(_ record: JournalRecord) {
        if let last = lastSequence {
            precondition(record.sequence > last, "journal sequence numbers must strictly increase (\(record.sequence) after \(last))")
        }
        if events == 0 {
            firstSequence = record.sequence
            firstTime = record.time
        }
        encoder.encode(record, into: &raw)
        events += 1
        lastSequence = record.sequence
        lastTime = record.time
        summary.add(record)
    }

    /// The key of `content`, encoding a page record first if it is not stored yet: as a
    /// patch against `basis` (an earlier content of the same guest page) when that is still
    /// cached, its patch chain is short and the patch is less than half the page.
    mutating func storePage(_ content: UnsafeRawBufferPointer, basis: PageKey? = nil) -> PageKey {
        let (key, isNew) = dedup.key(for: content)
        guard isNew else { return key }
        if let basis, basis != key, let depth = patchDepth(basis), depth < Self.maxPatchChain,
           let base = dedup.content(of: basis), base.count == content.count {
            let patch = base.withUnsafeBytes { PagePatch.make(from: $0, to: content) }
            if patch.count < content.count / 2 {
                encoder.encodePagePatch(key, base: basis, patch: patch, into: &raw)
                pages.append(key)
                summary.addPage(bytes: patch.count)  // bytes stored for the page, as a scan counts them
                if chainDepth.count >= 1 << 16 { chainDepth.removeAll(keepingCapacity: true) }
                chainDepth[key] = depth + 1
                return key
            }
        }
        encodePage(key, content)
        return key
    }

    /// Longest chain of patches a reader follows to rebuild a page.
    static let maxPatchChain: UInt8 = 16

    /// How many patches lie between `key` and a whole stored page (0: stored whole), or nil
    /// if this writer did not store it.
    private func patchDepth(_ key: PageKey) -> UInt8? { chainDepth[key] }

    /// Encodes a page under a key chosen elsewhere (salvage).
    mutating func storePage(_ key: PageKey, _ content: UnsafeRawBufferPointer) {
        dedup.register(key, content: content)
        encodePage(key, content)
    }

    private mutating func encodePage(_ key: PageKey, _ content: UnsafeRawBufferPointer) {
        if chainDepth.count >= 1 << 16 { chainDepth.removeAll(keepingCapacity: true) }
        chainDepth[key] = 0
        encoder.encodePage(key, content: content, into: &raw)
        pages.append(key)
        summary.addPage(bytes: content.count)
    }

    /// Takes the current frame (nil if empty) and starts a new one.
    mutating func takeFrame() -> PendingFrame? {
        guard !raw.isEmpty else { return nil }
        let previous = lastSequence ?? 0
        let frame = PendingFrame(raw: raw, events: events,
                                 firstSequence: events > 0 ? firstSequence : previous,
                                 lastSequence: events > 0 ? (lastSequence ?? 0) : previous,
                                 firstTime: events > 0 ? firstTime : lastTime, lastTime: lastTime, pages: pages)
        summary.addFrame(rawBytes: raw.count)
        raw.removeAll(keepingCapacity: true)
        pages.removeAll(keepingCapacity: true)
        events = 0
        encoder.startFrame()
        return frame
    }
}

/// The I/O half of a writer: compresses frames, writes them through the sink, keeps the
/// index, and writes the preamble and the trailer. Owned by one thread at a time.
final class FrameWriter {
    let sink: any JournalSink
    private let compressor: LZ4FrameCompressor
    private(set) var offset: UInt64 = 0
    private(set) var index = JournalIndex()
    private(set) var eventsWritten: UInt64 = 0
    private(set) var lastWrittenSequence: UInt64?
    private(set) var failure: JournalWriteFailure?
    private var lifecycleOffset: UInt64 = 0

    init(sink: any JournalSink, options: JournalWriterOptions) {
        self.sink = sink
        compressor = LZ4FrameCompressor(level: options.compressionLevel)
    }

    /// Writes the empty LZ4 frame, the header and the `incomplete` lifecycle section.
    func writePreamble(header: JournalHeader) throws(JournalError) {
        var header = header
        header.formatVersion = JournalFormat.version
        var bytes: [UInt8]
        do { bytes = try compressor.emptyFrame() } catch { throw .compressionFailed(error.name) }
        bytes += JournalFormat.skippableFrame(.header, payload: header.encodedPayload())
        lifecycleOffset = UInt64(bytes.count)
        bytes += JournalFormat.lifecycleFrame(state: JournalFormat.incompleteState, endOffset: 0)
        try put(bytes)
    }

    /// Compresses and appends one frame, then records it in the index.
    func write(_ frame: PendingFrame) throws(JournalError) {
        let compressor = self.compressor
        let result = frame.raw.withUnsafeBytes { raw in Result { () throws(LZ4Failure) in try compressor.frame(raw) } }
        let compressed: [UInt8]
        switch result {
        case .success(let bytes): compressed = bytes
        case .failure(let failure): throw .compressionFailed(failure.name)
        }
        let at = offset
        try put(compressed)
        let frameIndex = index.frames.count
        index.frames.append(JournalIndex.Frame(
            offset: at, length: UInt64(compressed.count), rawLength: UInt64(frame.raw.count), events: frame.events,
            firstSequence: frame.firstSequence, lastSequence: frame.lastSequence, firstTime: frame.firstTime))
        for key in frame.pages { index.pages[key] = frameIndex }
        eventsWritten += frame.events
        if frame.events > 0 { lastWrittenSequence = frame.lastSequence }
    }

    /// Writes the trailer (index, pages, summary, end), syncs, then marks the journal complete.
    func finish(summary: JournalSummary) throws(JournalError) {
        var bytes: [UInt8] = []
        let indexAt = offset
        bytes += JournalFormat.skippableFrame(.index, payload: index.encodedPayload())
        let pagesAt = offset + UInt64(bytes.count)
        bytes += JournalFormat.skippableFrame(.pages, payload: index.encodedPagesPayload())
        let summaryAt = offset + UInt64(bytes.count)
        bytes += JournalFormat.skippableFrame(.summary, payload: JournalFormat.Section.summary.tag + Array(JournalJSON.encode(summary)))
        let endAt = offset + UInt64(bytes.count)
        var end = ByteWriter()
        end.bytes += JournalFormat.Section.end.tag
        end.u64le(indexAt); end.u64le(pagesAt); end.u64le(summaryAt); end.u64le(summary.events)
        bytes += JournalFormat.skippableFrame(.end, payload: end.bytes)
        try put(bytes)
        try perform { try sink.synchronize() }
        try perform {
            try sink.overwrite(JournalFormat.lifecycleFrame(state: JournalFormat.completeState, endOffset: endAt), at: lifecycleOffset)
        }
        try perform { try sink.synchronize() }
        try perform { try sink.close() }
    }

    private func put(_ bytes: [UInt8]) throws(JournalError) {
        try perform { try sink.append(bytes) }
        offset += UInt64(bytes.count)
    }

    /// Runs a sink call; the first failure is kept and every later call repeats it.
    private func perform(_ body: () throws -> Void) throws(JournalError) {
        if let failure { throw .writeFailed(failure) }
        do {
            try body()
        } catch {
            let failure = JournalWriteFailure(destination: sink.destination, offset: offset, reason: "\(error)",
                                              lastWrittenSequence: lastWrittenSequence, eventsWritten: eventsWritten)
            self.failure = failure
            throw .writeFailed(failure)
        }
    }
}
