import GPUModel
import Journal
import Mediator

/// The replay debugger's core (`gvtrr debug`): a replay that moves forwards entry by entry
/// and backwards through checkpoints, with breakpoints, watchpoints and read-only views of
/// the engine. Driven by lines of text (`execute`), answering with text, so the command line
/// and tests drive it the same way.
///
/// Positions are entries: after `step` the last replayed entry (an input record and the
/// outputs recorded after it) is the current one. Reverse execution restores the nearest
/// checkpoint before the target and replays forward (gdb's reverse debugging over rr's
/// checkpoints is the model).
public final class Debugger {
    /// The replay being debugged.
    public let replayer: Replayer
    /// Checkpoints taken while replaying (attached to the replayer).
    public let checkpoints: CheckpointStore
    /// The state before the first input.
    let start: ReplayCheckpoint
    /// The last entry replayed (nil at the start of the journal).
    public private(set) var current: Replayer.Entry?
    /// Verdicts found in the current entry.
    public private(set) var currentVerdicts: [Verdict] = []
    /// True once a step found the end of the journal.
    public private(set) var atEnd = false
    /// Breakpoints, by number.
    public internal(set) var breakpoints: [Breakpoint] = []
    /// Watchpoints, by number.
    public internal(set) var watchpoints: [Watchpoint] = []
    /// True after `quit`.
    public internal(set) var finished = false
    /// Last sequence of every entry replayed so far, ascending (entry boundaries for reverse steps).
    var ends: [UInt64] = []
    /// Input sequence of each entry in `ends`.
    var starts: [UInt64] = []
    var nextNumber = 1
    var inspector: EngineInspector

    /// A debugger over `reader`'s journal; checkpoints every `checkpointInterval` inputs, at most
    /// `checkpointLimit` and `checkpointBudget` estimated bytes (the interval doubles when full).
    public convenience init(reader: JournalReader, options: ReplayOptions = ReplayOptions(),
                            checkpointInterval: UInt64 = CheckpointStore.defaultInterval,
                            checkpointLimit: Int = CheckpointStore.defaultLimit,
                            checkpointBudget: Int = CheckpointStore.defaultBudget) throws(ReplayError) {
        try self.init(replayer: Replayer(reader: reader, options: options),
                      checkpoints: CheckpointStore(interval: checkpointInterval, limit: checkpointLimit, budget: checkpointBudget))
    }

    /// A debugger over a fresh `replayer` (nothing stepped yet); attaches `checkpoints` to it.
    public init(replayer: Replayer, checkpoints: CheckpointStore) {
        self.replayer = replayer
        self.checkpoints = checkpoints
        replayer.checkpoints = checkpoints
        start = replayer.checkpoint()
        inspector = EngineInspector(replayer: replayer)
    }

    // MARK: Moving

    /// Replays one entry and notes its boundaries; nil at the end of the journal.
    @discardableResult
    func advance() throws(ReplayError) -> Replayer.Entry? {
        let before = replayer.result.verdicts.count
        guard let entry = try replayer.step() else {
            atEnd = true
            return nil
        }
        currentVerdicts = Array(replayer.result.verdicts[min(before, replayer.result.verdicts.count)...])
        let end = replayer.result.lastSequence
        if ends.last.map({ end > $0 }) ?? true {
            ends.append(end)
            starts.append(entry.input.sequence)
        }
        inspector.noteRoots()
        current = entry
        return entry
    }

    /// Back to the state before the first input.
    func rewind() throws(ReplayError) {
        try replayer.restore(start)
        current = nil
        currentVerdicts = []
        atEnd = false
    }

