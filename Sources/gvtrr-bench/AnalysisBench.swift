import Analysis
import Bench
import Foundation
import Journal
import Mediator
import Recorder
import Replay

// `swift run -c release gvtrr-bench analysis`: diff time and peak memory on two long journals
// (a live multi-vm capture and its replay under round robin), and minimisation time and
// reduction on a long hang journal.

/// Peak resident set size of this process in KiB (VmHWM), and a reset of it (Linux clear_refs 5).
enum PeakMemory {
    static func kibibytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        return -1
    }

    static func reset() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }
}

/// Holds the journal writer made inside a bench's preparation.
final class BenchWriterBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: BackgroundJournalWriter?
    func set(_ writer: BackgroundJournalWriter) { lock.withLock { value = writer } }
    func get() -> BackgroundJournalWriter? { lock.withLock { value } }
}

/// Records `scenario` live into `path`.
func recordScenario(_ scenario: String, to path: String, parameters: ScenarioParameters) throws {
    let box = BenchWriterBox()
    var parameters = parameters
    parameters.prepare = EnginePreparation { engine in
        let header = RecordingHeader.make(configuration: engine.mediator.configuration, bench: scenario,
                                          parameters: [:], vms: [], oracle: false)
        let writer = try BackgroundJournalWriter(path: path, header: header)
        box.set(writer)
        engine.attach(Recorder(sink: writer))
    }
    guard let bench = Scenarios.named(scenario) else { fatalError("no scenario \(scenario)") }
    _ = try bench.run(parameters)
    _ = try box.get()?.close()
}

/// With `keep`, the journals stay in that directory (to measure `gvtrr diff` on them in its own process).
func runAnalysisBench(keep: String? = nil) {
    print("gvtrr-bench analysis (release build)")
    let directory = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-analysis-bench-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { if keep == nil { try? FileManager.default.removeItem(atPath: directory) } }
    let recorded = directory + "/multi-vm.gvtj", emitted = directory + "/multi-vm-rr.gvtj"
    do {
        var seconds = 0.0
        seconds = measure { try? recordScenario("multi-vm", to: recorded, parameters: ScenarioParameters(vms: 4, seconds: 8, ops: 1_000_000, seed: 3)) }
        let summaryA = try JournalReader(path: recorded).summary()
        print(pad("record multi-vm (live)", 34) + String(format: "%d events, %.1f MB, %.2f s", Int(summaryA.events),
              Double(try FileManager.default.attributesOfItem(atPath: recorded)[.size] as? Int ?? 0) / 1e6, seconds))
        var options = ReplayOptions()
        var configuration = ReplayEmission.recordedConfiguration(try JournalReader(path: recorded).header)
        configuration.schedulerPolicy = .roundRobin
        options.configuration = configuration
        options.oracle = false
        var replay: ReplayResult?
        seconds = measure { replay = try? ReplayEmission.emit(recorded, to: emitted, options: options) }
        print(pad("replay under round robin --emit", 34) + String(format: "%d inputs, %.2f s (%.0f k events/s), %d divergent entries",
              Int(replay?.inputs ?? 0), seconds, Double(replay?.events ?? 0) / seconds / 1e3, replay?.divergences.count ?? 0))
        for mode in [DiffOptions.ModeChoice.auto, .unaligned] {
            var diffOptions = DiffOptions()
            diffOptions.mode = mode
            PeakMemory.reset()
            let before = PeakMemory.kibibytes()
            var report: DiffReport?
            seconds = measure { report = try? JournalDiff.run(recorded, emitted, options: diffOptions) }
            let peak = PeakMemory.kibibytes()
            guard let report else { print("diff failed"); continue }
            let records = report.recordsA + report.recordsB
            print(pad("diff (\(report.mode.rawValue))", 34) + String(format: "%d + %d records, %.2f s (%.2f M records/s), "
                  + "%d differences, process peak RSS %.1f MB (%.1f MB before; the capture dominates: "
                  + "measure `gvtrr diff` on the kept journals for the diff alone)", Int(report.recordsA), Int(report.recordsB), seconds,
                  Double(records) / seconds / 1e6, Int(report.differences), Double(peak) / 1024, Double(before) / 1024))
        }
        // Minimisation of a long hang journal.
        let hang = directory + "/hang.gvtj", minimal = directory + "/hang.min.gvtj"
        try recordScenario("hang-semaphore", to: hang, parameters: ScenarioParameters(ops: 400, seed: 5))
        var minimizeOptions = MinimizeOptions(keep: .hang)
        minimizeOptions.budget = 120
        let minimizer = try Minimizer(reader: JournalReader(path: hang), options: minimizeOptions)
        let result = try minimizer.run(to: FileJournalSink(path: minimal))
        print(pad("minimize hang-semaphore", 34) + String(format: "%.1f s, %d candidates%@", result.seconds,
              result.candidates, result.budgetExhausted ? " (budget exhausted)" : ""))
        print(pad("", 34) + "before: \(result.before)")
        print(pad("", 34) + "after:  \(result.after)")
        print(pad("", 34) + "verdict: \(result.verdict)")
    } catch {
        print("analysis bench failed: \(error)")
    }
}

/// `gvtrr-bench analysis-example DIR`: the journals of docs/isolation-2019-diff.md, made
/// in-process: DIR/iso-2019.gvtj (a live capture under the default revision), its replay
/// under gvt-2018 written with emit (DIR/iso-2019-gvt2018.gvtj), and a hang capture
/// (DIR/hang-semaphore.gvtj) to minimise.
func writeAnalysisExample(to directory: String) {
    let recorded = directory + "/iso-2019.gvtj", emitted = directory + "/iso-2019-gvt2018.gvtj"
    do {
        try recordScenario("iso-2019", to: recorded, parameters: ScenarioParameters(ops: 2, seed: 7))
        var options = ReplayOptions()
        options.revision = .gvt2018
        let result = try ReplayEmission.emit(recorded, to: emitted, options: options)
        print("\(recorded): recorded; \(emitted): its replay under gvt-2018 (\(result.inputs) inputs, "
              + "\(result.divergences.count) divergent entries, verdicts: "
              + result.verdicts.map(\.kind.rawValue).joined(separator: ", ") + ")")
        try recordScenario("hang-semaphore", to: directory + "/hang-semaphore.gvtj", parameters: ScenarioParameters(ops: 60, seed: 5))
        print("\(directory)/hang-semaphore.gvtj: recorded")
    } catch {
        print("analysis example failed: \(error)")
    }
}
