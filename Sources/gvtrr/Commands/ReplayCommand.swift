import ArgumentParser
import Foundation
import Journal
import Mediator
import Recorder
import Replay

/// `gvtrr replay FILE`: re-drives a journal against a fresh engine, compares every output with
/// the recorded one, reports divergences and verdicts (with hang and isolation reports).
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a journal against this build's mediator and GPU model; report divergences and verdicts.",
        discussion: "Exit status: 0 the replay matches the recording (and the expectation holds), 1 a divergence or an "
            + "unmet expectation, 2 unreadable input or bad usage."
    )

    @Argument(help: "The journal (.gvtj).")
    var file: String

    @Option(help: "Stop after the input with this sequence number (and its outputs).")
    var until: UInt64?

    @Flag(help: "Go on after a divergence and list them all.")
    var keepGoing = false

    @Option(help: "Expected verdict: clean, hang, isolation or failsafe (exit 1 when it does not hold).")
    var expect: String?

    @Option(help: "Replay under this mediator revision (current, gvt-2018) instead of the recorded one.")
    var revision: String?

    @Option(help: "Write a journal of the replay (same inputs, this build's outputs) to this path.")
    var emit: String?

    @Option(help: "Command decoder of hang reports: own or libdrm.")
    var decoder: String = "own"

    @Flag(help: "Skip the isolation oracle when the recording did not run it (faster).")
    var noOracle = false

    @Flag(help: "Machine-readable output.")
    var json = false

    func validate() throws {
        if let expect, Verdict.Kind(rawValue: expect) == nil || expect == "reset" {
            throw ValidationError("--expect must be clean, hang, isolation or failsafe, not \"\(expect)\"")
        }
        if let revision, MediatorRevision(rawValue: revision) == nil {
            let known = MediatorRevision.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown revision \"\(revision)\" (known: \(known))")
        }
        if HangDecoder(rawValue: decoder) == nil { throw ValidationError("--decoder must be own or libdrm, not \"\(decoder)\"") }
        if let emit, emit == file { throw ValidationError("--emit must name a new file, not the journal being replayed") }
    }

    func run() throws {
        let expectation = expect.flatMap(Verdict.Kind.init(rawValue:))
        let reader: JournalReader
        do { reader = try JournalReader(path: file) } catch {
            printError("gvtrr: \(error.description)")
            throw ExitCode(2)
        }
        var options = ReplayOptions()
        options.until = until
        options.keepGoing = keepGoing
        options.revision = revision.flatMap(MediatorRevision.init(rawValue:))
        options.oracle = !noOracle
        var writer: JournalWriter?
        if let emit {
            let configuration = try replayCall { () throws(ReplayError) in try Replayer.configuration(for: reader.header, options: options) }
            do {
                writer = try JournalWriter(path: emit, header: ReplayEmitHeader.make(from: reader.header, configuration: configuration.configuration))
            } catch {
                throw CLIError.cannotWrite(emit, "\(error)")
            }
            options.emit = writer
        }
        if isatty(2) != 0 && !json {
            // A complete journal's trailer knows the last sequence; a torn one is not scanned for it.
            let last = reader.completeness == .complete ? (try? reader.frames())?.last?.lastSequence : nil
            let total = last.map { " of #\($0)" } ?? ""
            options.progressInterval = 20_000
            options.progress = { sequence in Self.status("replaying: #\(sequence)\(total)\u{1B}[K\r") }
        }
        let replayer = try replayCall { () throws(ReplayError) in try Replayer(reader: reader, options: options) }
        if !json { for line in ReplayPresenter.notes(replayer.result) { print(line) } }
        let result = try replayCall { () throws(ReplayError) in try replayer.run() }
        if options.progress != nil { Self.status("\u{1B}[K") }
        if let writer, let emit {
            do { try writer.close() } catch { throw CLIError.cannotWrite(emit, "\(error)") }
        }
        let hangDecoder = HangDecoder(rawValue: decoder) ?? .own
        if json {
            print(ReplayPresenter.json(result, expectation: expectation, decoder: hangDecoder))
        } else {
            print(ReplayPresenter.text(result, file: file, expectation: expectation, decoder: hangDecoder))
        }
        if result.diverged || expectation.map({ !result.meets($0) }) == true { throw ExitCode(1) }
    }

    /// Writes a progress line on standard error (a terminal) without a newline.
    private static func status(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Runs a replay call; a `ReplayError` is printed and exits 2 (the journal cannot be replayed).
    private func replayCall<T>(_ body: () throws(ReplayError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            printError("gvtrr: \(file): \(error.description)")
            throw ExitCode(2)
        }
    }
}