    /// Moves to the first entry whose last sequence is at or after `target` (the entry
    /// holding record `target`), from the nearest checkpoint before it; false past the end.
    @discardableResult
    func travel(toAtLeast target: UInt64) throws(ReplayError) -> Bool {
        let here = replayer.result.lastSequence
        if current != nil, here >= target, let index = endIndex(of: here), index == 0 || ends[index - 1] < target {
            return true  // already on it
        }
        let best = checkpoints.all.last { $0.lastSequence < target }
        if current == nil || here >= target {
            if let best { try replayer.restore(best); current = nil; atEnd = false } else { try rewind() }
        } else if let best, best.lastSequence > here {
            try replayer.restore(best)
            current = nil
        }
        try replayer.fastForward(before: target)  // behind the frontier: no checks until the target's entry
        while current == nil || replayer.result.lastSequence < target {
            guard try advance() != nil else { return false }
        }
        refreshWatchValues()
        return true
    }

    /// Index in `ends` of the entry ending at `sequence` (binary search).
    func endIndex(of sequence: UInt64) -> Int? {
        var low = 0, high = ends.count
        while low < high {
            let mid = (low + high) / 2
            if ends[mid] < sequence { low = mid + 1 } else { high = mid }
        }
        return low < ends.count && ends[low] == sequence ? low : nil
    }

    /// Re-reads every watchpoint's value at the current position (after a jump).
    func refreshWatchValues() {
        for i in watchpoints.indices { watchpoints[i].value = Watchpoint.read(watchpoints[i].target, replayer) }
    }

    /// Why the entry just replayed stops a run: breakpoints matched, watched values changed,
    /// a divergence. `values` are the watched values before the entry and become those after.
    func reasons(_ entry: Replayer.Entry, verdicts: [Verdict], values: inout [WatchValue], count: Bool) -> [String] {
        var reasons: [String] = []
        let records = [entry.input] + entry.recorded
        for i in breakpoints.indices where breakpoints[i].condition.matches(records, verdicts: verdicts[...]) {
            if count { breakpoints[i].hits += 1 }
            reasons.append("breakpoint \(breakpoints[i].number): \(breakpoints[i].condition)")
        }
        for i in watchpoints.indices {
            let new = Watchpoint.read(watchpoints[i].target, replayer)
            if new != values[i] {
                if count { watchpoints[i].hits += 1 }
                reasons.append("watchpoint \(watchpoints[i].number): \(watchpoints[i].target): \(new.change(from: values[i]))")
                values[i] = new
            }
        }
        if let divergence = entry.divergences.first { reasons.append(divergence.description) }
        return reasons
    }

    /// Replays forward until `stop` (or a breakpoint, watchpoint or divergence when
    /// `honourBreaks`) or `limit` entries; the text says where it stopped and why.
    func run(limit: Int = .max, honourBreaks: Bool = true, stop: ((Replayer.Entry) -> String?)? = nil) throws(ReplayError) -> String {
        if atEnd { return "the journal has ended at #\(replayer.result.lastSequence); nothing more to replay" }
        var values = watchpoints.map(\.value)
        var done = 0
        while done < limit {
            guard let entry = try advance() else {
                return "end of the journal after \(done) entr\(done == 1 ? "y" : "ies")\n" + whereText(brief: true)
            }
            done += 1
            var why = honourBreaks ? reasons(entry, verdicts: currentVerdicts, values: &values, count: true) : []
            if !honourBreaks { refreshWatchValues(); values = watchpoints.map(\.value) }
            if let reason = stop?(entry) { why.insert(reason, at: 0) }
            if !why.isEmpty {
                for i in watchpoints.indices { watchpoints[i].value = values[i] }
                return "stopped: " + why.joined(separator: "\n         ") + "\n" + whereText(brief: true)
            }
        }
        for i in watchpoints.indices { watchpoints[i].value = values[i] }
        return whereText(brief: true)
    }

    /// Moves `count` entries back (to the start of the journal at most).
    func reverseStep(_ count: Int) throws(ReplayError) -> String {
        guard current != nil, let index = endIndex(of: replayer.result.lastSequence) else {
            return "at the start of the journal: nothing to go back to"
        }
        if index - count < 0 {
            try rewind()
            refreshWatchValues()
            return "back at the start of the journal (nothing replayed)"
        }
        try travel(toAtLeast: ends[index - count])
        return whereText(brief: true)
    }

