import Analysis
import ArgumentParser
import Foundation
import Journal
import Mediator

/// `gvtrr minimize FILE --keep hang|isolation|failsafe|divergence [-o OUT] [--budget S]`:
/// delta debugging over a journal's guest operations (see `Minimizer`).
struct MinimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minimize",
        abstract: "Shrink a journal to the guest operations that still give a verdict.",
        discussion: """
            Removes guest operations (runs of a guest's inputs ending with an ELSP submission) and host timer runs, \
            replaying each candidate; keeps the smallest one that still shows the verdict. The result replays with \
            zero divergence. Exit status: 0 minimised, 1 the journal does not show the verdict, 2 trouble.
            """
    )

    @Argument(help: "The journal (.gvtj).")
    var file: String

    @Option(help: "The verdict to keep: hang, isolation, failsafe or divergence.")
    var keep: String

    @Option(name: [.short, .customLong("output")], help: "Where to write the minimised journal (default: FILE.min.gvtj).")
    var output: String?

    @Option(help: "Stop searching after this many seconds and keep the best so far.")
    var budget: Double?

    @Option(help: "Replay under this mediator revision (for --keep divergence: the one compared with the recorded one).")
    var revision: String?

    @Option(help: "Replay under this scheduler policy (tbs or round-robin).")
    var scheduler: String?

    func validate() throws {
        if MinimizeTarget(rawValue: keep) == nil {
            throw ValidationError("--keep must be one of: " + MinimizeTarget.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let revision, MediatorRevision(rawValue: revision) == nil {
            throw ValidationError("unknown revision '\(revision)'; revisions are: "
                                  + MediatorRevision.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let scheduler, SchedulingPolicyKind(name: scheduler) == nil { throw ValidationError("unknown scheduler '\(scheduler)'") }
        if let budget, budget <= 0 { throw ValidationError("--budget must be positive") }
        if keep == "divergence" && revision == nil && scheduler == nil {
            throw ValidationError("--keep divergence needs --revision or --scheduler to compare with")
        }
        if output == file { throw ValidationError("-o must name a new file, not the journal being minimised") }
    }

    func run() throws {
        let out = output ?? (file.hasSuffix(".gvtj") ? String(file.dropLast(5)) + ".min.gvtj" : file + ".min.gvtj")
        let reader = try openJournal(file)
        var options = MinimizeOptions(keep: MinimizeTarget(rawValue: keep)!)
        options.revision = revision.flatMap(MediatorRevision.init(rawValue:))
        options.budget = budget
        if let scheduler = scheduler.flatMap(SchedulingPolicyKind.init(name:)) {
            var configuration = ReplayEmission.recordedConfiguration(reader.header)
            configuration.schedulerPolicy = scheduler
            options.configuration = configuration
        }
        options.progress = { print("  \($0)") }
        let sink: FileJournalSink
        do { sink = try FileJournalSink(path: out) } catch { throw CLIError.cannotWrite(out, "\(error)") }
        let result: MinimizeResult
        do {
            let minimizer = try Minimizer(reader: reader, options: options)
            result = try minimizer.run(to: sink)
        } catch let error as MinimizeError {
            try? FileManager.default.removeItem(atPath: out)
            if case .doesNotReproduce = error {
                printError("gvtrr: \(file): \(error)")
                throw ExitCode(1)
            }
            throw CLIError.cannotRead(file, error.description)
        } catch {
            try? FileManager.default.removeItem(atPath: out)
            throw CLIError.cannotRead(file, "\(error)")
        }
        print("minimised \(file) → \(out) in \(String(format: "%.1f", result.seconds)) s, \(result.candidates) candidates replayed"
              + (result.budgetExhausted ? " (budget exhausted: best so far)" : ""))
        print("  before: \(result.before)")
        print("  after:  \(result.after)")
        print("  units kept: \(result.unitsKept) of \(result.unitsTotal)")
        print("  verdict: \(result.verdict)")
    }
}
