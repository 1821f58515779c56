import Bench
import Foundation
import Journal
import Mediator
import Recorder

/// Journal figures (`swift build -c release --product gvtrr-bench && .build/release/gvtrr-bench journal`):
/// events/s and MB/s of raw event bytes through `JournalWriter` and `BackgroundJournalWriter`
/// compared with `lz4 -1` on the same raw stream in the same run; bytes/event of a recorded
/// multi-vm journal (pages counted); guest ops/s of the live multi-vm bench with and without
/// the shim (same seed, alternating runs).
/// `gvtrr-bench writer JOURNAL`: only the writers against lz4 -1, on a given journal's stream
/// (for profiling the writer: `perf record -g .build/release/gvtrr-bench writer J`).
func writerBench(on journal: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-writer-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
        let w = try compareWriters(on: journal, in: dir)
        print(String(format: "JournalWriter %.0f MB/s raw (%.1f MB, %.3f s); background %.0f MB/s; lz4 -1 %@",
                     w.rawMB / w.syncSeconds, w.rawMB, w.syncSeconds, w.rawMB / w.backgroundSeconds,
                     w.lz4Seconds.map { String(format: "%.0f MB/s (%.2f of it)", w.rawMB / $0, $0 / w.syncSeconds) } ?? "missing"))
    } catch {
        print("writer bench failed: \(error)")
    }
}

func journalBench() {
    print("gvtrr-bench journal (release build)")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-journal-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
        // 1. A recorded multi-vm journal: bytes/event.
        let recorded = dir.appendingPathComponent("multi-vm.gvtj").path
        let run = try recordBench("multi-vm", seconds: 2, seed: 3, to: recorded)
        let reader = try JournalReader(path: recorded)
        let summary = try reader.summary()
        print(pad("multi-vm journal (3 VMs, 2 s)", 34) + String(
            format: "%.2f bytes/event on disk, pages counted (%llu events, %llu bytes, %llu pages of %llu bytes; raw %.1f bytes/event)",
            Double(reader.fileSize) / Double(summary.events), summary.events, reader.fileSize, summary.pages,
            summary.pageBytes, Double(summary.rawBytes) / Double(summary.events)))
        _ = run

        // 2. The writers on that stream, and 3. lz4 -1 on the same raw stream.
        let writers = try compareWriters(on: recorded, in: dir)
        print(pad("JournalWriter", 34) + String(format: "%.2f M events/s, %.0f MB/s raw (%llu events, %.1f MB raw, %.3f s)",
              Double(writers.events) / writers.syncSeconds / 1e6, writers.rawMB / writers.syncSeconds, writers.events,
              writers.rawMB, writers.syncSeconds))
        print(pad("BackgroundJournalWriter", 34) + String(format: "%.2f M events/s, %.0f MB/s raw (%llu events, %.3f s)",
              Double(writers.events) / writers.backgroundSeconds / 1e6, writers.rawMB / writers.backgroundSeconds,
              writers.events, writers.backgroundSeconds))
        if let lz4 = writers.lz4Seconds {
            print(pad("lz4 -1 (same raw stream)", 34) + String(
                format: "%.0f MB/s raw, %.2f M events/s equivalent (%.3f s net of starting lz4; ratio %.1f; ours %.1f)",
                writers.rawMB / lz4, Double(writers.events) / lz4 / 1e6, lz4, writers.lz4Ratio, writers.ourRatio))
        } else {
            print(pad("lz4 -1 (same raw stream)", 34) + "skipped: the lz4 command is missing (tools/install-deps installs it)")
        }

        // 4. The live bench with and without the shim.
        let (with, without) = try shimOverhead(rounds: 3, seconds: 2, in: dir)
        print(pad("live multi-vm, no shim", 34) + String(format: "%.0f guest ops/s (runs: %@)", mean(without),
              without.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
        print(pad("live multi-vm, with the shim", 34) + String(format: "%.0f guest ops/s (runs: %@; %.1f%% of no shim)", mean(with),
              with.map { String(format: "%.0f", $0) }.joined(separator: ", "), 100 * mean(with) / max(1, mean(without))))
    } catch {
        print("journal bench failed: \(error)")
    }
}

/// What the writers did on one raw stream, and `lz4 -1` on the same bytes.
struct WriterComparison {
    var events: UInt64 = 0
    var rawMB = 0.0
    var syncSeconds = 0.0
    var backgroundSeconds = 0.0
    /// Seconds `lz4 -1` took, net of starting the process (nil: lz4 missing).
    var lz4Seconds: Double?
    var lz4Ratio = 0.0
    var ourRatio = 0.0
}

/// Feeds the records of `journal` (repeated to about 400 k events) through `JournalWriter`
/// and `BackgroundJournalWriter`, then times `lz4 -1` on the raw stream the first wrote.
func compareWriters(on journal: String, in dir: URL) throws -> WriterComparison {
    let reader = try JournalReader(path: journal)
    var records: [JournalRecord] = []
    var pages: [PageKey: [UInt8]] = [:]
    let cursor = try reader.records()
    while let r = try cursor.next() {
        records.append(r)
        if case let .guestPageWritten(_, _, key) = r.event, pages[key] == nil { pages[key] = try reader.page(key) }
    }
    let copies = max(1, 400_000 / max(1, records.count))
    let header = reader.header
    // Pages go in as the recorder stores them: each as a possible patch against the last
    // content stored for the same host frame, so the raw stream is the one a capture writes.
    func feed(_ append: (JournalRecord) throws -> Void, _ store: ([UInt8], PageKey?) throws -> PageKey) throws -> UInt64 {
        var sequence: UInt64 = 0
        let span = (records.last?.time ?? 0) + 1
        var lastKey: [UInt64: PageKey] = [:]
        for copy in 0..<copies {
            for r in records {
                var event = r.event
                if case let .guestPageWritten(v, frame, key) = event {
                    let stored = try store(pages[key]!, lastKey[frame])
                    lastKey[frame] = stored
                    event = .guestPageWritten(vgpu: v, frame: frame, page: stored)
                }
                sequence += 1
                try append(JournalRecord(sequence: sequence, time: r.time + UInt64(copy) * span, event: event))
            }
        }
        return sequence
    }
    var result = WriterComparison()
    var summary = JournalSummary()
    let syncPath = dir.appendingPathComponent("sync.gvtj").path
    result.syncSeconds = try measureThrowing {
        let writer = try JournalWriter(path: syncPath, header: header)
        result.events = try feed({ try writer.append($0) }, { try writer.storePage($0, basis: $1) })
        summary = try writer.close()
    }
    let bgPath = dir.appendingPathComponent("background.gvtj").path
    result.backgroundSeconds = try measureThrowing {
        let writer = try BackgroundJournalWriter(path: bgPath, header: header)
        _ = try feed({ try writer.append($0) }, { try writer.storePage($0, basis: $1) })
        _ = try writer.close()
    }
    result.rawMB = Double(summary.rawBytes) / 1e6
    let ours = (try FileManager.default.attributesOfItem(atPath: syncPath)[.size] as? NSNumber)?.doubleValue ?? 1
    result.ourRatio = Double(summary.rawBytes) / ours
    let rawPath = dir.appendingPathComponent("raw.bin").path
    var raw: [UInt8] = []
    raw.reserveCapacity(Int(summary.rawBytes))
    _ = try JournalReader(path: syncPath).forEachRawFrame { raw += $0 }
    try Data(raw).write(to: URL(fileURLWithPath: rawPath))
    if let lz4 = ["/usr/bin/lz4", "/usr/local/bin/lz4", "/bin/lz4"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
        let empty = dir.appendingPathComponent("empty.bin").path
        try Data().write(to: URL(fileURLWithPath: empty))
        let spawn = try measureThrowing { try runTool(lz4, ["-1", "-q", "-f", empty, empty + ".lz4"]) }
        let seconds = try measureThrowing { try runTool(lz4, ["-1", "-q", "-f", rawPath, rawPath + ".lz4"]) }
        let size = (try FileManager.default.attributesOfItem(atPath: rawPath + ".lz4")[.size] as? NSNumber)?.doubleValue ?? 1
        result.lz4Seconds = max(seconds - spawn, seconds * 0.5)  // spawn time is noisy: never credit lz4 with more than half
        result.lz4Ratio = Double(raw.count) / size
    }
    return result
}

/// Guest operations per second of the live multi-vm bench without and with the shim, same
/// seed, alternating the order each round.
func shimOverhead(rounds: Int, seconds: Double, in dir: URL) throws -> (with: [Double], without: [Double]) {
    var with: [Double] = [], without: [Double] = []
    for round in 0..<rounds {
        for shim in (round % 2 == 0 ? [false, true] : [true, false]) {
            let path = shim ? dir.appendingPathComponent("live-\(round).gvtj").path : nil
            let report = try recordBench("multi-vm", seconds: seconds, seed: 11, to: path)
            let rate = Double(report.completed) / report.seconds
            if shim { with.append(rate) } else { without.append(rate) }
            if let path { try? FileManager.default.removeItem(atPath: path) }
        }
    }
    return (with, without)
}

/// The mean of some figures (0 for none).
func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(max(1, xs.count)) }

