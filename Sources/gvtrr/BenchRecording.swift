import Bench
import Foundation
import Journal
import Mediator
import Recorder

/// Wires a `JournalCapture` into a live bench run: the capture is made in the bench's
/// preparation (the header needs the engine's configuration), the recorder is attached
/// before any VM exists, and a write failure asks the guests to stop. Thin on purpose: the
/// capture logic lives in `Recorder.JournalCapture`, the bench in `Bench`.
final class BenchRecording: @unchecked Sendable {
    /// What a finished recording produced.
    struct Result {
        /// The bench's report (nil when the bench could not start).
        var report: ScenarioReport?
        /// How the journal ended.
        var outcome: CaptureOutcome
    }

    let scenario: Scenario
    let parameters: ScenarioParameters
    let benchParameters: [String: String]
    let sink: any JournalSink
    let oracle: Bool
    let options: JournalWriterOptions
    private let lock = NSLock()
    private var capture: JournalCapture?
    private var engine: LiveEngine?

    /// A recording of `scenario` with `parameters` into `sink`.
    init(scenario: Scenario, parameters: ScenarioParameters, benchParameters: [String: String], sink: any JournalSink,
         oracle: Bool, options: JournalWriterOptions = .init()) {
        self.scenario = scenario
        self.parameters = parameters
        self.benchParameters = benchParameters
        self.sink = sink
        self.oracle = oracle
        self.options = options
    }

    /// The capture's progress (nil before the bench made its engine).
    var progress: JournalWriterProgress? { lock.withLock { capture }?.progress }

    /// Whether the capture asked the bench to stop.
    var stopRequested: Bool { lock.withLock { engine }?.stopRequested ?? false }

    /// Asks the bench to stop if the writer thread has failed (the recorder notices only on
    /// its next append; this catches a failure while the engine is quiet).
    func checkWriter() {
        let (capture, engine) = lock.withLock { (self.capture, self.engine) }
        if capture?.writer.writeFailure != nil { engine?.requestStop() }
    }

    /// Runs the bench with the shim attached and closes the journal. Throws only when the
    /// bench could not start; a journal that could not be started throws `JournalError`.
    func run() throws -> Result {
        var parameters = self.parameters
        let scenarioName = scenario.name
        parameters.prepare = EnginePreparation { [self] engine in
            let header = RecordingHeader.make(configuration: engine.mediator.configuration, bench: scenarioName,
                                              parameters: benchParameters, vms: [], oracle: oracle)
            let capture = try JournalCapture(sink: sink, header: header, options: options)
            capture.onFailure = { [weak engine] _ in engine?.requestStop() }
            if oracle {
                let isolation = IsolationOracle()
                isolation.attach(to: engine.gpu, mediator: engine.mediator, ownership: engine.hypervisor)
                capture.recordFindings(of: isolation, ownership: engine.hypervisor, gpu: engine.gpu)
            }
            lock.withLock {
                self.capture = capture
                self.engine = engine
            }
            engine.attach(capture.recorder)
        }
        let report: ScenarioReport?
        var benchError: Error?
        do { report = try scenario.run(parameters) } catch {
            report = nil
            benchError = error
        }
        guard let capture = lock.withLock({ capture }) else { throw benchError ?? CLIError.cannotWrite(sink.destination, "no capture") }
        let outcome = capture.finish()
        if let benchError, outcome.failure == nil { throw benchError }
        return Result(report: report, outcome: outcome)
    }
}
