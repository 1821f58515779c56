import Analysis
import Bench
import Foundation
import Journal
import Mediator
import Recorder
import Replay
import Testing

/// Live recordings and replays for the analysis tests (test targets cannot import each
/// other, so this mirrors ReplayTests' recording helper).
enum AnalysisRecording {
    /// A fresh temporary path for a journal.
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-analysis-\(name)-\(UUID().uuidString).gvtj").path
    }

    /// Records `scenario` live into a temporary journal and returns its path.
    static func record(_ scenario: String, ops: Int = 4, seed: UInt64 = 7, vms: Int? = nil, seconds: Double? = nil,
                       revision: MediatorRevision? = nil) throws -> String {
        let path = temporaryPath(scenario)
        let box = WriterBox()
        var parameters = ScenarioParameters(vms: vms, seconds: seconds, ops: ops, seed: seed, revision: revision)
        parameters.prepare = EnginePreparation { engine in
            let header = RecordingHeader.make(configuration: engine.mediator.configuration, bench: scenario,
                                              parameters: ["ops": "\(ops)"], vms: [], oracle: false)
            let writer = try BackgroundJournalWriter(path: path, header: header)
            let recorder = Recorder(sink: writer)
            box.set(writer, recorder)
            engine.attach(recorder)
        }
        _ = try #require(Scenarios.named(scenario)).run(parameters)
        let (writer, recorder) = try #require(box.get())
        #expect(recorder.failure == nil)
        _ = try writer.close()
        return path
    }

    /// Replays `path` under `options` and writes the replay to a new temporary journal.
    static func emit(_ path: String, options: ReplayOptions = ReplayOptions()) throws -> (path: String, result: ReplayResult) {
        let out = temporaryPath("emit")
        let result = try ReplayEmission.emit(path, to: out, options: options)
        return (out, result)
    }

    static func remove(_ paths: String...) {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// Holds the writer and recorder made inside the bench's preparation.
final class WriterBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (BackgroundJournalWriter, Recorder)?
    func set(_ writer: BackgroundJournalWriter, _ recorder: Recorder) {
        lock.lock()
        value = (writer, recorder)
        lock.unlock()
    }
    func get() -> (BackgroundJournalWriter, Recorder)? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
