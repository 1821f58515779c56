import GPUModel

/// GVT's workload scheduler (`struct intel_gvt_workload_scheduler` and the generic half of
/// `sched_policy.c`): which vGPU is current, which is next, and whether dispatch must pause
/// until the engines drain.
///
/// A value whose mutating methods return the decisions taken (swift-nio state-machine
/// style): the dispatch code performs them (stops dispatching while `needReschedule`,
/// resumes after a `switch`), the recorder journals them and replay compares them. Time,
/// pending work and busy engines are inputs; the scheduler reads no clock.
///
/// `try_to_schedule_next_vgpu` semantics: a choice equal to the current vGPU is cancelled;
/// otherwise `needReschedule` is set and the switch happens only once no engine runs a
/// workload (no mid-workload preemption). The switch charges the old vGPU, stamps the new
/// one's `sched_in_time` and makes it current.
public struct Scheduler: Hashable, Sendable {
    /// The policy choosing the next vGPU (GVT: `sched_ops` + `sched_data`).
    public private(set) var policy: SelectedPolicy
    /// The vGPU whose workloads are dispatched (GVT: `current_vgpu`; nil = none,
    /// `VGPUID.idle` = the idle vGPU).
    public private(set) var currentVGPU: VGPUID?
    /// The vGPU chosen but not yet switched to (GVT: `next_vgpu`).
    public private(set) var nextVGPU: VGPUID?
    /// Dispatch must not take new workloads (GVT: `need_reschedule`).
    public private(set) var needReschedule = false
    /// The 1 ms timer runs: armed by the first start, disarmed when the last vGPU's
    /// scheduling data is cleaned (GVT: `hrtimer_start` / `hrtimer_cancel`).
    public private(set) var timerArmed = false
    /// Guest vGPUs with scheduling data, by `VGPUID.rawValue`.
    private var known: [Bool] = Array(repeating: false, count: VGPUID.limit)

    /// A scheduler running `policy`.
    public init(policy: SelectedPolicy) { self.policy = policy }

    /// The scheduler a mediator's configuration asks for.
    public init(configuration: MediatorConfiguration) {
        self.init(policy: SelectedPolicy(configuration.schedulerPolicy, timing: configuration.schedulerTiming))
    }

    /// The policy's name.
    public var policyKind: SchedulingPolicyKind { policy.kind }

    /// True if the dispatch code may take a new workload of `vgpu` (GVT: the check at the
    /// top of `pick_next_workload`).
    public func mayDispatch(_ vgpu: VGPUID) -> Bool { !needReschedule && currentVGPU == vgpu && isGuest(vgpu) }

    // MARK: vGPU lifecycle

    /// Gives `vgpu` scheduling data with `weight` (GVT: `intel_vgpu_init_sched_policy` at creation).
    public mutating func addVGPU(_ vgpu: VGPUID, weight: Int) {
        policy.initVGPU(vgpu, weight: weight)
        known[vgpu.rawValue] = true
    }

    /// Drops `vgpu`'s scheduling data; disarms the timer when no vGPU is left (GVT:
    /// `intel_vgpu_clean_sched_policy` at destruction). Stop it first.
    public mutating func removeVGPU(_ vgpu: VGPUID) {
        guard isGuest(vgpu), known[vgpu.rawValue] else { return }
        policy.cleanVGPU(vgpu)
        known[vgpu.rawValue] = false
        if nextVGPU == vgpu { nextVGPU = nil }
        if currentVGPU == vgpu { currentVGPU = nil }
        if !known.contains(true) { timerArmed = false }
    }

    /// Puts `vgpu` on the run queue with its start-up priority and arms the timer (GVT:
    /// `intel_vgpu_start_schedule`, on execlist enable). A vGPU already running yields no decision.
    public mutating func startSchedule(vgpu: VGPUID, weight: Int, now: VirtualTime) -> [SchedulerDecision] {
        guard isGuest(vgpu) else { return [] }
        if !known[vgpu.rawValue] { addVGPU(vgpu, weight: weight) }
        guard policy.startSchedule(vgpu, now: now) else { return [] }
        timerArmed = true
        return [SchedulerDecision(time: now, trigger: .start, kind: .start, from: currentVGPU, to: vgpu, reason: .started,
                                  runQueue: snapshot(pendingWork: { _ in false }))]
    }

    /// Takes `vgpu` off the run queue (GVT: `intel_vgpu_stop_schedule`, on reset, deactivation
    /// or destruction): if it was next, nobody is; if it was current, nobody is and dispatch
    /// stops. The engines it owns are switched back to host MMIO by the mediator
    /// (`Mediator.stopSchedule`). A vGPU not running yields no decision.
    public mutating func stopSchedule(vgpu: VGPUID, now: VirtualTime) -> [SchedulerDecision] {
        guard policy.stopSchedule(vgpu) else { return [] }
        let from = currentVGPU
        if nextVGPU == vgpu { nextVGPU = nil }
        if currentVGPU == vgpu {
            needReschedule = true
            currentVGPU = nil
        }
        return [SchedulerDecision(time: now, trigger: .stop, kind: .stop, from: from, to: vgpu, reason: .stopped,
                                  runQueue: snapshot(pendingWork: { _ in false }))]
    }

