import ArgumentParser
import Journal

/// `gvtrr verify FILE [--salvage OUT]`: checks every frame and record of a journal; with
/// `--salvage`, writes the readable prefix as a complete journal.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every frame and record of a journal; optionally salvage its readable prefix.",
        discussion: "Exit status: 0 complete and undamaged, 1 damaged or incomplete, 2 unreadable."
    )

    @Argument(help: "The journal (.gvtj).")
    var file: String

    @Option(help: "Write every readable event and page into a new, complete journal at this path.")
    var salvage: String?

    func validate() throws {
        if let salvage, salvage == file { throw ValidationError("--salvage must name a new file, not the journal being checked") }
    }

    func run() throws {
        let reader = try openJournal(file)
        let result = try journalCall(file) { () throws(JournalError) in try reader.verify() }
        let s = result.summary
        if result.isClean {
            print("\(file): ok: \(s.events) events, \(s.pages) pages in \(s.frames) frames, complete")
        } else if let damage = result.damage {
            print("\(file): damaged at byte offset \(damage.offset) of \(damage.fileSize): \(damage.reason)")
            print("last good event: " + (damage.lastGoodSequence.map { "#\($0) (t=\(damage.lastGoodTime ?? 0) ns)" } ?? "none"))
            print("\(damage.eventsBefore) events before the damage are readable")
        } else if case let .incomplete(reason) = result.completeness {
            print("\(file): incomplete: \(reason)")
            print("all \(s.events) events in \(s.frames) frames are readable")
        }
        if let salvage {
            let sink: FileJournalSink
            do { sink = try FileJournalSink(path: salvage) } catch {
                throw CLIError.cannotWrite(salvage, "\(error)")
            }
            let copy = try journalCall(salvage) { () throws(JournalError) in try reader.salvage(to: sink) }
            print("salvaged \(copy.events) events and \(copy.pages) pages into \(salvage) (a complete journal)")
        } else if !result.isClean {
            print("to keep what is readable: gvtrr verify \(file) --salvage FIXED.gvtj")
        }
        if !result.isClean { throw ExitCode(1) }
    }
}
