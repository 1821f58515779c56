import GPUModel
import Mediator

/// Scheduler throughput: decisions per second of wall time on simulated loads
/// (`swift run -c release gvtrr-bench scheduler`).
func schedulerBench() {
    print("gvtrr-bench scheduler (release build, one core)")
    print(pad("figure", 34) + "rate")
    for (name, kind, vgpus) in [("tbs, 2 vGPUs 2:1", SchedulingPolicyKind.timeBased, 2),
                                ("tbs, 7 vGPUs", .timeBased, 7), ("round-robin, 2 vGPUs", .roundRobin, 2)] {
        let loads = (1...vgpus).map {
            SchedulerSimulation.Load(vgpu: VGPUID($0), weight: $0 == 1 ? 2 : 1,
                                     engines: EngineMask(EngineID.at(index: $0 % EngineID.count)),
                                     workloadDuration: 150_000 + UInt64($0) * 50_000)
        }
        var warm = SchedulerSimulation(scheduler: Scheduler(policy: SelectedPolicy(kind)), loads: loads, recordDecisions: false)
        warm.run(until: VirtualTime(nanoseconds: 1_000_000_000))
        var sim = SchedulerSimulation(scheduler: Scheduler(policy: SelectedPolicy(kind)), loads: loads, recordDecisions: false)
        let seconds = measure { sim.run(until: VirtualTime(nanoseconds: 120_000_000_000)) }  // 120 s of virtual time
        print(pad(name, 34) + String(format: "%.2f M decisions/s (%d decisions, %.3f s)",
              Double(sim.decisionCount) / seconds / 1e6, sim.decisionCount, seconds))
    }
}
