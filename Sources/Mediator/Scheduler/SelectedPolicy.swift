import GPUModel

/// The policy chosen by `MediatorConfiguration.schedulerPolicy`, without an existential:
/// it holds one value of each policy and forwards to the selected one in place.
public struct SelectedPolicy: SchedulingPolicy {
    public let kind: SchedulingPolicyKind
    /// The time constants both policies use.
    public let timing: SchedulerTiming
    /// The time-based policy (used when `kind == .timeBased`).
    public private(set) var timeBased: TimeBasedPolicy
    /// The round-robin policy (used when `kind == .roundRobin`).
    public private(set) var roundRobin: RoundRobinPolicy

    /// The policy `kind` with `timing`.
    public init(_ kind: SchedulingPolicyKind, timing: SchedulerTiming = .gvt) {
        self.kind = kind
        self.timing = timing
        timeBased = TimeBasedPolicy(timing: timing)
        roundRobin = RoundRobinPolicy(timing: timing)
    }

    /// GVT's policy with `timing`.
    public init(timing: SchedulerTiming) { self.init(.timeBased, timing: timing) }

    public var runQueue: [VGPUID] {
        switch kind {
        case .timeBased: timeBased.runQueue
        case .roundRobin: roundRobin.runQueue
        }
    }

    public mutating func clean() {
        switch kind {
        case .timeBased: timeBased.clean()
        case .roundRobin: roundRobin.clean()
        }
    }

    public mutating func initVGPU(_ vgpu: VGPUID, weight: Int) {
        switch kind {
        case .timeBased: timeBased.initVGPU(vgpu, weight: weight)
        case .roundRobin: roundRobin.initVGPU(vgpu, weight: weight)
        }
    }

    public mutating func cleanVGPU(_ vgpu: VGPUID) {
        switch kind {
        case .timeBased: timeBased.cleanVGPU(vgpu)
        case .roundRobin: roundRobin.cleanVGPU(vgpu)
        }
    }

    public mutating func startSchedule(_ vgpu: VGPUID, now: VirtualTime) -> Bool {
        switch kind {
        case .timeBased: timeBased.startSchedule(vgpu, now: now)
        case .roundRobin: roundRobin.startSchedule(vgpu, now: now)
        }
    }

    public mutating func stopSchedule(_ vgpu: VGPUID) -> Bool {
        switch kind {
        case .timeBased: timeBased.stopSchedule(vgpu)
        case .roundRobin: roundRobin.stopSchedule(vgpu)
        }
    }

    public mutating func timerExpired(now: VirtualTime) -> Int? {
        switch kind {
        case .timeBased: timeBased.timerExpired(now: now)
        case .roundRobin: roundRobin.timerExpired(now: now)
        }
    }

    public mutating func charge(_ vgpu: VGPUID, now: VirtualTime) {
        switch kind {
        case .timeBased: timeBased.charge(vgpu, now: now)
        case .roundRobin: roundRobin.charge(vgpu, now: now)
        }
    }

    public mutating func scheduledIn(_ vgpu: VGPUID, now: VirtualTime) {
        switch kind {
        case .timeBased: timeBased.scheduledIn(vgpu, now: now)
        case .roundRobin: roundRobin.scheduledIn(vgpu, now: now)
        }
    }

    public mutating func schedule(now: VirtualTime, pendingWork: (VGPUID) -> Bool) -> PolicyPick? {
        switch kind {
        case .timeBased: timeBased.schedule(now: now, pendingWork: pendingWork)
        case .roundRobin: roundRobin.schedule(now: now, pendingWork: pendingWork)
        }
    }

    public func budget(of vgpu: VGPUID, pendingWork: Bool) -> VGPUBudget? {
        switch kind {
        case .timeBased: timeBased.budget(of: vgpu, pendingWork: pendingWork)
        case .roundRobin: roundRobin.budget(of: vgpu, pendingWork: pendingWork)
        }
    }
}
