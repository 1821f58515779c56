import GPUModel
import Journal
import Mediator

/// A live capture: a background journal writer, the recorder writing into it, and what to do
/// when writing fails. The bench-specific wiring (attaching the recorder to a live engine,
/// stopping the guests) is the caller's: this type knows nothing of threads it did not start.
///
/// Lifecycle: `init` writes the preamble (an unwritable destination fails there), the caller
/// attaches `recorder` to the engine, runs the bench, then calls `finish()` once, after the
/// engine stopped entering the recorder. `onFailure` runs on the engine's thread the first
/// time a write fails; everything the recorder produced after that is counted as lost.
public final class JournalCapture: @unchecked Sendable {
    /// Where compression and I/O happen.
    public let writer: BackgroundJournalWriter
    /// The shim (attach it to the engine: `engine.attach(capture.recorder)`).
    public let recorder: Recorder

    /// Starts a capture on `sink` with `header`.
    public init(sink: any JournalSink, header: JournalHeader, options: JournalWriterOptions = .init()) throws(JournalError) {
        writer = try BackgroundJournalWriter(sink: sink, header: header, options: options)
        recorder = Recorder(sink: writer)
    }

    /// Starts a capture in a new file at `path`.
    public convenience init(path: String, header: JournalHeader, options: JournalWriterOptions = .init()) throws(JournalError) {
        let sink: FileJournalSink
        do { sink = try FileJournalSink(path: path) } catch {
            throw .writeFailed(JournalWriteFailure(destination: path, offset: 0, reason: "\(error)",
                                                   lastWrittenSequence: nil, eventsWritten: 0))
        }
        try self.init(sink: sink, header: header, options: options)
    }

    /// Called once with the first write error, on the engine's thread inside its order (set
    /// a stop flag here; do not block or enter the engine).
    public var onFailure: ((JournalError) -> Void)? {
        get { recorder.onFailure }
        set { recorder.onFailure = newValue }
    }

    /// Records the isolation oracle's findings after every mediator event as outputs
    /// (`ownership` and `gpu` as the oracle was attached with).
    public func recordFindings(of oracle: IsolationOracle, ownership: any MemoryOwnership, gpu: GPU) {
        recorder.oracle = (oracle, ownership, gpu)
    }

    /// Events handed to the writer and bytes on disk so far (any thread).
    public var progress: JournalWriterProgress { writer.progress }

    /// Closes the journal (trailer, `complete` marker) or reports why it could not. Call
    /// once, after the engine stopped entering the recorder.
    public func finish() -> CaptureOutcome {
        let produced = recorder.sequence
        let counts = recorder.countsByKind
        let verdicts = recorder.verdicts.map { CaptureOutcome.Verdict(sequence: $0.sequence, event: $0.event) }
        do throws(JournalError) {
            if let failure = recorder.failure { throw failure }
            let summary = try writer.close()
            return CaptureOutcome(summary: summary, failure: nil, recordsProduced: produced, countsByKind: counts,
                                  verdicts: verdicts, progress: writer.progress)
        } catch {
            // Make sure the writer thread stops; its error repeats the first failure.
            if recorder.failure != nil { _ = try? writer.close() }
            let failure: JournalWriteFailure? = writer.writeFailure ?? {
                if case let .writeFailed(f) = error { return f }
                return nil
            }()
            return CaptureOutcome(summary: nil, failure: failure.map(JournalError.writeFailed) ?? error,
                                  recordsProduced: produced, countsByKind: counts, verdicts: verdicts, progress: writer.progress)
        }
    }
}

/// How a capture ended.
public struct CaptureOutcome: Sendable {
    /// A verdict the recorder saw live.
    public struct Verdict: Sendable, Equatable {
        /// Its record's sequence number.
        public var sequence: UInt64
        /// The record.
        public var event: JournalEvent
    }

    /// The journal's summary after a clean close (nil when writing failed).
    public var summary: JournalSummary?
    /// Why the journal could not be completed (nil on success).
    public var failure: JournalError?
    /// Records the recorder produced (the last sequence number it assigned).
    public var recordsProduced: UInt64
    /// Records produced per kind id.
    public var countsByKind: [UInt64]
    /// Verdicts seen live (at most 1000).
    public var verdicts: [Verdict]
    /// What reached the sink.
    public var progress: JournalWriterProgress

    /// Whether the journal was closed cleanly.
    public var isComplete: Bool { failure == nil && summary != nil }

    /// Records produced but not on disk (0 after a clean close).
    public var recordsLost: UInt64 {
        recordsProduced &- min(recordsProduced, progress.lastWrittenSequence ?? 0)
    }

    /// One paragraph for the terminal: what failed, the last record on disk, what was lost,
    /// what to do. Nil on success.
    public var failureMessage: String? {
        guard let failure else { return nil }
        let last = progress.lastWrittenSequence.map { "#\($0)" } ?? "none"
        var text = "capture stopped: \(failure.description)"
        text += "\nlast record written: \(last); \(recordsLost) later record(s) (up to #\(recordsProduced)) were not written"
        return text
    }
}
