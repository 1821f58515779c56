import ArgumentParser
import Bench
import Foundation
import GPUModel
import Journal
import Mediator
import Recorder

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gvtrr record --bench NAME … -o FILE`: runs a live bench with the logging shim attached
/// and writes its journal.
///
/// Exit status: 0 the journal is complete; 1 writing failed during the capture (the journal
/// is readable up to its last complete frame; the message names the last record written);
/// 2 bad usage, an unknown bench or type, or an output that cannot be written at all.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run a live bench with the logging shim and write its journal.",
        discussion: """
            Benches: \(Scenarios.all.map(\.name).joined(separator: ", ")) (see `gvtrr benches`).
            Exit status: 0 complete journal, 1 writing failed during the capture (the journal is \
            readable up to its last complete frame), 2 bad usage or unwritable output.
            """
    )

    @Option(help: "The bench scenario to run (see `gvtrr benches`).")
    var bench: String

    @Option(help: "Number of VMs (the bench's default if omitted).")
    var vms: Int?

    @Option(help: "vGPU types, comma-separated, cycled over the VMs (e.g. GVTg_V5_4,GVTg_V5_8).")
    var types: String?

    @Option(help: "Run the workload phase for this many seconds (no limit on operations).")
    var seconds: Double?

    @Option(help: "Operations per guest (the bench's time budget still applies).")
    var ops: Int?

    @Option(help: "Seed of the guests' random choices.")
    var seed: UInt64 = 1

    @Option(help: "Mediator revision: \(MediatorRevision.allCases.map(\.rawValue).joined(separator: ", ")).")
    var revision: String = MediatorRevision.current.rawValue

    @Flag(help: "Run the isolation oracle after every mediator event and record its findings.")
    var oracle = false

    @Option(name: .shortAndLong, help: "The journal to write (.gvtj).")
    var output: String

    /// Testing aid: the sink fails (ENOSPC) once this many bytes were written.
    @Option(name: .customLong("fail-after-bytes"), help: .hidden)
    var failAfterBytes: UInt64?

    /// Testing aid: cut a frame every this many events (default 4096).
    @Option(name: .customLong("frame-events"), help: .hidden)
    var frameEvents: Int?

    func validate() throws {
        if let frameEvents, frameEvents <= 0 { throw ValidationError("--frame-events must be at least 1") }
        guard Scenarios.named(bench) != nil else {
            throw ValidationError("unknown bench '\(bench)'; benches are: \(Scenarios.all.map(\.name).joined(separator: ", "))")
        }
        if let vms, !(1...8).contains(vms) { throw ValidationError("--vms must be between 1 and 8 (got \(vms))") }
        if let seconds, !(seconds > 0 && seconds <= 3600) {
            throw ValidationError("--seconds must be more than 0 and at most 3600 (got \(seconds))")
        }
        if let ops, ops <= 0 { throw ValidationError("--ops must be at least 1 (got \(ops))") }
        if seconds != nil && ops != nil { throw ValidationError("give --seconds or --ops, not both") }
        if MediatorRevision(rawValue: revision) == nil {
            throw ValidationError("unknown revision '\(revision)'; revisions are: "
                                  + MediatorRevision.allCases.map(\.rawValue).joined(separator: ", "))
        }
        for name in typeNames where VGPUType.named(name) == nil {
            throw ValidationError("unknown vGPU type '\(name)'; types are: " + VGPUType.gen9.map(\.name).joined(separator: ", "))
        }
        if output.isEmpty { throw ValidationError("-o needs a file name") }
    }

    /// Operations per guest when only `--seconds` is given (the clock ends the run).
    static let unlimitedOps = 1 << 40

    var typeNames: [String] {
        (types ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The bench parameters as recorded in the header.
    var recordedParameters: [String: String] {
        var p = ["seed": "\(seed)", "revision": revision]
        if let vms { p["vms"] = "\(vms)" }
        if !typeNames.isEmpty { p["types"] = typeNames.joined(separator: ",") }
        if let seconds { p["seconds"] = "\(seconds)" }
        if let ops { p["ops"] = "\(ops)" }
        if oracle { p["oracle"] = "on" }
        return p
    }

    func run() throws {
        let scenario = Scenarios.named(bench)!
        var sink: any JournalSink
        do { sink = try FileJournalSink(path: output) } catch {
            throw CLIError.cannotWrite(output, "\(error)")
        }
        if let failAfterBytes { sink = FailingJournalSink(sink, failAfter: failAfterBytes) }
        let parameters = ScenarioParameters(vms: vms, types: typeNames.isEmpty ? nil : typeNames, seconds: seconds,
                                            ops: ops ?? (seconds != nil ? Self.unlimitedOps : nil), seed: seed, revision: MediatorRevision(rawValue: revision))
        let recording = BenchRecording(scenario: scenario, parameters: parameters, benchParameters: recordedParameters,
                                       sink: sink, oracle: oracle, options: writerOptions)
        let monitor = RecordingMonitor(recording: recording, bench: bench, output: output, terminal: isatty(2) != 0)
        monitor.start()
        let result: BenchRecording.Result
        do {
            result = try recording.run()
        } catch let error as JournalError {
            monitor.stop()
            throw CLIError.cannotWrite(output, error.description)
        } catch {
            monitor.stop()
            printError("gvtrr: the bench could not run: \(error)")
            throw ExitCode(2)
        }
        monitor.stop()
        printSummary(result)
        if let message = result.outcome.failureMessage {
            printError("gvtrr: \(message)")
            throw ExitCode(1)
        }
    }

    var writerOptions: JournalWriterOptions {
        var options = JournalWriterOptions()
        if let frameEvents { options.maxEventsPerFrame = frameEvents }
        return options
    }

    func printSummary(_ result: BenchRecording.Result) {
        let outcome = result.outcome
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? NSNumber)?.uint64Value
            ?? outcome.progress.bytesWritten
        let events = outcome.summary?.events ?? outcome.recordsProduced
        print("journal: \(output) (\(outcome.isComplete ? "complete" : "incomplete"))")
        let perEvent = events > 0 ? String(format: "%.2f", Double(size) / Double(events)) : "-"
        if outcome.isComplete {
            print("events: \(events), bytes: \(size), bytes/event: \(perEvent)")
        } else {
            print("events: \(outcome.progress.eventsWritten) written of \(outcome.recordsProduced) produced, bytes: \(size)")
        }
        if let summary = outcome.summary {
            print("frames: \(summary.frames), raw bytes: \(summary.rawBytes), pages: \(summary.pages) (\(summary.pageBytes) bytes)")
        }
        print("events by kind:")
        let kinds = outcome.countsByKind.enumerated().filter { $0.element > 0 }
            .map { (JournalEventKind.name(of: UInt32($0.offset)), $0.element) }
        let width = kinds.map(\.0.count).max() ?? 0
        for (name, count) in kinds { print("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(count)") }
        var verdictCounts: [String: (count: Int, first: UInt64)] = [:]
        for v in outcome.verdicts {
            guard let name = v.event.verdict else { continue }
            let seen = verdictCounts[name] ?? (0, v.sequence)
            verdictCounts[name] = (seen.count + 1, seen.first)
        }
        print(verdictCounts.isEmpty ? "verdicts seen live: none" : "verdicts seen live:")
        for name in verdictCounts.keys.sorted() {
            print("  \(name)  \(verdictCounts[name]!.count) (first #\(verdictCounts[name]!.first))")
        }
        if let report = result.report { print(report.summary) }
    }
}

/// Shows progress on a terminal (stderr) and watches the writer while the bench runs.
final class RecordingMonitor: @unchecked Sendable {
    let recording: BenchRecording
    let bench: String
    let output: String
    let terminal: Bool
    private let lock = NSLock()
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)
    private let started = ContinuousClock.now

    init(recording: BenchRecording, bench: String, output: String, terminal: Bool) {
        self.recording = recording
        self.bench = bench
        self.output = output
        self.terminal = terminal
    }

    /// Starts the monitor thread.
    func start() {
        let thread = Thread { [self] in
            var stopAsked: ContinuousClock.Instant?
            while !lock.withLock({ stopping }) {
                Thread.sleep(forTimeInterval: 0.1)
                recording.checkWriter()
                if terminal, let p = recording.progress { show(p) }
                if recording.stopRequested {
                    let asked = stopAsked ?? .now
                    stopAsked = asked
                    // The guests did not wind down in time: give up on them, the journal is final.
                    if ContinuousClock.now - asked > .seconds(5) {
                        printError("\ngvtrr: the bench did not stop after the journal failed; exiting")
                        if let failure = recording.progress?.lastWrittenSequence {
                            printError("gvtrr: last record written: #\(failure)")
                        }
                        exit(1)
                    }
                }
            }
            if terminal { printError("") }
            done.signal()
        }
        thread.name = "gvtrr-record-monitor"
        thread.start()
    }

    /// Stops the monitor thread and waits for it.
    func stop() {
        lock.withLock { stopping = true }
        done.wait()
    }

    private func show(_ p: JournalWriterProgress) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let line = String(format: "\rrecording %@: %.1f s, %llu events, %.2f MB written", bench, seconds,
                          p.eventsAppended, Double(p.bytesWritten) / 1e6)
        _ = line.withCString { fputs($0, stderrForProgress()) }
        fflush(stderrForProgress())
    }
}

private func stderrForProgress() -> UnsafeMutablePointer<FILE> { ProgressStream.stream }

private enum ProgressStream {
    nonisolated(unsafe) static let stream: UnsafeMutablePointer<FILE> = fdopen(2, "w")!
}

/// A sink that fails with ENOSPC once `failAfter` bytes were written (`--fail-after-bytes`,
/// to test a full disk during a capture).
final class FailingJournalSink: JournalSink, @unchecked Sendable {
    let inner: any JournalSink
    let failAfter: UInt64
    private var written: UInt64 = 0

    init(_ inner: any JournalSink, failAfter: UInt64) {
        self.inner = inner
        self.failAfter = failAfter
    }

    var destination: String { inner.destination }

    func append(_ bytes: [UInt8]) throws {
        guard written + UInt64(bytes.count) <= failAfter else {
            throw InjectedWriteError(after: written)
        }
        try inner.append(bytes)
        written += UInt64(bytes.count)
    }

    func overwrite(_ bytes: [UInt8], at offset: UInt64) throws { try inner.overwrite(bytes, at: offset) }
    func synchronize() throws { try inner.synchronize() }
    func close() throws { try inner.close() }
}

/// The error `FailingJournalSink` throws.
struct InjectedWriteError: Error, CustomStringConvertible {
    var after: UInt64
    var description: String { "No space left on device (injected after \(after) bytes)" }
}
