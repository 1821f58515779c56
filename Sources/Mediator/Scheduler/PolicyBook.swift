import GPUModel

/// Per-vGPU data a scheduling policy keeps in its book: a weight and a run-queue flag.
protocol PolicyVGPUData: Hashable, Sendable {
    /// Fresh data for a vGPU of `weight`.
    init(weight: Int)
    /// Relative share, 1...16.
    var weight: Int { get set }
    /// On the run queue.
    var active: Bool { get set }
}

/// The bookkeeping every policy shares (GVT: `sched_data` per vGPU and `lru_runq_head`):
/// per-vGPU data in an array indexed by `VGPUID.rawValue` (nil = unknown vGPU) and the run
/// queue, head first. The policies decide where a started vGPU goes and what a pick does.
struct PolicyBook<Entry: PolicyVGPUData>: Hashable, Sendable {
    /// Per-vGPU data by `VGPUID.rawValue`.
    var data: [Entry?] = Array(repeating: nil, count: VGPUID.limit)
    /// The run queue, head first.
    var runQueue: [VGPUID] = []

    /// Forgets every vGPU (GVT: `clean`).
    mutating func clean() {
        data = Array(repeating: nil, count: VGPUID.limit)
        runQueue = []
    }

    /// Creates a guest vGPU's data, or updates its weight if known (GVT: `init_vgpu`).
    mutating func initVGPU(_ vgpu: VGPUID, weight: Int) {
        precondition(isGuest(vgpu), "the idle vGPU is never scheduled by a policy")
        precondition((1...SchedulerTiming.maxWeight).contains(weight), "vGPU weight must be 1...16")
        if data[vgpu.rawValue] == nil { data[vgpu.rawValue] = Entry(weight: weight) } else { data[vgpu.rawValue]!.weight = weight }
    }

    /// True if `vgpu` is a known guest not yet on the run queue (may be started).
    func mayStart(_ vgpu: VGPUID) -> Bool {
        isGuest(vgpu) && data[vgpu.rawValue] != nil && !runQueue.contains(vgpu)
    }

    /// Marks a startable vGPU active and queues it at the head or the tail.
    mutating func enqueue(_ vgpu: VGPUID, atHead: Bool) {
        precondition(mayStart(vgpu), "enqueue of an unknown or queued vGPU")
        data[vgpu.rawValue]!.active = true
        if atHead { runQueue.insert(vgpu, at: 0) } else { runQueue.append(vgpu) }
    }

    /// Takes `vgpu` off the run queue and marks it inactive; false if it was not queued.
    mutating func dequeue(_ vgpu: VGPUID) -> Bool {
        guard let index = runQueue.firstIndex(of: vgpu) else { return false }
        runQueue.remove(at: index)
        data[vgpu.rawValue]?.active = false
        return true
    }

    /// Moves the vGPU at `position` of the run queue to its tail; returns it.
    @discardableResult
    mutating func moveToTail(at position: Int) -> VGPUID {
        let id = runQueue.remove(at: position)
        runQueue.append(id)
        return id
    }
}
