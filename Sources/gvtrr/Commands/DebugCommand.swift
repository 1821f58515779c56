import ArgumentParser
import Journal
import Replay

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gvtrr debug FILE`: the replay debugger at a prompt. On a terminal it shows a prompt
/// (line editing is the terminal's own: no history); from a pipe it reads one command per
/// line and prints each command's output with no decoration, so scripts and tests drive it.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Debug a journal's replay: step forwards and backwards, break, watch, inspect.",
        discussion: "Commands are read from standard input, one per line (`help` lists them). "
            + "Exit status: 0 after the session, 2 if the journal cannot be read or replayed."
    )

    @Argument(help: "The journal (.gvtj).")
    var file: String

    @Option(help: "Inputs between two checkpoints at first (reverse execution restores the nearest one; doubled when they outgrow their memory budget).")
    var checkpointInterval: UInt64 = CheckpointStore.defaultInterval

    func validate() throws {
        if checkpointInterval == 0 { throw ValidationError("--checkpoint-interval must be at least 1") }
    }

    func run() throws {
        let reader = try openJournal(file)
        let debugger: Debugger
        do { debugger = try Debugger(reader: reader, checkpointInterval: checkpointInterval) } catch {
            printError("gvtrr: \(error)")
            throw ExitCode(2)
        }
        for note in debugger.replayer.result.notes { printError("note: \(note)") }
        let interactive = isatty(0) != 0
        if interactive {
            print("gvtrr debug \(file): \(reader.header.bench.isEmpty ? "" : "bench \(reader.header.bench), ")type `help` for commands, `quit` to leave")
        }
        while !debugger.finished {
            if interactive {
                print(Debugger.prompt, terminator: "")
                fflush(nil)  // all streams: Swift 6 will not touch the `stdout` global
            }
            guard let line = readLine() else { break }
            let output = debugger.execute(line)
            if !output.isEmpty { print(output) }
        }
    }
}
