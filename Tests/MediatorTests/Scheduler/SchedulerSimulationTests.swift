import GPUModel
import Mediator
import Testing

/// Time shares, start-up priority, determinism and policy comparison on simulated loads
/// (virtual time: workloads take a fixed time, the 1 ms timer ticks; no threads).
@Suite struct SchedulerSimulationTests {
    static let ms: UInt64 = 1_000_000

    static func at(ms value: UInt64) -> VirtualTime { VirtualTime(nanoseconds: value * ms) }

    /// Share of the GPU time `a` got between two `gpuTime` snapshots, against `b`.
    static func share(_ before: [UInt64], _ after: [UInt64], _ a: VGPUID, _ b: VGPUID) -> Double {
        let ta = Double(after[a.rawValue] - before[a.rawValue]), tb = Double(after[b.rawValue] - before[b.rawValue])
        return ta / (ta + tb)
    }

    /// vGPU 1 weight 2 and vGPU 2 weight 1, both always busy on the render engine.
    static func weighted(_ kind: SchedulingPolicyKind, record: Bool = false) -> SchedulerSimulation {
        SchedulerSimulation(
            scheduler: Scheduler(policy: SelectedPolicy(kind)),
            loads: [.init(vgpu: 1, weight: 2, workloadDuration: 300_000), .init(vgpu: 2, weight: 1, workloadDuration: 250_000)],
            recordDecisions: record)
    }

    @Test func weightsTwoToOneGiveTwoThirdsOverManyBalancePeriods() {
        var sim = Self.weighted(.timeBased)
        sim.run(until: Self.at(ms: 2_500))  // past the 2 s start-up window
        var previous = sim.gpuTime
        let start = previous
        // Every whole balance period (10 stages = 1 s) and the whole run follow the weights.
        for second in 1...8 {
            sim.run(until: Self.at(ms: 2_500 + UInt64(second) * 1_000))
            #expect(abs(Self.share(previous, sim.gpuTime, 1, 2) - 2.0 / 3.0) < 0.03)
            previous = sim.gpuTime
        }
        #expect(abs(Self.share(start, sim.gpuTime, 1, 2) - 2.0 / 3.0) < 0.02)
        #expect(sim.completed[1] > 0 && sim.completed[2] > 0)
    }

    @Test func threeVGPUsShareByWeight() {
        var sim = SchedulerSimulation(
            scheduler: Scheduler(policy: SelectedPolicy(.timeBased)),
            loads: [.init(vgpu: 1, weight: 4, engines: [.rcs, .bcs], workloadDuration: 200_000),
                    .init(vgpu: 2, weight: 2, workloadDuration: 400_000),
                    .init(vgpu: 3, weight: 2, engines: .vcs, workloadDuration: 150_000)],
            recordDecisions: false)
        // vGPU 1 keeps two engines busy: compare the time each was charged as the current vGPU.
        func charged() -> [Double] {
            (1...3).map { Double(sim.scheduler.policy.budget(of: VGPUID($0), pendingWork: false)!.schedTime) }
        }
        sim.run(until: Self.at(ms: 2_500))  // past the start-up window, where vGPU 3 (queue head) ran alone
        let before = sim.gpuTime, chargedBefore = charged()
        sim.run(until: Self.at(ms: 7_500))
        let charged = zip(charged(), chargedBefore).map { $0 - $1 }
        let total = charged.reduce(0, +)
        #expect(abs(charged[0] / total - 0.5) < 0.05)
        #expect(abs(charged[1] / total - 0.25) < 0.05)
        #expect(abs(charged[2] / total - 0.25) < 0.05)
        #expect(sim.gpuTime[3] > before[3])
    }

