import GPUModel
import Journal
import Mediator

/// The whole state of a replay after one entry: the engine, the hypervisor stand-in, replay's
/// own record numbering and what was found so far. Restoring it and replaying on gives
/// exactly what the straight replay gave from there.
public struct ReplayCheckpoint: Sendable {
    /// Sequence of the last record replayed before the checkpoint.
    public let lastSequence: UInt64
    /// Inputs performed before it.
    public let inputs: UInt64
    /// The engine.
    public let engine: EngineSnapshot
    let hypervisor: ReplayHypervisor.State
    let recorderSequence: UInt64
    let result: ReplayResult
}

extension Replayer {
    /// A checkpoint of the replay as it is now; memory pages equal to `previous`'s share storage.
    public func checkpoint(reusing previous: ReplayCheckpoint? = nil) -> ReplayCheckpoint {
        ReplayCheckpoint(lastSequence: result.lastSequence, inputs: result.inputs,
                         engine: engine.snapshot(reusing: previous?.engine), hypervisor: hypervisor.state,
                         recorderSequence: recorder.sequence, result: result)
    }

    /// Puts the replay back to `checkpoint` (taken by this replayer or one of the same
    /// journal and options); the next `step()` performs the first input after it.
    public func restore(_ checkpoint: ReplayCheckpoint) throws(ReplayError) {
        engine.restore(checkpoint.engine)
        hypervisor.restore(checkpoint.hypervisor)
        recorder.resume(after: checkpoint.recorderSequence)
        _ = capture.take()
        _ = oracle?.takeEngineFindings()
        _ = watcher.takeFindings()
        result = checkpoint.result
        do { cursor = try reader.records(from: checkpoint.lastSequence &+ 1) } catch { throw .journal(error) }
        lookahead = nil
        atEnd = false
    }

    /// Moves the replay so that the entry holding record `sequence` is the last one
    /// replayed, from the nearest checkpoint at or before it (or from the start when there
    /// is none and the target lies behind). Returns that entry, or nil past the end.
    @discardableResult
    public func seek(to sequence: UInt64) throws(ReplayError) -> Entry? {
        if let best = checkpoints?.latest(atOrBefore: sequence),
           best.lastSequence > result.lastSequence || sequence < result.lastSequence {
            try restore(best)
        } else if sequence < result.lastSequence, let start = initialCheckpoint {
            try restore(start)
        }
        var last: Entry?
        while result.lastSequence < sequence {
            guard let entry = try step() else { return last }
            last = entry
        }
        return last
    }
}

/// Checkpoints a replayer takes as it goes: every `interval` inputs, at most `limit` kept
/// (when full, every other one is dropped and the interval doubles, so they stay spread
/// over the whole journal and memory stays bounded). Consecutive checkpoints share the
/// storage of equal memory pages.
public final class CheckpointStore {
    /// Inputs between two checkpoints.
    public private(set) var interval: UInt64
    /// Most checkpoints kept.
    public let limit: Int
    /// The checkpoints, by increasing sequence.
    public private(set) var all: [ReplayCheckpoint] = []

    /// A store taking one checkpoint every `interval` inputs, keeping at most `limit`.
    public init(interval: UInt64 = 50_000, limit: Int = 16) {
        precondition(interval > 0 && limit >= 2, "checkpoint interval must be positive and the limit at least 2")
        self.interval = interval
        self.limit = limit
    }

    /// Takes a checkpoint if `replayer` reached the next multiple of the interval beyond the last one.
    func consider(_ replayer: Replayer) {
        let inputs = replayer.result.inputs
        guard inputs > 0, inputs % interval == 0, all.last.map({ $0.inputs < inputs }) ?? true else { return }
        all.append(replayer.checkpoint(reusing: all.last))
        if all.count > limit {
            all = all.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            interval *= 2
        }
    }

    /// The latest checkpoint whose last sequence is at or before `sequence`.
    public func latest(atOrBefore sequence: UInt64) -> ReplayCheckpoint? {
        all.last { $0.lastSequence <= sequence }
    }
}
