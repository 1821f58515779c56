import GPUModel
import Mediator
import Testing

/// Time shares, start-up priority and policy comparison on simulated loads.
@Suite struct SchedulerSimulationTests {
    static let ms: UInt64 = 1_000_000

    /// Share of GPU time of `a` between two snapshots.
    static func share(_ before: [UInt64], _ after: [UInt64], _ a: VGPUID, _ b: VGPUID) -> Double {
        let ta = Double(after[a.rawValue] - before[a.rawValue]), tb = Double(after[b.rawValue] - before[b.rawValue])
        return ta / (ta + tb)
    }

    @Test func weightsTwoToOneGiveTwoThirds() {
        var sim = SchedulerSimulation(
            scheduler: Scheduler(policy: SelectedPolicy(.timeBased)),
            loads: [.init(vgpu: 1, weight: 2, workloadDuration: 300_000), .init(vgpu: 2, weight: 1, workloadDuration: 250_000)],
            recordDecisions: false)
        sim.run(until: VirtualTime(nanoseconds: 3_000 * Self.ms))  // past the 2 s start-up window
        let before = sim.gpuTime
        sim.run(until: VirtualTime(nanoseconds: 13_000 * Self.ms))  // 100 balance periods
        let share = Self.share(before, sim.gpuTime, 1, 2)
        print("tbs share", share, sim.decisionCount)
        #expect(abs(share - 2.0 / 3.0) < 0.03)
    }
}
