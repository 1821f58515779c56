import GPUModel
import Hypervisor
import Mediator
import Testing
@testable import Bench

@Suite struct SmokeScenarioTests {
    @Test func guestBootsRendersAndShowsItsColours() throws {
        let report = try Scenarios.named("smoke")!.run(ScenarioParameters(seconds: 2, ops: 12))
        print(report.summary)
        #expect(report.bootFailures.isEmpty)
        #expect(report.failsafe.isEmpty)
        #expect(report.gttViolations.isEmpty)
        #expect(report.completed >= 12)
        #expect(report.flips >= 2)
        #expect(report.interrupts > 0)
    }
}
