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

extension ReplayCheckpoint {
    /// Estimated bytes this checkpoint holds that `previous` does not share (the engine's
    /// large tables and memory pages, the hypervisor's frame owners).
    public func bytesNotShared(with previous: ReplayCheckpoint?) -> Int {
        engine.bytesNotShared(with: previous?.engine)
            + hypervisor.frameOwners.bytesNotShared(with: previous?.hypervisor.frameOwners)
    }
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
        noteFrontier()
        engine.restore(checkpoint.engine)
        hypervisor.restore(checkpoint.hypervisor)
        recorder.resume(after: checkpoint.recorderSequence)
        _ = capture.take()
        _ = oracle?.takeEngineFindings()
        _ = watcher.takeFindings()
        result = checkpoint.result
        do { cursor = try reader.records(from: checkpoint.lastSequence &+ 1) } catch { throw .journal(error) }
        lookahead = nil
        pendingEntry = nil
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
        try fastForward(before: sequence)
        var last: Entry?
        while result.lastSequence < sequence {
            guard let entry = try step() else { return last }
            last = entry
        }
        return last
    }
}

/// Checkpoints a replayer takes as it goes: every `interval` inputs, kept while they fit in
/// `budget` estimated bytes and number at most `limit`. When either is exceeded, every
/// other checkpoint is dropped and the interval doubles, so they stay evenly spread over
/// the whole journal and memory stays bounded. Consecutive checkpoints share the storage of
/// equal memory pages and of unwritten register, GGTT and bitmap chunks, so a checkpoint
/// costs roughly what changed since the one before it (`addedBytes`).
public final class CheckpointStore {
    /// Inputs between two checkpoints unless told otherwise (the debugger's default).
    public static let defaultInterval: UInt64 = 500
    /// Most checkpoints kept unless told otherwise.
    public static let defaultLimit = 4_096
    /// Estimated bytes the checkpoints may hold unless told otherwise (128 MiB: with a replay's
    /// own ~90 MB, the debugger stays under the 256 MiB of docs/performance.md, figure 6).
    public static let defaultBudget = 128 << 20
    /// Bytes counted for each checkpoint beyond what the estimate walks: its small state
    /// (engines, display, scheduler, workload queues, replay results) and the allocator's
    /// overhead on the many small copy-on-write leaves. Measured, not derived: with
    /// `gvtrr-bench checkpoints J 500` the resident set grew ~66 KiB a checkpoint more than
    /// the walked estimate, and ~100 KiB on a 5 M-event journal (docs/performance.md); this
    /// keeps the budget an upper bound of what the checkpoints really take.
    public static let fixedBytesPerCheckpoint = 128 << 10

    /// Inputs between two checkpoints.
    public private(set) var interval: UInt64
    /// Most checkpoints kept.
    public let limit: Int
    /// Most estimated bytes kept.
    public let budget: Int
    /// The checkpoints, by increasing sequence.
    public private(set) var all: [ReplayCheckpoint] = []
    /// Per checkpoint in `all`, the estimated bytes it holds beyond the one before it.
    public private(set) var addedBytes: [Int] = []
    /// Estimated bytes held by all the checkpoints together.
    public private(set) var estimatedBytes = 0

    /// A store taking one checkpoint every `interval` inputs, keeping at most `limit` and at
    /// most `budget` estimated bytes.
    public init(interval: UInt64 = CheckpointStore.defaultInterval, limit: Int = CheckpointStore.defaultLimit,
                budget: Int = CheckpointStore.defaultBudget) {
        precondition(interval > 0 && limit >= 2, "checkpoint interval must be positive and the limit at least 2")
        precondition(budget > 0, "checkpoint budget must be positive")
        self.interval = interval
        self.limit = limit
        self.budget = budget
    }

    /// Takes a checkpoint if `replayer` reached the next multiple of the interval beyond the last one.
    func consider(_ replayer: Replayer) {
        let inputs = replayer.result.inputs
        guard inputs > 0, inputs % interval == 0, all.last.map({ $0.inputs < inputs }) ?? true else { return }
        add(replayer.checkpoint(reusing: all.last))
    }

    /// Appends `checkpoint` (later than every stored one), thinning while over the limits.
    func add(_ checkpoint: ReplayCheckpoint) {
        let added = Self.bytes(of: checkpoint, beyond: all.last)
        all.append(checkpoint)
        addedBytes.append(added)
        estimatedBytes += added
        while all.count > limit || (estimatedBytes > budget && all.count > 2) { thin() }
    }

    /// Drops every other checkpoint (keeping those at multiples of twice the interval) and
    /// doubles the interval; re-estimates what each kept one adds to its new predecessor.
    private func thin() {
        all = all.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        interval *= 2
        addedBytes = all.indices.map { Self.bytes(of: all[$0], beyond: $0 > 0 ? all[$0 - 1] : nil) }
        estimatedBytes = addedBytes.reduce(0, +)
    }

    /// Estimated bytes `checkpoint` holds that `previous` does not share.
    static func bytes(of checkpoint: ReplayCheckpoint, beyond previous: ReplayCheckpoint?) -> Int {
        checkpoint.bytesNotShared(with: previous) + fixedBytesPerCheckpoint
    }

    /// The latest checkpoint whose last sequence is at or before `sequence`.
    public func latest(atOrBefore sequence: UInt64) -> ReplayCheckpoint? {
        // Binary search: the checkpoints are in increasing sequence.
        var low = 0, high = all.count
        while low < high {
            let mid = (low + high) / 2
            if all[mid].lastSequence <= sequence { low = mid + 1 } else { high = mid }
        }
        return low > 0 ? all[low - 1] : nil
    }
}
