import Bench
import Foundation
import Journal
import Recorder
import Replay

/// Replay throughput (`swift run -c release gvtrr-bench replay`): records a live `multi-vm`
/// bench for a few seconds into a temporary journal, then replays it on one thread with the
/// isolation oracle on and off. Prints events/s, replay time against capture time and the
/// process's peak RSS.
func replayBench(seconds: Double = 4) {
    print("gvtrr-bench replay (release build, one replay thread)")
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-replay-bench-\(getpid()).gvtj").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let holder = WriterHolder()
    var parameters = ScenarioParameters(seconds: seconds, ops: 1_000_000, seed: 11)  // bounded by time, not ops
    parameters.prepare = EnginePreparation { engine in
        let header = RecordingHeader.make(configuration: engine.mediator.configuration, bench: "multi-vm",
                                          parameters: ["seconds": "\(seconds)"], vms: [], oracle: false)
        let writer = try BackgroundJournalWriter(path: path, header: header)
        let recorder = Recorder(sink: writer)
        holder.set(writer, recorder)
        engine.attach(recorder)
    }
    var report: ScenarioReport?
    let captureSeconds = measure {
        report = try? Scenarios.named("multi-vm")?.run(parameters)
    }
    guard let report, let (writer, recorder) = holder.get(), recorder.failure == nil, (try? writer.close()) != nil else {
        print("capture failed")
        return
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    print(pad("capture", 34) + String(format: "%.2f s wall, %d VMs, %d workloads, %d records, %.1f MB journal",
          captureSeconds, report.vms, report.workloadsCompleted, Int(recorder.sequence), Double(size) / 1e6))
    print(pad("peak RSS after capture", 34) + "\(peakRSSMegabytes()) MB")
    for oracle in [false, true] {
        var result: ReplayResult?
        let replaySeconds = measure {
            guard let reader = try? JournalReader(path: path) else { return }
            var options = ReplayOptions()
            options.oracle = oracle
            result = try? Replayer(reader: reader, options: options).run()
        }
        guard let result else {
            print("replay failed")
            return
        }
        print(pad("replay, oracle \(oracle ? "on" : "off")", 34)
              + String(format: "%.0f k events/s (%d events, %d inputs, %.3f s = %.2f x capture time)%@",
                       Double(result.events) / replaySeconds / 1e3, Int(result.events), Int(result.inputs), replaySeconds,
                       replaySeconds / captureSeconds, result.diverged ? " DIVERGED at #\(result.firstDivergence!)" : ""))
    }
    print(pad("peak RSS after replays", 34) + "\(peakRSSMegabytes()) MB")
}

/// The process's peak resident set size (getrusage), in MB.
func peakRSSMegabytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)  // RUSAGE_SELF (0); Glibc imports the enum, not the typedef
    return usage.ru_maxrss / 1024  // kilobytes on Linux
}

/// The writer and recorder made inside the bench's preparation closure.
final class WriterHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (BackgroundJournalWriter, Recorder)?
    func set(_ writer: BackgroundJournalWriter, _ recorder: Recorder) { lock.withLock { value = (writer, recorder) } }
    func get() -> (BackgroundJournalWriter, Recorder)? { lock.withLock { value } }
}
