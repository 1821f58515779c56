import GPUModel

/// A workload-scheduling policy: which vGPU runs next, and the budgets behind the choice
/// (GVT: `struct intel_gvt_sched_policy_ops`).
///
/// A policy is a value: its operations mutate it and return what they decided; the
/// `Scheduler` does GVT's generic part (`try_to_schedule_next_vgpu`: wait for the engines to
/// drain, then switch). Per-vGPU state lives in arrays indexed by `VGPUID.rawValue`, the run
/// queue is an array in LRU order: nothing depends on hashing order.
public protocol SchedulingPolicy: Hashable, Sendable {
    /// The policy's configured name.
    var kind: SchedulingPolicyKind { get }
    /// The run queue, head first (GVT: `lru_runq_head`).
    var runQueue: [VGPUID] { get }

    /// A policy with no vGPUs (GVT: `init`).
    init(timing: SchedulerTiming)
    /// Forgets every vGPU (GVT: `clean`).
    mutating func clean()
    /// Gives a vGPU its scheduling data (GVT: `init_vgpu`); weight 1...16.
    mutating func initVGPU(_ vgpu: VGPUID, weight: Int)
    /// Drops a vGPU's scheduling data (GVT: `clean_vgpu`).
    mutating func cleanVGPU(_ vgpu: VGPUID)
    /// Puts a vGPU on the run queue; false if it was already there or is unknown
    /// (GVT: `start_schedule`).
    mutating func startSchedule(_ vgpu: VGPUID, now: VirtualTime) -> Bool
    /// Takes a vGPU off the run queue; false if it was not on it (GVT: `stop_schedule`).
    mutating func stopSchedule(_ vgpu: VGPUID) -> Bool
    /// The scheduler timer fired at `now`: rebalances budgets when a balance period has
    /// expired and returns the stage it ran (GVT: `gvt_balance_timeslice` under
    /// `INTEL_GVT_REQUEST_SCHED`), nil otherwise.
    mutating func timerExpired(now: VirtualTime) -> Int?
    /// Charges `vgpu` the time since it was last charged or scheduled in (GVT:
    /// `vgpu_update_timeslice`); the idle vGPU is never charged.
    mutating func charge(_ vgpu: VGPUID, now: VirtualTime)
    /// `vgpu` became the current vGPU at `now` (GVT: `sched_in_time = cur_time`).
    mutating func scheduledIn(_ vgpu: VGPUID, now: VirtualTime)
    /// Chooses the next vGPU (GVT: `tbs_sched_func` without the switch): nil when the run
    /// queue is empty, `VGPUID.idle` when no queued vGPU may run.
    mutating func schedule(now: VirtualTime, pendingWork: (VGPUID) -> Bool) -> PolicyPick?
    /// The budgets of a known vGPU, as the journal shows them.
    func budget(of vgpu: VGPUID, pendingWork: Bool) -> VGPUBudget?
}

/// What a policy chose and why.
public struct PolicyPick: Hashable, Sendable {
    /// The vGPU to run next (`VGPUID.idle` for none).
    public var vgpu: VGPUID
    /// Why it was chosen.
    public var reason: SchedulerReason

    /// `vgpu`, chosen for `reason`.
    public init(vgpu: VGPUID, reason: SchedulerReason) {
        self.vgpu = vgpu
        self.reason = reason
    }
}

/// Why the scheduler decided what it did.
public enum SchedulerReason: String, Hashable, Sendable, Codable {
    /// Picked inside its start-up priority window (GVT: `pri_sched`).
    case priorityWindow = "priority-window"
    /// Picked with time slice left (`left_ts > 0`).
    case timeSliceLeft = "time-slice-left"
    /// No queued vGPU has work and budget: the idle vGPU runs.
    case nothingRunnable = "nothing-runnable"
    /// Round robin: the next queued vGPU with work.
    case roundRobin = "round-robin"
    /// Round robin: the current vGPU's fixed slice has not expired.
    case sliceLeft = "slice-left"
    /// The chosen vGPU is already current: the choice is cancelled.
    case alreadyCurrent = "already-current"
    /// Some engine still runs a workload: no switch until every engine drained.
    case enginesBusy = "engines-busy"
    /// Every engine drained: the switch happened.
    case drained
    /// A vGPU was put on the run queue (execlist enabled).
    case started
    /// A vGPU was taken off the run queue (reset, deactivation, destruction).
    case stopped
}

/// One vGPU's scheduling state at a decision (GVT: `struct vgpu_sched_data`).
public struct VGPUBudget: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The vGPU.
    public var vgpu: VGPUID
    /// Relative share (1...16).
    public var weight: Int
    /// Time slice left in this balance period, ns; negative = debt (GVT: `left_ts`).
    public var leftTS: Int64
    /// Time slice granted per balance period, ns (GVT: `allocated_ts`).
    public var allocatedTS: Int64
    /// Total GPU time charged, ns (GVT: `sched_time`).
    public var schedTime: UInt64
    /// In its start-up priority window (GVT: `pri_sched`).
    public var priority: Bool
    /// Had queued workloads when the decision was taken (GVT: `vgpu_has_pending_workload`).
    public var pendingWork: Bool

    /// A snapshot (policies build these).
    public init(vgpu: VGPUID, weight: Int, leftTS: Int64, allocatedTS: Int64, schedTime: UInt64, priority: Bool,
                pendingWork: Bool) {
        self.vgpu = vgpu
        self.weight = weight
        self.leftTS = leftTS
        self.allocatedTS = allocatedTS
        self.schedTime = schedTime
        self.priority = priority
        self.pendingWork = pendingWork
    }

    public var description: String {
        "\(vgpu) w\(weight) left \(milliseconds(leftTS)) of \(milliseconds(allocatedTS)) ran \(milliseconds(Int64(clamping: schedTime)))"
            + (priority ? " pri" : "") + (pendingWork ? " busy" : "")
    }
}

/// `12.345ms` (three decimals) for budgets in descriptions.
func milliseconds(_ ns: Int64) -> String {
    let sign = ns < 0 ? "-" : ""
    let us = ns.magnitude / 1_000
    return "\(sign)\(us / 1_000).\(String(us % 1_000).leftPadded(to: 3))ms"
}
