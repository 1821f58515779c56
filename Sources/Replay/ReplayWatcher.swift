import GPUModel
import Mediator
import Recorder

/// The mediator's observer in replay: hands every event to replay's own recorder (so outputs
/// can be compared with the journal's) and, when the recording carries no oracle findings,
/// runs the isolation oracle after each event for verdicts only.
final class ReplayWatcher: MediatorObserver {
    let recorder: Recorder
    let oracle: IsolationOracle?
    let ownership: any MemoryOwnership
    let gpu: GPU
    private var findings: [IsolationFinding] = []

    init(recorder: Recorder, oracle: IsolationOracle?, ownership: any MemoryOwnership, gpu: GPU) {
        self.recorder = recorder
        self.oracle = oracle
        self.ownership = ownership
        self.gpu = gpu
    }

    func mediator(_ mediator: Mediator, observed event: MediatorEvent) {
        recorder.mediator(mediator, observed: event)
        if let oracle { findings += oracle.check(after: event, mediator: mediator, gpu: gpu, ownership: ownership) }
    }

    /// Findings since the last take.
    func takeFindings() -> [IsolationFinding] {
        defer { findings.removeAll() }
        return findings
    }
}
