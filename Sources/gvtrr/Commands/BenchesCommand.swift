import ArgumentParser
import Bench
import Foundation
import Mediator

/// `gvtrr benches`: the live test-bench scenarios (`list`, the default, and `run NAME`).
struct BenchesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benches", abstract: "List or run the live test-bench scenarios.",
        subcommands: [BenchesListCommand.self, BenchesRunCommand.self], defaultSubcommand: BenchesListCommand.self)
}

/// `gvtrr benches [list]`: the scenarios with their one-line descriptions.
struct BenchesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the scenarios.")

    @Flag(name: .long, help: "Machine-readable output.")
    var json = false

    func run() throws {
        if json {
            let rows = Scenarios.all.map { "{\"name\":\"\($0.name)\",\"vms\":\($0.defaultVMs),\"description\":\"\($0.summary)\"}" }
            print("[" + rows.joined(separator: ",") + "]")
        } else {
            let width = Scenarios.all.map(\.name.count).max() ?? 0
            for scenario in Scenarios.all {
                print(scenario.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + scenario.summary)
            }
        }
    }
}

/// `gvtrr benches run NAME`: runs one scenario and prints its report.
struct BenchesRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run one scenario and print its report (summary, or JSON with --json).")

    @Argument(help: "Scenario name (see `gvtrr benches`).")
    var name: String

    @Option(name: .long, help: "Number of VMs (scenario default if omitted).")
    var vms: Int?

    @Option(name: .long, help: "vGPU types, comma-separated (GVTg_V5_4, V5_8, 2 …), cycled over the VMs.")
    var types: String?

    @Option(name: .long, help: "Wall-clock budget of the workload phase, in seconds.")
    var seconds: Double?

    @Option(name: .long, help: "Operations per guest.")
    var ops: Int?

    @Option(name: .long, help: "Seed of every random choice the guests make.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Mediator revision: current or gvt-2018.")
    var revision: String?

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() throws {
        guard let scenario = Scenarios.named(name) else {
            throw CLIError.badArgument("unknown scenario '\(name)' (known: \(Scenarios.all.map(\.name).joined(separator: ", ")))")
        }
        var parameters = ScenarioParameters(vms: vms, seconds: seconds, ops: ops, seed: seed)
        if let types {
            parameters.types = types.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let revision {
            guard let value = MediatorRevision(rawValue: revision) else {
                throw CLIError.badArgument("unknown revision '\(revision)' (known: "
                                           + MediatorRevision.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            parameters.revision = value
        }
        if let vms, vms < 1 || vms > 16 { throw CLIError.badArgument("--vms must be between 1 and 16 (got \(vms))") }
        if let ops, ops < 1 { throw CLIError.badArgument("--ops must be positive (got \(ops))") }
        if let seconds, !(seconds > 0 && seconds <= 600) { throw CLIError.badArgument("--seconds must be in (0, 600] (got \(seconds))") }
        let report: ScenarioReport
        do {
            report = try scenario.run(parameters)
        } catch let error as ScenarioError {
            throw CLIError.badArgument("\(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.summary)
        }
    }
}