    // MARK: Scheduling passes (GVT: intel_gvt_schedule)

    /// The 1 ms timer fired: rebalance if a balance period expired, charge the current
    /// vGPU, choose and try to switch.
    /// - Parameters:
    ///   - pendingWork: whether a vGPU has queued workloads (GVT: `vgpu_has_pending_workload`).
    ///   - enginesBusy: engines with a current workload (GVT: `current_workload[]`).
    public mutating func tick(now: VirtualTime, pendingWork: (VGPUID) -> Bool,
                              enginesBusy: EngineMask) -> [SchedulerDecision] {
        pass(.timer, now: now, pendingWork: pendingWork, enginesBusy: enginesBusy)
    }

    /// A scheduling request outside the timer (a new workload was queued, GVT:
    /// `intel_gvt_kick_schedule`): charge, choose and try to switch, without rebalancing.
    public mutating func requestSchedule(now: VirtualTime, pendingWork: (VGPUID) -> Bool,
                                         enginesBusy: EngineMask) -> [SchedulerDecision] {
        pass(.event, now: now, pendingWork: pendingWork, enginesBusy: enginesBusy)
    }

    /// A workload completed on `engine`; when a switch is pending the scheduler runs again
    /// (GVT: `complete_current_workload` → `INTEL_GVT_REQUEST_EVENT_SCHED`). `enginesBusy`
    /// are the engines still running a workload (`engine` is excluded in any case).
    public mutating func workloadCompleted(engine: EngineID, now: VirtualTime, pendingWork: (VGPUID) -> Bool,
                                           enginesBusy: EngineMask) -> [SchedulerDecision] {
        guard needReschedule else { return [] }
        return pass(.completion, now: now, pendingWork: pendingWork, enginesBusy: enginesBusy.subtracting(EngineMask(engine)))
    }

    /// One `intel_gvt_schedule` + `tbs_sched_func` + `try_to_schedule_next_vgpu`.
    private mutating func pass(_ trigger: SchedulerTrigger, now: VirtualTime, pendingWork: (VGPUID) -> Bool,
                               enginesBusy: EngineMask) -> [SchedulerDecision] {
        let stage = trigger == .timer ? policy.timerExpired(now: now) : nil
        if let currentVGPU { policy.charge(currentVGPU, now: now) }
        var decisions: [SchedulerDecision] = []
        var queue: [VGPUBudget]?
        if nextVGPU == nil {
            let before = snapshot(pendingWork: pendingWork)
            queue = before
            guard let pick = policy.schedule(now: now, pendingWork: pendingWork) else { return [] }
            nextVGPU = pick.vgpu
            decisions.append(SchedulerDecision(
                time: now, trigger: trigger, kind: pick.vgpu == .idle ? .idle : .pick, from: currentVGPU, to: pick.vgpu,
                reason: pick.reason, balanceStage: stage, runQueue: before))
        }
        guard let next = nextVGPU else { return decisions }
        let runQueue = queue ?? snapshot(pendingWork: pendingWork)
        if next == currentVGPU {
            nextVGPU = nil
            decisions.append(SchedulerDecision(time: now, trigger: trigger, kind: .stay, from: currentVGPU, to: next,
                                               reason: .alreadyCurrent, balanceStage: stage, runQueue: runQueue))
            return decisions
        }
        needReschedule = true
        guard enginesBusy.isEmpty else {
            decisions.append(SchedulerDecision(time: now, trigger: trigger, kind: .waitForDrain, engines: enginesBusy,
                                               from: currentVGPU, to: next, reason: .enginesBusy, balanceStage: stage,
                                               runQueue: runQueue))
            return decisions
        }
        let from = currentVGPU
        if let from { policy.charge(from, now: now) }
        policy.scheduledIn(next, now: now)
        currentVGPU = next
        nextVGPU = nil
        needReschedule = false
        decisions.append(SchedulerDecision(time: now, trigger: trigger, kind: .switch, engines: .all, from: from, to: next,
                                           reason: .drained, balanceStage: stage, runQueue: runQueue))
        return decisions
    }

    /// The run queue with budgets, head first.
    private func snapshot(pendingWork: (VGPUID) -> Bool) -> [VGPUBudget] {
        policy.runQueue.compactMap { policy.budget(of: $0, pendingWork: pendingWork($0)) }
    }

    /// The run queue with budgets now (for inspection and the debugger).
    public func runQueue(pendingWork: (VGPUID) -> Bool) -> [VGPUBudget] { snapshot(pendingWork: pendingWork) }
}
