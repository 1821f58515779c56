import Mediator
import Testing
@testable import Bench

@Suite struct FuzzScenarioTests {
    /// The fuzzer runs all its ops without crashing the engine; the benign VMs keep
    /// completing work and the oracle stays clean under `current`.
    @Test(arguments: [UInt64(1), 2])
    func adversarialGuestDoesNotBreakIsolation(seed: UInt64) throws {
        let report = try Scenarios.named("fuzz")!.run(ScenarioParameters(seconds: 3, ops: 200, seed: seed))
        #expect(report.bootFailures.isEmpty)
        #expect(report.notes.contains { $0.hasPrefix("fuzzer: 200 ops") }, "\(report.notes)")
        #expect(report.oracleFindings.isEmpty, "\(report.oracleFindings)")
        #expect(report.gttViolations.isEmpty)
        #expect(report.workloadsCompleted > 10)
        #expect(!report.failsafe.contains { !$0.hasPrefix("vGPU 1:") }, "only the fuzzer may enter failsafe")
        #expect(report.traps > 1000)
    }
}