    @Test func startUpPriorityWindowFavoursANewVGPUForTwoSeconds() {
        var sim = SchedulerSimulation(
            scheduler: Scheduler(policy: SelectedPolicy(.timeBased)),
            loads: [.init(vgpu: 1, weight: 2, workloadDuration: 300_000),
                    .init(vgpu: 2, weight: 1, workloadDuration: 300_000, start: Self.at(ms: 3_000))])
        sim.run(until: Self.at(ms: 3_000))
        let atStart = sim.gpuTime
        #expect(atStart[2] == 0)
        sim.run(until: Self.at(ms: 4_950))  // inside vGPU 2's window
        #expect(Self.share(atStart, sim.gpuTime, 2, 1) > 0.97)
        let priorityPicks = sim.decisions.filter {
            $0.kind == .pick && $0.reason == .priorityWindow && $0.time >= Self.at(ms: 3_000)
        }
        #expect(!priorityPicks.isEmpty && priorityPicks.allSatisfy { $0.to == 2 })
        #expect(priorityPicks.allSatisfy { $0.time < Self.at(ms: 5_000) })
        sim.run(until: Self.at(ms: 6_000))
        let after = sim.gpuTime
        sim.run(until: Self.at(ms: 11_000))
        #expect(abs(Self.share(after, sim.gpuTime, 1, 2) - 2.0 / 3.0) < 0.03)
        #expect(!sim.decisions.contains { $0.reason == .priorityWindow && $0.time >= Self.at(ms: 5_000) })
    }

    @Test func idleVGPURunsWhenTheQueuesRunDry() {
        var sim = SchedulerSimulation(
            scheduler: Scheduler(policy: SelectedPolicy(.timeBased)),
            loads: [.init(vgpu: 1, weight: 1, workloadDuration: 500_000, stop: Self.at(ms: 50)),
                    .init(vgpu: 2, weight: 1, workloadDuration: 500_000, workloads: 20)])
        sim.run(until: Self.at(ms: 200))
        #expect(sim.completed[2] == 20)
        #expect(sim.scheduler.currentVGPU == .idle)
        let last = sim.decisions.last { $0.kind == .switch }!
        #expect(last.to == .idle && last.time < Self.at(ms: 100))
        #expect(sim.decisions.suffix(2).map(\.kind) == [.idle, .stay])
    }

    @Test func noSwitchWhileAWorkloadRuns() {
        // Long workloads (3 ms) on two engines: every switch happens with no engine busy, and
        // every wait names the busy engines.
        var sim = SchedulerSimulation(
            scheduler: Scheduler(policy: SelectedPolicy(.timeBased)),
            loads: [.init(vgpu: 1, weight: 1, engines: [.rcs, .vecs], workloadDuration: 3_000_000),
                    .init(vgpu: 2, weight: 1, engines: .bcs, workloadDuration: 1_700_000)])
        sim.run(until: Self.at(ms: 3_000))
        let switches = sim.decisions.filter { $0.kind == .switch }
        let waits = sim.decisions.filter { $0.kind == .waitForDrain }
        #expect(switches.count > 100 && !waits.isEmpty)
        #expect(waits.allSatisfy { !$0.engines.isEmpty })
        // A wait is always followed, for the same target, by more waits or the switch.
        for (index, decision) in sim.decisions.enumerated() where decision.kind == .waitForDrain {
            let next = sim.decisions[(index + 1)...].first { $0.kind == .switch || $0.kind == .waitForDrain }
            if let next { #expect(next.to == decision.to) }
        }
    }

    @Test func sameInputsGiveTheSameDecisions() {
        var a = Self.weighted(.timeBased, record: true)
        var b = Self.weighted(.timeBased, record: true)
        a.run(until: Self.at(ms: 2_300))
        b.run(until: Self.at(ms: 2_300))
        #expect(a.decisions.count > 2_000)
        #expect(a.decisions == b.decisions)
        #expect(a.scheduler == b.scheduler)
    }

    @Test func roundRobinIgnoresWeightsWhereTBSFollowsThem() {
        var tbs = Self.weighted(.timeBased, record: true)
        var rr = Self.weighted(.roundRobin, record: true)
        tbs.run(until: Self.at(ms: 2_500))
        rr.run(until: Self.at(ms: 2_500))
        let (tbsBefore, rrBefore) = (tbs.gpuTime, rr.gpuTime)
        tbs.run(until: Self.at(ms: 5_500))
        rr.run(until: Self.at(ms: 5_500))
        #expect(abs(Self.share(tbsBefore, tbs.gpuTime, 1, 2) - 2.0 / 3.0) < 0.03)
        #expect(abs(Self.share(rrBefore, rr.gpuTime, 1, 2) - 0.5) < 0.03)
        #expect(tbs.decisions != rr.decisions)
        #expect(rr.decisions.contains { $0.reason == .roundRobin } && !rr.decisions.contains { $0.reason == .priorityWindow })
        #expect(rr.decisions.allSatisfy { $0.balanceStage == nil })
    }
}
