import GPUModel

/// The scheduler's entry points on the mediator: each reads the clock (an observed input),
/// runs the scheduler and observes its decisions as `.schedulerDecision` events. The
/// dispatch code keeps the `Scheduler` value and performs the decisions.
extension Mediator {
    /// Observes decisions taken elsewhere (e.g. by a scheduler driven without these wrappers).
    public func recordSchedulerDecisions(_ decisions: [SchedulerDecision]) {
        guard observer != nil else { return }
        for decision in decisions { emit(.schedulerDecision(decision)) }
    }

    /// The 1 ms scheduler timer fired (GVT: `tbs_timer_fn` → `intel_gvt_schedule`).
    @discardableResult
    public func schedulerTick(_ scheduler: inout Scheduler, pendingWork: (VGPUID) -> Bool,
                              enginesBusy: EngineMask) -> [SchedulerDecision] {
        let time = now()
        emit(.timer(.schedule, time))
        let decisions = scheduler.tick(now: time, pendingWork: pendingWork, enginesBusy: enginesBusy)
        recordSchedulerDecisions(decisions)
        return decisions
    }

    /// A workload was queued (GVT: `intel_gvt_kick_schedule`).
    @discardableResult
    public func kickSchedule(_ scheduler: inout Scheduler, pendingWork: (VGPUID) -> Bool,
                             enginesBusy: EngineMask) -> [SchedulerDecision] {
        let decisions = scheduler.requestSchedule(now: now(), pendingWork: pendingWork, enginesBusy: enginesBusy)
        recordSchedulerDecisions(decisions)
        return decisions
    }

    /// A workload completed on `engine`; the scheduler runs if a switch is pending (GVT:
    /// `complete_current_workload`). `enginesBusy` are the engines still running one.
    @discardableResult
    public func scheduleAfterCompletion(_ scheduler: inout Scheduler, engine: EngineID, pendingWork: (VGPUID) -> Bool,
                                        enginesBusy: EngineMask) -> [SchedulerDecision] {
        guard scheduler.needReschedule else { return [] }
        let decisions = scheduler.workloadCompleted(engine: engine, now: now(), pendingWork: pendingWork,
                                                    enginesBusy: enginesBusy)
        recordSchedulerDecisions(decisions)
        return decisions
    }

    /// Starts scheduling a vGPU with its type's weight (GVT: `intel_vgpu_start_schedule`, on
    /// execlist enable). Unknown vGPUs are ignored.
    @discardableResult
    public func startSchedule(_ scheduler: inout Scheduler, vgpu id: VGPUID) -> [SchedulerDecision] {
        guard let vgpu = vgpu(id) else { return [] }
        let decisions = scheduler.startSchedule(vgpu: id, weight: vgpu.type.weight, now: now())
        recordSchedulerDecisions(decisions)
        return decisions
    }

    /// Stops scheduling a vGPU and switches the engines it owns back to the host (GVT:
    /// `intel_vgpu_stop_schedule`, on reset, deactivation and destruction).
    @discardableResult
    public func stopSchedule(_ scheduler: inout Scheduler, vgpu id: VGPUID) -> [SchedulerDecision] {
        let decisions = scheduler.stopSchedule(vgpu: id, now: now())
        recordSchedulerDecisions(decisions)
        switchEnginesToHost(ownedBy: id)
        return decisions
    }
}