    /// Goes back to the latest earlier entry where a breakpoint or watchpoint would stop a
    /// forward run (or a divergence was found), scanning checkpoint segments from the latest.
    func reverseContinue() throws(ReplayError) -> String {
        guard current != nil else { return "at the start of the journal: nothing to go back to" }
        if breakpoints.isEmpty && watchpoints.isEmpty {
            try rewind()
            refreshWatchValues()
            return "no breakpoints or watchpoints: back at the start of the journal"
        }
        let origin = replayer.result.lastSequence
        var upper = origin
        var segments: [ReplayCheckpoint?] = checkpoints.all.filter { $0.lastSequence < upper }.reversed()
        segments.append(nil)
        for segment in segments {
            if let segment, segment.lastSequence >= upper { continue }
            if let segment {
                try replayer.restore(segment)
                current = nil
                atEnd = false
            } else {
                try rewind()
            }
            var values = watchpoints.map { Watchpoint.read($0.target, replayer) }
            var lastHit: (end: UInt64, why: [String])?
            while let entry = try advance(), replayer.result.lastSequence < upper {
                let why = reasons(entry, verdicts: currentVerdicts, values: &values, count: false)
                if !why.isEmpty { lastHit = (replayer.result.lastSequence, why) }
            }
            if let lastHit {
                try travel(toAtLeast: lastHit.end)
                for reason in lastHit.why {
                    if let n = Int(reason.split(separator: ":")[0].split(separator: " ").last ?? "") {
                        if let i = breakpoints.firstIndex(where: { $0.number == n }), reason.hasPrefix("breakpoint") { breakpoints[i].hits += 1 }
                        if let i = watchpoints.firstIndex(where: { $0.number == n }), reason.hasPrefix("watchpoint") { watchpoints[i].hits += 1 }
                    }
                }
                return "stopped: " + lastHit.why.joined(separator: "\n         ") + "\n" + whereText(brief: true)
            }
            guard let segment else { break }
            // The entry ending at the checkpoint lies before it: the earlier segment checks it.
            upper = segment.lastSequence &+ 1
        }
        try rewind()
        refreshWatchValues()
        return "no earlier stop: back at the start of the journal"
    }

    // MARK: Where

    /// The current position: the entry, its time, its input and outputs, verdicts.
    func whereText(brief: Bool) -> String {
        guard let entry = current else {
            return atEnd ? "at the end of the journal (nothing replayed)" : "at the start of the journal (nothing replayed yet)"
        }
        let last = replayer.result.lastSequence
        var lines = ["at #\(last): entry of input #\(entry.input.sequence) (\(1 + entry.recorded.count) record\(entry.recorded.isEmpty ? "" : "s")), "
                     + "t=\(VirtualTime(nanoseconds: entry.input.time)), \(replayer.result.inputs) inputs replayed"
                     + (atEnd ? ", end of the journal" : "")]
        lines.append("  " + EventText.line(entry.input))
        let shown = brief ? 6 : 40
        for record in entry.recorded.prefix(shown) { lines.append("    " + EventText.line(record)) }
        if entry.recorded.count > shown { lines.append("    … \(entry.recorded.count - shown) more output\(entry.recorded.count - shown == 1 ? "" : "s") (`where` shows up to 40)") }
        for verdict in currentVerdicts { lines.append("  verdict \(verdict.kind.rawValue)\(verdict.vgpu.map { " vgpu \($0)" } ?? ""): \(verdict.detail)") }
        if !brief {
            lines.append("  divergences so far: \(replayer.result.divergences.count); checkpoints: \(checkpoints.all.count) "
                         + "(every \(checkpoints.interval) inputs)")
        }
        return lines.joined(separator: "\n")
    }
}
