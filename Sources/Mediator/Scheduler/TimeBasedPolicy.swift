import GPUModel

/// GVT's time-based scheduler, "tbs" (`sched_policy.c`).
///
/// - Every balance period (100 ms) the budgets are rebalanced in one of 10 stages: stage 0
///   grants each queued vGPU `allocated_ts = period / Σweight × weight` and forgets its debt
///   or credit (`left_ts = allocated_ts`); stages 1...9 add `allocated_ts` to what is left.
/// - The current vGPU is charged the time since it was last charged (`left_ts -= now −
///   sched_in_time`) at every scheduling pass and at every switch.
/// - The next vGPU is the first on the LRU run queue with pending workloads that is either
///   in its 2 s start-up window or has `left_ts > 0`; a pick outside the window moves the
///   vGPU to the queue's tail. Nobody → the idle vGPU.
/// - A started vGPU goes to the head of the queue with the start-up priority.
public struct TimeBasedPolicy: SchedulingPolicy {
    /// One vGPU's scheduling data (GVT: `struct vgpu_sched_data`).
    public struct VGPUData: Hashable, Sendable, Codable, PolicyVGPUData {
        /// Relative share (1...16) (GVT: `sched_ctl.weight`).
        public var weight: Int
        /// On the run queue (GVT: `active`).
        public var active = false
        /// In the start-up priority window (GVT: `pri_sched`); cleared lazily by the first
        /// run-queue walk that finds it expired.
        public var priority = false
        /// End of the start-up window (GVT: `pri_time`).
        public var priorityUntil = VirtualTime.zero
        /// When it was last scheduled in or charged (GVT: `sched_in_time`).
        public var schedInTime = VirtualTime.zero
        /// Total time charged, ns (GVT: `sched_time`).
        public var schedTime: UInt64 = 0
        /// Slice left, ns; negative = debt (GVT: `left_ts`).
        public var leftTS: Int64 = 0
        /// Slice granted per balance period, ns (GVT: `allocated_ts`).
        public var allocatedTS: Int64 = 0

        /// Fresh data (GVT: kzalloc'd) for a vGPU of `weight`.
        public init(weight: Int) { self.weight = weight }
    }

    public var kind: SchedulingPolicyKind { .timeBased }
    /// The time constants.
    public let timing: SchedulerTiming
    /// Per-vGPU data and the LRU run queue.
    private var book = PolicyBook<VGPUData>()
    /// Per-vGPU data by `VGPUID.rawValue` (nil = unknown vGPU).
    public var data: [VGPUData?] { book.data }
    /// The LRU run queue, head first (GVT: `lru_runq_head`).
    public var runQueue: [VGPUID] { book.runQueue }
    /// When the next balance is due (GVT: `gvt_sched_data.expire_time`).
    public private(set) var expireTime = VirtualTime.zero
    /// Balances performed so far; the stage is this modulo the stage count (GVT: the static
    /// `stage_check`).
    public private(set) var balanceCount: UInt64 = 0

    public init(timing: SchedulerTiming = .gvt) { self.timing = timing }

    public mutating func clean() {
        book.clean()
        expireTime = .zero
        balanceCount = 0
    }

    public mutating func initVGPU(_ vgpu: VGPUID, weight: Int) { book.initVGPU(vgpu, weight: weight) }

    public mutating func cleanVGPU(_ vgpu: VGPUID) {
        guard isGuest(vgpu) else { return }
        _ = stopSchedule(vgpu)
        book.data[vgpu.rawValue] = nil
    }

    public mutating func startSchedule(_ vgpu: VGPUID, now: VirtualTime) -> Bool {
        guard book.mayStart(vgpu) else { return false }
        book.data[vgpu.rawValue]!.priorityUntil = now + timing.priorityTime
        book.data[vgpu.rawValue]!.priority = true
        book.enqueue(vgpu, atHead: true)
        return true
    }

    public mutating func stopSchedule(_ vgpu: VGPUID) -> Bool { book.dequeue(vgpu) }

    public mutating func timerExpired(now: VirtualTime) -> Int? {
        guard now >= expireTime else { return nil }
        let stage = balance()
        expireTime = now + timing.balancePeriod
        return stage
    }

    /// One balance stage (GVT: `gvt_balance_timeslice`); returns the stage number.
    mutating func balance() -> Int {
        let stage = Int(balanceCount % UInt64(timing.balanceStages))
        balanceCount &+= 1
        if stage == 0 {
            var totalWeight = 0
            for id in runQueue { totalWeight += book.data[id.rawValue]!.weight }
            guard totalWeight > 0 else { return stage }
            let unit = Int64(timing.balancePeriod / UInt64(totalWeight))
            for id in runQueue {
                let fair = unit * Int64(book.data[id.rawValue]!.weight)
                book.data[id.rawValue]!.allocatedTS = fair
                book.data[id.rawValue]!.leftTS = fair
            }
        } else {
            for id in runQueue { book.data[id.rawValue]!.leftTS += book.data[id.rawValue]!.allocatedTS }
        }
        return stage
    }

    public mutating func charge(_ vgpu: VGPUID, now: VirtualTime) {
        guard isGuest(vgpu), var d = book.data[vgpu.rawValue] else { return }
        let delta = now > d.schedInTime ? now.nanoseconds - d.schedInTime.nanoseconds : 0
        d.schedTime &+= delta
        d.leftTS -= Int64(clamping: delta)
        d.schedInTime = now
        book.data[vgpu.rawValue] = d
    }

    public mutating func scheduledIn(_ vgpu: VGPUID, now: VirtualTime) {
        guard isGuest(vgpu) else { return }
        book.data[vgpu.rawValue]?.schedInTime = now
    }

    public mutating func schedule(now: VirtualTime, pendingWork: (VGPUID) -> Bool) -> PolicyPick? {
        guard !runQueue.isEmpty else { return nil }
        for (position, id) in runQueue.enumerated() where pendingWork(id) {
            if book.data[id.rawValue]!.priority {
                if now < book.data[id.rawValue]!.priorityUntil { return PolicyPick(vgpu: id, reason: .priorityWindow) }
                book.data[id.rawValue]!.priority = false
            }
            if book.data[id.rawValue]!.leftTS > 0 {
                book.moveToTail(at: position)
                return PolicyPick(vgpu: id, reason: .timeSliceLeft)
            }
        }
        return PolicyPick(vgpu: .idle, reason: .nothingRunnable)
    }

    public func budget(of vgpu: VGPUID, pendingWork: Bool) -> VGPUBudget? {
        guard isGuest(vgpu), let d = book.data[vgpu.rawValue] else { return nil }
        return VGPUBudget(vgpu: vgpu, weight: d.weight, leftTS: d.leftTS, allocatedTS: d.allocatedTS,
                          schedTime: d.schedTime, priority: d.priority, pendingWork: pendingWork)
    }
}

/// True for a guest vGPU id (1..<8), false for the idle vGPU and out-of-range ids.
@inline(__always) func isGuest(_ vgpu: VGPUID) -> Bool { vgpu.rawValue > 0 && vgpu.rawValue < VGPUID.limit }
