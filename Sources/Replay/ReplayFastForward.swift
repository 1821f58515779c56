import Journal

/// Fast-forward: how a seek crosses ground a checked replay has already covered.
///
/// Replay proper checks every entry: it records what the engine produces, compares it with
/// the journal, runs the isolation oracle and turns findings into verdicts and reports.
/// Once a checked replay has been past an entry, doing all that again when a seek replays
/// it from a checkpoint only finds what was found the first time (replay is
/// deterministic). So a seek behind the furthest checked entry performs the inputs alone,
/// with the recorder, the watcher and the oracle's GPU hooks detached, and then cuts the
/// result to what the checked replay had found by then. It is the debugger's `rr`-style
/// "replay without checks" between a checkpoint and the target; the entry holding the
/// target is still replayed checked, so what a seek returns is a whole `Entry`.
extension Replayer {
    /// Performs, without checks, every entry that ends before record `sequence`, when a
    /// checked replay has already gone past it (and found no divergence before it) and no
    /// journal of the replay is being written; the entry holding `sequence` is left for the
    /// next `step()`. Returns the number of entries performed (0 when it cannot apply).
    @discardableResult
    public func fastForward(before sequence: UInt64) throws(ReplayError) -> Int {
        noteFrontier()
        guard let frontier, options.emit == nil, result.lastSequence < sequence, sequence <= frontier.lastSequence,
              frontier.firstDivergence.map({ $0 >= sequence }) ?? true, pendingEntry == nil else { return 0 }
        let inputObserver = engine.inputObserver, mediatorObserver = engine.mediator.observer
        let gpu = engine.gpu
        let writeObserver = gpu.commandWriteObserver, loadObserver = gpu.commandRegisterWriteObserver
        engine.inputObserver = nil
        engine.mediator.observer = nil
        gpu.commandWriteObserver = nil
        gpu.commandRegisterWriteObserver = nil
        defer {
            engine.inputObserver = inputObserver
            engine.mediator.observer = mediatorObserver
            gpu.commandWriteObserver = writeObserver
            gpu.commandRegisterWriteObserver = loadObserver
        }
        // The replay's recorder numbers what it produces; behind the frontier that is exactly
        // what the journal recorded (no divergence), one record per recorded one.
        var produced = recorder.sequence
        var entries = 0
        while let (input, recorded) = try nextEntry() {
            let last = recorded.last?.sequence ?? input.sequence
            if last >= sequence {
                pendingEntry = (input, recorded)
                break
            }
            if input.event.isInput, try perform(input) {
                result.inputs &+= 1
                produced &+= 1 &+ UInt64(recorded.count)
            }
            result.events &+= 1 &+ UInt64(recorded.count)
            result.lastSequence = last
            remember(input)
            for record in recorded { remember(record) }
            submissions.noteInput(input)
            submissions.noteOutputs(recorded)
            entries += 1
        }
        recorder.resume(after: produced)
        result.cut(to: frontier, through: result.lastSequence)
        return entries
    }

    /// The last record a checked replay has reached (0 before any).
    public var frontierSequence: UInt64 { max(result.lastSequence, frontier?.lastSequence ?? 0) }

    /// Keeps the current result as the frontier when the replay has gone further than any
    /// checked replay before (fast-forwarded results never go past it).
    func noteFrontier() {
        if result.lastSequence > (frontier?.lastSequence ?? 0) { frontier = result }
    }
}

extension ReplayResult {
    /// Takes from `later` (a result of the same replay further on) what it had found up to
    /// record `sequence`: divergences, verdicts, hang and isolation reports. Each of these
    /// names a record of the entry that produced it, and entries come in order, so this is
    /// exactly what the same replay had found when it reached `sequence`.
    mutating func cut(to later: ReplayResult, through sequence: UInt64) {
        divergences = later.divergences.filter { $0.sequence <= sequence }
        verdicts = later.verdicts.filter { $0.seq <= sequence }
        hangs = later.hangs.filter { $0.sequence <= sequence }
        isolations = later.isolations.filter { $0.sequence <= sequence }
    }
}
