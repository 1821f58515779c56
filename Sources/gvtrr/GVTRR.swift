import ArgumentParser
import GPUModel

/// The `gvtrr` command line: a thin front over the libraries.
///
/// Exit status contract (docs/user-guide.md): 0 success or "no difference", 1 a
/// difference, divergence or unmet expectation, 2 bad usage or unreadable input.
/// ArgumentParser exits 64 on a usage error; `main()` maps that to 2 once, here.
@main
struct GVTRR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gvtrr",
        abstract: "Record, replay, diff and debug Intel GVT-g (Gen9) mediation.",
        version: GVTRRVersion.string,
        subcommands: [BenchesCommand.self, DebugCommand.self, DecodeCommand.self, DiffCommand.self, DumpCommand.self,
                      GPUDemoCommand.self, InfoCommand.self, MinimizeCommand.self, RecordCommand.self, ReplayCommand.self,
                      VerifyCommand.self]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CLIError {
            printError(error.description)
            exit(withError: ExitCode(2))
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help / --version print and exit 0
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { printError(message) }
            exit(withError: ExitCode(code.rawValue == 64 ? 2 : code.rawValue))
        }
    }
}

/// The version printed by `gvtrr --version` and recorded in journals.
enum GVTRRVersion {
    static let string = "0.1.0"
}
