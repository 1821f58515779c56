import GPUModel

/// A fixed-slice round robin, for comparison with GVT's "tbs": weights are ignored, each
/// vGPU with pending work keeps the GPU for one time slice (1 ms), then the next queued
/// vGPU with work gets it. Same run queue, start and stop as "tbs", no budgets, no
/// start-up priority.
public struct RoundRobinPolicy: SchedulingPolicy {
    /// One vGPU's scheduling data.
    public struct VGPUData: Hashable, Sendable, Codable, PolicyVGPUData {
        /// Configured weight (reported, not used).
        public var weight: Int
        /// On the run queue.
        public var active = false
        /// When its current slice began (set when scheduled in or re-picked).
        public var sliceStart = VirtualTime.zero
        /// When it was last charged.
        public var chargedUntil = VirtualTime.zero
        /// Total time charged, ns.
        public var schedTime: UInt64 = 0

        /// Fresh data for a vGPU of `weight`.
        public init(weight: Int) { self.weight = weight }
    }

    public var kind: SchedulingPolicyKind { .roundRobin }
    /// The time constants; `timeSlice` is the round-robin slice.
    public let timing: SchedulerTiming
    /// Per-vGPU data and the run queue.
    private var book = PolicyBook<VGPUData>()
    /// Per-vGPU data by `VGPUID.rawValue`.
    public var data: [VGPUData?] { book.data }
    /// The run queue, head first; a picked vGPU moves to the tail.
    public var runQueue: [VGPUID] { book.runQueue }
    /// The vGPU last scheduled in (the policy's view of the current vGPU).
    public private(set) var current: VGPUID?

    public init(timing: SchedulerTiming = .gvt) { self.timing = timing }

    public mutating func clean() {
        book.clean()
        current = nil
    }

    public mutating func initVGPU(_ vgpu: VGPUID, weight: Int) { book.initVGPU(vgpu, weight: weight) }

    public mutating func cleanVGPU(_ vgpu: VGPUID) {
        guard isGuest(vgpu) else { return }
        _ = stopSchedule(vgpu)
        book.data[vgpu.rawValue] = nil
    }

    public mutating func startSchedule(_ vgpu: VGPUID, now: VirtualTime) -> Bool {
        guard book.mayStart(vgpu) else { return false }
        book.enqueue(vgpu, atHead: false)
        return true
    }

    public mutating func stopSchedule(_ vgpu: VGPUID) -> Bool {
        guard book.dequeue(vgpu) else { return false }
        if current == vgpu { current = nil }
        return true
    }

    public mutating func timerExpired(now: VirtualTime) -> Int? { nil }

    public mutating func charge(_ vgpu: VGPUID, now: VirtualTime) {
        guard isGuest(vgpu), var d = book.data[vgpu.rawValue] else { return }
        if now > d.chargedUntil { d.schedTime &+= now.nanoseconds - d.chargedUntil.nanoseconds }
        d.chargedUntil = now
        book.data[vgpu.rawValue] = d
    }

    public mutating func scheduledIn(_ vgpu: VGPUID, now: VirtualTime) {
        current = isGuest(vgpu) ? vgpu : nil
        guard isGuest(vgpu) else { return }
        book.data[vgpu.rawValue]?.sliceStart = now
        book.data[vgpu.rawValue]?.chargedUntil = now
    }

    public mutating func schedule(now: VirtualTime, pendingWork: (VGPUID) -> Bool) -> PolicyPick? {
        guard !runQueue.isEmpty else { return nil }
        if let current, let d = book.data[current.rawValue], d.active, pendingWork(current),
            now.nanoseconds &- d.sliceStart.nanoseconds < timing.timeSlice
        {
            return PolicyPick(vgpu: current, reason: .sliceLeft)
        }
        guard let position = runQueue.firstIndex(where: pendingWork) else {
            return PolicyPick(vgpu: .idle, reason: .nothingRunnable)
        }
        let id = book.moveToTail(at: position)
        if id == current { book.data[id.rawValue]!.sliceStart = now }
        return PolicyPick(vgpu: id, reason: .roundRobin)
    }

    public func budget(of vgpu: VGPUID, pendingWork: Bool) -> VGPUBudget? {
        guard isGuest(vgpu), let d = book.data[vgpu.rawValue] else { return nil }
        return VGPUBudget(vgpu: vgpu, weight: d.weight, leftTS: 0, allocatedTS: 0, schedTime: d.schedTime,
                          priority: false, pendingWork: pendingWork)
    }
}
