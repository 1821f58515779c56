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

    @Test(.disabled("hang scenarios do not yet produce a GPU hang on the live bench (see report)"))
    func hangScenariosResetTheEngineAndTheGuestRecovers() throws {
        for name in ["hang-semaphore", "hang-bb-loop"] {
            let report = try Scenarios.named(name)!.run(ScenarioParameters(seconds: 2, ops: 6))
            #expect(report.gpuHangs >= 1, "\(name)")
            #expect(report.workloadsFailed >= 1, "\(name)")
            #expect(report.gdrstResets >= 1, "\(name)")
            #expect(report.completedAfterReset >= 6, "\(name)")
            #expect(report.gttViolations.isEmpty, "\(name)")
        }
    }
}
