import GPUModel
import Journal
import Mediator

/// The logging shim: watches the engine's inputs (`EngineInputObserver`) and the mediator's
/// events (`MediatorObserver`) inside the engine's order and writes them as journal records.
///
/// Each input becomes one record, written when it has been performed (so a read carries the
/// value returned), followed by the outputs it caused, in the order they happened; guest pages
/// come before the input that follows them. Sequence numbers are assigned here, one per
/// record; the time stamp is the entry's clock reading. With an isolation oracle attached,
/// its findings after each mediator event are outputs too.
///
/// The recorder never changes what the engine does. When writing fails, it stops recording,
/// keeps the error in `failure` and drops nothing silently: the caller stops the capture.
public final class Recorder: MediatorObserver, EngineInputObserver {
    /// Where records go.
    public let sink: any JournalAppending
    /// The first write error; nothing is recorded after it.
    public private(set) var failure: JournalError?
    /// Records written so far (the last sequence number used).
    public private(set) var sequence: UInt64
    /// Records written per kind id (index = kind id, for the known kinds).
    public private(set) var countsByKind = [UInt64](repeating: 0, count: 64)
    /// Verdicts seen while recording, in order (hang, failsafe, isolation …), at most 1000.
    public private(set) var verdicts: [(sequence: UInt64, event: JournalEvent)] = []
    /// Called once, with the first write error, on the thread that hit it (inside the
    /// engine's order): stop the capture from here (set a flag; do not block or re-enter).
    public var onFailure: ((JournalError) -> Void)?
    /// Oracle and ownership used after every mediator event (nil: none).
    public var oracle: (oracle: IsolationOracle, ownership: any MemoryOwnership, gpu: GPU)?

    /// The key of the content last recorded for each host frame (the basis of its next patch).
    private var lastPageKey: [UInt64: PageKey] = [:]
    private var inEntry = false
    private var time: UInt64 = 0
    private var pending: [JournalEvent] = []

    /// A recorder writing to `sink`, numbering records from `firstSequence`.
    public init(sink: any JournalAppending, firstSequence: UInt64 = 1) {
        self.sink = sink
        self.sequence = firstSequence &- 1
    }

    /// Continues numbering after `sequence` (restoring a replay checkpoint); anything
    /// pending is dropped.
    public func resume(after sequence: UInt64) {
        self.sequence = sequence
        inEntry = false
        pending.removeAll()
    }

    // MARK: EngineInputObserver

    public func engine(_ engine: Engine, willPerform input: EngineInput, at time: VirtualTime) {
        self.time = time.rawValue
        if case .guestPage = input { return }  // written whole in didPerform
        inEntry = true
        pending.removeAll(keepingCapacity: true)
    }

    public func engine(_ engine: Engine, didPerform input: EngineInput, result: EngineResult) {
        guard failure == nil else { return }
        do {
            var frame: UInt64?
            if case let .guestPage(f, _, _) = input { frame = f.rawValue }
            write(try InputRecords.record(input, result: result) { bytes in
                let key = try sink.storePage(bytes, basis: frame.flatMap { lastPageKey[$0] })
                if let frame { lastPageKey[frame] = key }
                return key
            })
        } catch {
            fail((error as? JournalError) ?? .writerClosed)  // storePage throws only JournalError
        }
        if case .guestPage = input { return }
        inEntry = false
        for event in pending { write(event) }
        pending.removeAll(keepingCapacity: true)
    }

    // MARK: MediatorObserver

    public func mediator(_ mediator: Mediator, observed event: MediatorEvent) {
        guard failure == nil else { return }
        if let output = OutputRecords.record(event) { emit(output) }
        if let (oracle, ownership, gpu) = oracle {
            for finding in oracle.check(after: event, mediator: mediator, gpu: gpu, ownership: ownership) {
                emit(IsolationRecords.record(finding))
            }
        }
    }

    // MARK: Writing

    private func emit(_ event: JournalEvent) {
        if inEntry { pending.append(event) } else { write(event) }
    }

    private func fail(_ error: JournalError) {
        guard failure == nil else { return }
        failure = error
        onFailure?(error)
    }

    private func write(_ event: JournalEvent) {
        guard failure == nil else { return }
        sequence &+= 1
        let record = JournalRecord(sequence: sequence, time: time, event: event)
        do {
            try sink.append(record)
        } catch {
            fail(error)
            return
        }
        let kind = Int(event.kindID)
        if kind < countsByKind.count { countsByKind[kind] &+= 1 }
        if event.verdict != nil, verdicts.count < 1000 { verdicts.append((sequence, event)) }
    }
}
