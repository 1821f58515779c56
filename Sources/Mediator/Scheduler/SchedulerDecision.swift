import GPUModel

/// What woke the scheduler (GVT: the service-request bits and the calls into `sched_policy.c`).
public enum SchedulerTrigger: String, Hashable, Sendable, Codable {
    /// The 1 ms scheduler timer (GVT: `INTEL_GVT_REQUEST_SCHED`).
    case timer
    /// A new workload or another event (GVT: `INTEL_GVT_REQUEST_EVENT_SCHED`).
    case event
    /// A workload completed while a reschedule was pending (GVT: `complete_current_workload`
    /// kicking `INTEL_GVT_REQUEST_EVENT_SCHED`).
    case completion
    /// `intel_vgpu_start_schedule`.
    case start
    /// `intel_vgpu_stop_schedule`.
    case stop
}

/// One scheduler decision, with the run queue and budgets that led to it: a plain value the
/// journal records and replay compares (architecture: "a scheduler decision (engine, from
/// vGPU, to vGPU, reason, budgets)").
public struct SchedulerDecision: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The kinds of decision.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The policy chose a guest vGPU as next (GVT: `scheduler->next_vgpu = vgpu`).
        case pick
        /// The policy found nobody runnable and chose the idle vGPU.
        case idle
        /// The choice was the current vGPU: nothing to do (`next == current`).
        case stay
        /// A switch is pending until the busy engines drain (`need_reschedule`, no preemption).
        case waitForDrain = "wait-for-drain"
        /// The current vGPU changed; dispatch resumes on every engine.
        case `switch`
        /// A vGPU joined the run queue.
        case start
        /// A vGPU left the run queue.
        case stop
    }

    /// When it was decided.
    public var time: VirtualTime
    /// What woke the scheduler.
    public var trigger: SchedulerTrigger
    /// What was decided.
    public var kind: Kind
    /// Engines concerned: the busy ones for `waitForDrain`, all for `switch` (every engine
    /// thread is woken), none otherwise.
    public var engines: EngineMask
    /// The current vGPU before the decision (nil = none, `VGPUID.idle` = the idle vGPU).
    public var from: VGPUID?
    /// The vGPU chosen, switched to, started or stopped.
    public var to: VGPUID?
    /// Why.
    public var reason: SchedulerReason
    /// The balance stage run by this scheduling pass, if any (0 = debt forgotten).
    public var balanceStage: Int?
    /// The run queue, head first, with each vGPU's budgets, as the decision saw it.
    public var runQueue: [VGPUBudget]

    /// A decision (the scheduler builds these).
    public init(time: VirtualTime, trigger: SchedulerTrigger, kind: Kind, engines: EngineMask = [], from: VGPUID?,
                to: VGPUID?, reason: SchedulerReason, balanceStage: Int? = nil, runQueue: [VGPUBudget]) {
        self.time = time
        self.trigger = trigger
        self.kind = kind
        self.engines = engines
        self.from = from
        self.to = to
        self.reason = reason
        self.balanceStage = balanceStage
        self.runQueue = runQueue
    }

    public var description: String {
        var text = "\(time) \(trigger) \(kind.rawValue) \(from.map(String.init(describing:)) ?? "none")"
            + " -> \(to.map(String.init(describing:)) ?? "none") (\(reason.rawValue))"
        if !engines.isEmpty { text += " engines " + engines.engines.map(\.name).joined(separator: ",") }
        if let balanceStage { text += " stage \(balanceStage)" }
        if !runQueue.isEmpty { text += " [" + runQueue.map(\.description).joined(separator: "; ") + "]" }
        return text
    }
}
