import Foundation

/// A journal writer whose compression and I/O run on a thread of its own.
///
/// Callers (any thread; calls are serialised by a lock) encode events into the current
/// frame; full frames go through a bounded queue to the writer thread. The writer thread also
/// cuts a frame whose first record has waited `options.maxFrameAge` seconds, so a crash of
/// the capture loses at most that much even when events trickle in. When the disk cannot
/// keep up and the queue is full, `append` blocks: events are never dropped. When a write
/// fails, the next call (`append`, `storePage`, `cutFrame`, `close`) throws
/// `JournalError.writeFailed`, naming the last event that reached the disk; the journal
/// stays readable up to the last complete frame.
public final class BackgroundJournalWriter: Sendable {
    private let core: BackgroundWriterCore

    /// Starts a journal on `sink` (the preamble is written before this returns, so an
    /// unwritable destination fails here) and starts the writer thread.
    public init(sink: any JournalSink, header: JournalHeader, options: JournalWriterOptions = .init()) throws(JournalError) {
        core = try BackgroundWriterCore(sink: sink, header: header, options: options)
        core.start()
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

    deinit { core.abandon() }

    /// The write failure, if one happened.
    public var writeFailure: JournalWriteFailure? { core.writeFailure }

    /// How far the capture has got: events appended, and what reached the sink.
    public var progress: JournalWriterProgress { core.progress }

    /// Appends one event; blocks while the queue of frames to write is full (never drops).
    public func append(_ record: JournalRecord) throws(JournalError) { try core.append(record) }

    /// Appends one event.
    public func append(sequence: UInt64, time: UInt64, _ event: JournalEvent) throws(JournalError) {
        try core.append(JournalRecord(sequence: sequence, time: time, event: event))
    }

    /// Stores a page of guest memory (once per distinct content) and returns its key.
    public func storePage(_ content: [UInt8]) throws(JournalError) -> PageKey { try core.storePage(content, basis: nil) }

    /// Stores a page, as a patch against `basis` (an earlier content of the same guest page)
    /// when that is smaller.
    public func storePage(_ content: [UInt8], basis: PageKey?) throws(JournalError) -> PageKey {
        try core.storePage(content, basis: basis)
    }

    /// Hands the current frame to the writer thread now.
    public func cutFrame() throws(JournalError) { try core.cutFrame() }

    /// Cuts the current frame if its first event is at least `maxAge` ns older than `now`
    /// (caller's clock, same as the events' timestamps). Returns whether a frame was cut.
    @discardableResult
    public func flushIfOlderThan(_ maxAge: UInt64, now: UInt64) throws(JournalError) -> Bool {
        try core.flushIfOlderThan(maxAge, now: now)
    }

    /// Waits until every queued frame is written (or a write failed).
    public func drain() throws(JournalError) { try core.drain() }

    /// Writes the remaining frames and the trailer, marks the journal complete, stops the thread.
    @discardableResult
    public func close() throws(JournalError) -> JournalSummary { try core.close() }
}

/// How far a background writer has got (a consistent snapshot, readable from any thread).
public struct JournalWriterProgress: Sendable, Equatable {
    /// Events handed to the writer.
    public var eventsAppended: UInt64 = 0
    /// Events in frames written to the sink.
    public var eventsWritten: UInt64 = 0
    /// Bytes written to the sink (preamble and frames).
    public var bytesWritten: UInt64 = 0
    /// Event frames written to the sink.
    public var framesWritten: UInt64 = 0
    /// The last sequence number in a frame written to the sink.
    public var lastWrittenSequence: UInt64?
    /// Frames the writer thread cut because their first record was `maxFrameAge` old.
    public var framesCutByAge: UInt64 = 0

    /// Nothing written yet.
    public init() {}
}

/// The shared state of a `BackgroundJournalWriter` and its thread, behind one condition lock.
final class BackgroundWriterCore: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var builder: FrameBuilder
    private var queue: [PendingFrame] = []
    private var queueHead = 0
    private var writing = false
    private var stopping = false
    private var closed = false
    private var failure: JournalWriteFailure?
    private var framesWritten: UInt64 = 0
    /// What the writer thread reported after its last write.
    private var written = JournalWriterProgress()
    /// When the current frame got its first record (nil: empty), for the age cut.
    private var pendingSince: ContinuousClock.Instant?
    private let maxFrameAge: Duration?
    // Owned by the writer thread while it runs, then by `close()`.
    private let frames: FrameWriter
    private let capacity: Int
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    /// Starts a journal on `sink` (the preamble is written before this returns, so an
    /// unwritable destination fails here) and starts the writer thread.
    init(sink: any JournalSink, header: JournalHeader, options: JournalWriterOptions) throws(JournalError) {
        precondition(options.queuedFrames > 0, "the queue must hold at least one frame")
        builder = FrameBuilder(options: options)
        frames = FrameWriter(sink: sink, options: options)
        capacity = options.queuedFrames
        try frames.writePreamble(header: header)
        written.bytesWritten = frames.offset
        maxFrameAge = options.maxFrameAge.map { .nanoseconds(Int64(max(0, $0) * 1e9)) }
    }

    /// Starts the writer thread (which keeps the core alive until it stops).
    func start() {
        let thread = Thread { self.run() }
        thread.name = "gvtrr-journal-writer"
        self.thread = thread
        thread.start()
    }

