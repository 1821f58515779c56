import ArgumentParser
import Bench
import Foundation

/// `gvtrr benches`: lists the bench scenarios with their one-line descriptions.
struct BenchesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benches", abstract: "List the live test-bench scenarios.")

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
