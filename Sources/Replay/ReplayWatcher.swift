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
    private var hangs: [HangDiagnosis] = []

    init(recorder: Recorder, oracle: IsolationOracle?, ownership: any MemoryOwnership, gpu: GPU) {
        self.recorder = recorder
        self.oracle = oracle
        self.ownership = ownership
        self.gpu = gpu
    }

    func mediator(_ mediator: Mediator, observed event: MediatorEvent) {
        recorder.mediator(mediator, observed: event)
        if case let .hardwareEvent(.hang(report)) = event {
            // Now, before the mediator resets the engine: the ring and batch are still loaded.
            hangs.append(HangDiagnosis.capture(report, gpu: gpu, mediator: mediator))
        }
        if let oracle { findings += oracle.check(after: event, mediator: mediator, gpu: gpu, ownership: ownership) }
    }

    /// Hangs captured since the last take.
    func takeHangs() -> [HangDiagnosis] {
        defer { hangs.removeAll() }
        return hangs
    }

    /// Whether findings are waiting to be taken.
    var hasFindings: Bool { !findings.isEmpty }

    /// Findings since the last take.
    func takeFindings() -> [IsolationFinding] {
        defer { findings.removeAll() }
        return findings
    }
}
