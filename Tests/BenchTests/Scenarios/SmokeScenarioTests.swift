import GPUModel
import Hypervisor
import Mediator
import Testing
@testable import Bench

@Suite struct SmokeScenarioTests {
    @Test func guestBootsRendersAndShowsItsColours() throws {
        let report = try Scenarios.named("smoke")!.run(ScenarioParameters(seconds: 2, ops: 12))
        #expect(report.bootFailures.isEmpty)
        #expect(report.failsafe.isEmpty)
        #expect(report.gttViolations.isEmpty)
        #expect(report.completed >= 12)
        #expect(report.workloadsFailed == 0)
        #expect(report.flips >= 2)
        #expect(report.interrupts > 0)
        // The screen shows the VM's colour bands (blitter fills through the mediator).
        #expect(report.screens == [(0..<4).map { GuestDriver.colour(1, band: $0) & 0xFF_FFFF }])
    }

    @Test func severalVMsEachShowTheirOwnScreen() throws {
        let report = try Scenarios.named("multi-vm")!.run(ScenarioParameters(vms: 2, seconds: 2, ops: 12, seed: 7))
        #expect(report.bootFailures.isEmpty)
        #expect(report.failsafe.isEmpty)
        #expect(report.gttViolations.isEmpty)
        #expect(report.workloadsFailed == 0)
        #expect(report.completed >= 20)
        #expect(report.screens.count == 2)
        for (k, screen) in report.screens.enumerated() {
            // Every band shows black (not yet painted) or one of this VM's own colours.
            let own = (0..<4).map { GuestDriver.colour(k + 1, band: $0) & 0xFF_FFFF } + [0]
            #expect(!screen.isEmpty && screen.allSatisfy { own.contains($0) })
        }
    }

    /// The host declares the hang and fails the workload, the guest's hangcheck notices
    /// (after the host: no "before the host" note), resets RCS through GDRST, and new
    /// requests complete on every engine.
    @Test(arguments: [("hang-semaphore", "semaphore"), ("hang-bb-loop", "loop")])
    func hangScenariosResetTheEngineAndTheGuestRecovers(name: String, reason: String) throws {
        let report = try Scenarios.named(name)!.run(ScenarioParameters(seconds: 3, ops: 6))
        #expect(report.bootFailures.isEmpty)
        #expect(report.gpuHangs == 1)
        #expect(report.workloadsFailed == 1)
        #expect(report.notes.contains { $0.hasPrefix("workload failure: rcs") && $0.contains("engine hang (\(reason))") })
        #expect(report.guestHangs == 1)
        #expect(report.gdrstResets == 1)
        #expect(!report.notes.contains { $0.contains("before the host declared the hang") })
        #expect(report.completedAfterReset >= 6)
        #expect(report.failsafe.isEmpty)
        #expect(report.gttViolations.isEmpty)
        #expect(report.oracleFindings.isEmpty)
    }
}
