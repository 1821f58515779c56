/// Hang detection, as i915's hangcheck does it: sample each busy engine periodically; an
/// engine whose ACTHD and breadcrumbs do not move (or that waits on a semaphore, or has
/// stalled) for `hangcheckThreshold` samples is hung; one that executes without writing a
/// breadcrumb (a loop) is hung after `activeHangcheckThreshold` samples. Activity is ACTHD
/// moving or commands retiring (i915 also looks at INSTDONE for the latter), so a tight
/// loop sampled at the same ACTHD each time still counts as a loop.
extension GPU {
    /// Takes one hang-check sample of every engine; returns (and emits) new hang reports.
    /// The caller decides the period (i915: 1.5 s).
    @discardableResult
    public func hangcheck() -> [HangReport] {
        var reports: [HangReport] = []
        for engine in EngineID.allCases {
            let i = engine.index
            let state = engines[i]
            guard state.isBusy || state.stall != nil else {
                engines[i].hangcheck = HangcheckSample()
                continue
            }
            var sample = state.hangcheck
            let acthd = state.context?.acthd ?? sample.acthd
            let reason: HangReport.Reason
            if state.stall != nil {
                sample.stuckChecks += 1
                reason = .stalled
            } else if state.semaphoreWait != nil {
                sample.stuckChecks += 1
                reason = .semaphore
            } else if state.breadcrumbs == sample.breadcrumbs && acthd == sample.acthd
                        && state.commandsExecuted == sample.commands {
                sample.stuckChecks += 1
                sample.loopChecks = 0
                reason = .stuck
            } else if state.breadcrumbs == sample.breadcrumbs {
                sample.loopChecks += 1
                sample.stuckChecks = 0
                reason = .loop
            } else {
                sample.stuckChecks = 0
                sample.loopChecks = 0
                reason = .stuck
            }
            sample.acthd = acthd
            sample.breadcrumbs = state.breadcrumbs
            sample.commands = state.commandsExecuted
            let hung = sample.stuckChecks >= configuration.hangcheckThreshold
                || sample.loopChecks >= configuration.activeHangcheckThreshold
            if hung && !sample.reported {
                sample.reported = true
                let report = hangReport(engine, reason: reason)
                reports.append(report)
                events.append(.hang(report))
            }
            engines[i].hangcheck = sample
        }
        return reports
    }

    /// Builds the report for a hung engine from its live state.
    func hangReport(_ engine: EngineID, reason: HangReport.Reason) -> HangReport {
        let state = engines[engine.index]
        let context = state.context
        let acthd = context?.acthd ?? 0
        let space = context?.batches.last?.space ?? .ggtt
        return HangReport(
            engine: engine, reason: reason, acthd: acthd,
            instruction: context == nil ? nil : try? graphicsMemory.read32(acthd, in: space),
            ringHead: context?.head ?? 0, ringTail: context?.tail ?? 0, ringStart: context?.ringStart ?? 0,
            context: context?.descriptor, stall: state.stall, time: max(now, state.clock))
    }
}