    /// Stops the thread of a writer dropped without `close()` (the journal stays incomplete).
    func abandon() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// A snapshot of the writer's progress.
    var progress: JournalWriterProgress {
        condition.lock()
        defer { condition.unlock() }
        var p = written
        p.eventsAppended = builder.summary.summary.events
        p.framesWritten = framesWritten
        p.framesCutByAge = framesCutByAge
        return p
    }

    /// The write failure, if one happened.
    var writeFailure: JournalWriteFailure? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// Appends one event; blocks while the queue of frames to write is full.
    func append(_ record: JournalRecord) throws(JournalError) {
        condition.lock()
        defer { condition.unlock() }
        try checkUsable()
        notePending()
        builder.append(record)
        if builder.isFull { try enqueueLocked() }
    }

    /// Frames cut so far by age.
    private var framesCutByAge: UInt64 = 0

    /// Notes the start of a frame (wakes the writer thread to time it). Caller holds the lock.
    @inline(__always)
    private func notePending() {
        guard builder.isEmpty, maxFrameAge != nil else { return }
        pendingSince = .now
        condition.broadcast()
    }

    /// Stores a page of guest memory (once per distinct content) and returns its key.
    func storePage(_ content: [UInt8], basis: PageKey?) throws(JournalError) -> PageKey {
        condition.lock()
        defer { condition.unlock() }
        try checkUsable()
        notePending()
        let key = content.withUnsafeBytes { builder.storePage($0, basis: basis) }
        if builder.isFull { try enqueueLocked() }
        return key
    }

    /// Hands the current frame to the writer thread now.
    func cutFrame() throws(JournalError) {
        condition.lock()
        defer { condition.unlock() }
        try checkUsable()
        try enqueueLocked()
    }

    /// Cuts the current frame if its first event is at least `maxAge` ns older than `now`
    /// (caller's clock, same as the events' timestamps). Returns whether a frame was cut.
    func flushIfOlderThan(_ maxAge: UInt64, now: UInt64) throws(JournalError) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        try checkUsable()
        guard let since = builder.pendingSince, now >= since, now - since >= maxAge else { return false }
        try enqueueLocked()
        return true
    }

    /// Waits until every queued frame is written (or a write failed).
    func drain() throws(JournalError) {
        condition.lock()
        defer { condition.unlock() }
        while (queueHead < queue.count || writing) && failure == nil { condition.wait() }
        if let failure { throw .writeFailed(failure) }
    }

    /// Writes the remaining frames and the trailer, marks the journal complete, stops the thread.
    func close() throws(JournalError) -> JournalSummary {
        condition.lock()
        guard !closed else {
            condition.unlock()
            throw .writerClosed
        }
        closed = true
        var enqueueError: JournalError?
        do { try enqueueLocked() } catch { enqueueError = error }
        stopping = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
        if let enqueueError { throw enqueueError }
        if let failure = writeFailure { throw .writeFailed(failure) }
        let summary = builder.summary.finished()
        try frames.finish(summary: summary)
        return summary
    }

    private func checkUsable() throws(JournalError) {
        if closed { throw .writerClosed }
        if let failure { throw .writeFailed(failure) }
    }

    /// Queues the current frame, waiting for room. Caller holds the lock.
    private func enqueueLocked() throws(JournalError) {
        while queue.count - queueHead >= capacity && failure == nil { condition.wait() }
        if let failure { throw .writeFailed(failure) }
        pendingSince = nil
        guard let frame = builder.takeFrame() else { return }
        if queueHead > 0 && queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        }
        queue.append(frame)
        condition.broadcast()
    }

    /// The writer thread: pops frames and writes them until stopped and drained, or a failure.
    private func run() {
        condition.lock()
        while true {
            while queueHead == queue.count && !stopping {
                guard let maxFrameAge, let since = pendingSince, failure == nil, !closed else {
                    condition.wait()
                    continue
                }
                let remaining = since + maxFrameAge - ContinuousClock.now
                if remaining > .zero {
                    let (seconds, attoseconds) = remaining.components
                    _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
                    continue
                }
                // The frame is old enough: cut it here (the queue is empty, so there is room).
                pendingSince = nil
                if let frame = builder.takeFrame() {
                    if queueHead > 0 && queueHead == queue.count {
                        queue.removeAll(keepingCapacity: true)
                        queueHead = 0
                    }
                    queue.append(frame)
                    framesCutByAge += 1
                }
            }
            if queueHead == queue.count || failure != nil { break }
            let frame = queue[queueHead]
            queue[queueHead].raw = []
            queueHead += 1
            writing = true
            condition.unlock()
            var failed: JournalWriteFailure?
            do {
                try frames.write(frame)
            } catch {
                if case let .writeFailed(f) = error { failed = f } else {
                    failed = JournalWriteFailure(destination: frames.sink.destination, offset: frames.offset,
                                                 reason: error.description, lastWrittenSequence: frames.lastWrittenSequence,
                                                 eventsWritten: frames.eventsWritten)
                }
            }
            condition.lock()
            writing = false
            if let failed {
                failure = failed
                condition.broadcast()
                break
            }
            framesWritten += 1
            written.bytesWritten = frames.offset
            written.eventsWritten = frames.eventsWritten
            written.lastWrittenSequence = frames.lastWrittenSequence
            condition.broadcast()
        }
        condition.unlock()
        finished.signal()
    }
}