/// Runs the live bench `name` for `seconds` (unlimited ops), recording into `path` if given.
func recordBench(_ name: String, seconds: Double, seed: UInt64, to path: String?) throws -> ScenarioReport {
    guard let scenario = Scenarios.named(name) else { throw JournalBenchError("no bench \(name)") }
    var parameters = ScenarioParameters(seconds: seconds, ops: 1 << 40, seed: seed)
    let box = CaptureBox()
    if let path {
        parameters.prepare = EnginePreparation { engine in
            let header = RecordingHeader.make(configuration: engine.mediator.configuration, bench: name,
                                              parameters: ["seconds": "\(seconds)"], vms: [], oracle: false)
            let capture = try JournalCapture(path: path, header: header)
            box.set(capture)
            engine.attach(capture.recorder)
        }
    }
    let report = try scenario.run(parameters)
    if let capture = box.get(), let message = capture.finish().failureMessage { throw JournalBenchError(message) }
    return report
}

/// Holds the capture made inside the bench's preparation.
final class CaptureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var capture: JournalCapture?
    func set(_ c: JournalCapture) { lock.withLock { capture = c } }
    func get() -> JournalCapture? { lock.withLock { capture } }
}

struct JournalBenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Times a throwing body (seconds).
func measureThrowing(_ body: () throws -> Void) throws -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Runs a command line tool and waits for it.
func runTool(_ path: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw JournalBenchError("\(path) exited \(process.terminationStatus)") }
}
