import Foundation
import Testing

/// `gvtrr benches` and `gvtrr benches run`, through the built binary.
@Suite struct BenchesCommandTests {
    @Test func listsEveryScenario() throws {
        let result = try runGVTRR(["benches"])
        #expect(result.status == 0)
        let names = result.stdout.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }
        #expect(names == ["smoke", "multi-vm", "hang-semaphore", "hang-bb-loop", "iso-ggtt-overrun", "iso-ppgtt-foreign",
                          "iso-cmd-ggtt", "iso-lri-privileged", "iso-2019", "fuzz"])
        #expect(try runGVTRR(["benches", "list", "--json"]).stdout.hasPrefix("[{\"name\":\"smoke\""))
    }

    @Test func runPrintsTheSummary() throws {
        let result = try runGVTRR(["benches", "run", "iso-2019", "--vms", "2", "--seconds", "1", "--ops", "4", "--seed", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("iso-2019 seed 3 revision current: 2 VM(s), ") == true)
        #expect(lines.contains("  attacks 4, blocked 4, breaches 0"))
        #expect(lines.contains { $0.hasSuffix("oracle findings 0") })
    }

    @Test func runPrintsJSONUnderTheOldRevision() throws {
        let result = try runGVTRR(["benches", "run", "iso-2019", "--seconds", "1", "--ops", "4", "--revision", "gvt-2018",
                                   "--types", "V5_8", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["scenario"] as? String == "iso-2019")
        #expect(object["revision"] as? String == "gvt-2018")
        #expect(object["vms"] as? Int == 5)
        #expect(((object["oracleFindings"] as? [String]) ?? []).count >= 3)
    }

    @Test(arguments: [
        (["benches", "run", "no-such-scenario"], "unknown scenario 'no-such-scenario'"),
        (["benches", "run", "smoke", "--revision", "gvt-2017"], "unknown revision 'gvt-2017' (known: current, gvt-2018)"),
        (["benches", "run", "smoke", "--types", "V9_9"], "unknown vGPU type 'V9_9'"),
        (["benches", "run", "smoke", "--vms", "0"], "--vms must be between 1 and 16"),
        (["benches", "run"], "Missing expected argument"),
    ])
    func badArgumentsExitTwo(arguments: [String], message: String) throws {
        let result = try runGVTRR(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
