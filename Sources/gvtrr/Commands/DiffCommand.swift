import Analysis
import ArgumentParser
import Journal

/// `gvtrr diff A B [--json] [--context N] [--category C] [--mode M]`: what two journals do
/// differently (see `JournalDiff`).
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what two journals do differently (outputs and values returned to guests).",
        discussion: """
            Same inputs (a recording and `gvtrr replay A --revision R --emit B`): aligned entry by entry. \
            Different inputs (two captures): aligned per vGPU and input kind. Categories: \
            \(DiffCategory.allCases.map(\.rawValue).joined(separator: ", ")). \
            Exit status: 0 same behaviour, 1 different, 2 trouble.
            """
    )

    @Argument(help: "The first journal (.gvtj), e.g. the recording.")
    var a: String

    @Argument(help: "The second journal (.gvtj), e.g. a replay of it written with --emit.")
    var b: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Records of A to show before the first difference.")
    var context = 5

    @Option(name: .customLong("category"), help: "Only differences of this category (repeatable, or comma-separated).")
    var categories: [String] = []

    @Option(help: "Alignment: auto, aligned or unaligned.")
    var mode = "auto"

    func validate() throws {
        if context < 0 { throw ValidationError("--context must be 0 or more") }
        if DiffOptions.ModeChoice(rawValue: mode) == nil { throw ValidationError("--mode must be auto, aligned or unaligned") }
        for name in names where DiffCategory(name: name) == nil {
            throw ValidationError("unknown category '\(name)'; categories are: "
                                  + DiffCategory.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    private var names: [String] { categories.flatMap { $0.split(separator: ",").map(String.init) } }

    func run() throws {
        var options = DiffOptions()
        options.context = context
        options.mode = DiffOptions.ModeChoice(rawValue: mode) ?? .auto
        options.categories = Set(names.compactMap(DiffCategory.init(name:)))
        let readerA = try openJournal(a)
        let readerB = try openJournal(b)
        let report = try journalCall(a) { () throws(JournalError) in
            try JournalDiff.run(readerA, readerB, nameA: a, nameB: b, options: options)
        }
        print(json ? report.json : report.text)
        if !report.same { throw ExitCode(1) }
    }
}
