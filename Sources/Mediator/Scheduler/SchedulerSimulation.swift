import GPUModel

/// A deterministic load driver for the scheduler: vGPUs submit workloads of a fixed
/// duration, the GPU runs them back to back, the 1 ms timer ticks, and the scheduler
/// decides; virtual time only, no threads. It plays the part of GVT's per-engine dispatch
/// threads (`workload_thread`: dispatch only for the current vGPU while no reschedule is
/// pending, report completions), so that policies can be compared on the same load and
/// the scheduler's throughput measured (the benchmark uses it).
public struct SchedulerSimulation: Sendable {
    /// One vGPU's load.
    public struct Load: Hashable, Sendable {
        /// The vGPU.
        public var vgpu: VGPUID
        /// Its weight (1...16).
        public var weight: Int
        /// Engines it keeps busy (one queue per engine).
        public var engines: EngineMask
        /// GPU time each workload takes, ns.
        public var workloadDuration: UInt64
        /// When its execlists are enabled (start_schedule) and its first workload is queued.
        public var start: VirtualTime
        /// When it stops queueing new workloads.
        public var stop: VirtualTime
        /// Workloads per engine (nil = unbounded).
        public var workloads: Int?

        /// A load; unbounded and never stopping unless told.
        public init(vgpu: VGPUID, weight: Int, engines: EngineMask = .rcs, workloadDuration: UInt64,
                    start: VirtualTime = .zero, stop: VirtualTime = .never, workloads: Int? = nil) {
            self.vgpu = vgpu
            self.weight = weight
            self.engines = engines
            self.workloadDuration = workloadDuration
            self.start = start
            self.stop = stop
            self.workloads = workloads
        }
    }

    /// The scheduler under test.
    public private(set) var scheduler: Scheduler
    /// The loads, one per vGPU.
    public let loads: [Load]
    /// Virtual time reached.
    public private(set) var now = VirtualTime.zero
    /// Every decision taken, in order (kept only when `recordDecisions`).
    public private(set) var decisions: [SchedulerDecision] = []
    /// Number of decisions taken.
    public private(set) var decisionCount = 0
    /// Keep decisions in `decisions`.
    public var recordDecisions: Bool
    /// GPU time consumed by each vGPU's completed workloads, by `VGPUID.rawValue`.
    public private(set) var gpuTime: [UInt64] = Array(repeating: 0, count: VGPUID.limit)
    /// Workloads completed, by `VGPUID.rawValue`.
    public private(set) var completed: [Int] = Array(repeating: 0, count: VGPUID.limit)
    /// Per engine index: the running workload's vGPU, start and end.
    private var running: [(vgpu: VGPUID, end: VirtualTime)?] = Array(repeating: nil, count: EngineID.count)
    /// Per load and engine index: workloads dispatched.
    private var dispatched: [[Int]]
    /// Per load: start_schedule done.
    private var started: [Bool]
    /// Next timer expiry.
    private var nextTick: VirtualTime

    /// A simulation of `loads` under `scheduler`; every load's vGPU is given scheduling data.
    public init(scheduler: Scheduler, loads: [Load], recordDecisions: Bool = true) {
        precondition(Set(loads.map(\.vgpu)).count == loads.count, "one load per vGPU")
        self.scheduler = scheduler
        self.loads = loads
        self.recordDecisions = recordDecisions
        dispatched = Array(repeating: Array(repeating: 0, count: EngineID.count), count: loads.count)
        started = Array(repeating: false, count: loads.count)
        nextTick = VirtualTime(nanoseconds: scheduler.policy.timing.timeSlice)
        for load in loads { self.scheduler.addVGPU(load.vgpu, weight: load.weight) }
    }

    /// The engines running a workload.
    public var busyEngines: EngineMask {
        var mask: EngineMask = []
        for index in 0..<EngineID.count where running[index] != nil { mask.insert(EngineMask(EngineID.at(index: index))) }
        return mask
    }

    /// True if `load` has a workload queued or running on some engine (GVT:
    /// `vgpu_has_pending_workload`: a running workload stays on its queue until it completes).
    private func hasPendingWork(_ index: Int) -> Bool {
        let load = loads[index]
        guard started[index] else { return false }
        for engine in load.engines.engines {
            if let job = running[engine.index], job.vgpu == load.vgpu { return true }
            if canQueue(index, engine) { return true }
        }
        return false
    }

    private func canQueue(_ index: Int, _ engine: EngineID) -> Bool {
        let load = loads[index]
        return now < load.stop && (load.workloads.map { dispatched[index][engine.index] < $0 } ?? true)
    }

    /// Pending work of every vGPU now, by `VGPUID.rawValue`.
    private func pendingWork() -> [Bool] {
        var pending = Array(repeating: false, count: VGPUID.limit)
        for index in loads.indices { pending[loads[index].vgpu.rawValue] = hasPendingWork(index) }
        return pending
    }

    private mutating func record(_ new: [SchedulerDecision]) {
        decisionCount += new.count
        if recordDecisions { decisions += new }
    }

    /// Runs until `end` (inclusive of events at `end`).
    public mutating func run(until end: VirtualTime) {
        while true {
            var next = nextTick
            for job in running { if let job, job.end < next { next = job.end } }
            for (index, load) in loads.enumerated() where !started[index] && load.start < next { next = load.start }
            guard next <= end else { break }
            now = max(now, next)
            step()
        }
        now = max(now, end)
    }

    /// Everything due at `now`: completions, starts, the timer, then dispatch.
    private mutating func step() {
        for index in 0..<EngineID.count {
            guard let job = running[index], job.end <= now else { continue }
            running[index] = nil
            let slot = job.vgpu.rawValue
            gpuTime[slot] += loads.first { $0.vgpu == job.vgpu }!.workloadDuration
            completed[slot] += 1
            let busy = busyEngines, pending = pendingWork()
            record(scheduler.workloadCompleted(engine: EngineID.at(index: index), now: now,
                                               pendingWork: { pending[$0.rawValue] }, enginesBusy: busy))
        }
        for (index, load) in loads.enumerated() where !started[index] && load.start <= now {
            started[index] = true
            record(scheduler.startSchedule(vgpu: load.vgpu, weight: load.weight, now: now))
            let busy = busyEngines, pending = pendingWork()
            record(scheduler.requestSchedule(now: now, pendingWork: { pending[$0.rawValue] }, enginesBusy: busy))
        }
        if now >= nextTick {
            let busy = busyEngines, pending = pendingWork()
            record(scheduler.tick(now: now, pendingWork: { pending[$0.rawValue] }, enginesBusy: busy))
            nextTick = nextTick + scheduler.policy.timing.timeSlice
        }
        dispatch()
    }

    /// GVT's `pick_next_workload` on every idle engine.
    private mutating func dispatch() {
        guard let current = scheduler.currentVGPU, scheduler.mayDispatch(current),
            let index = loads.firstIndex(where: { $0.vgpu == current })
        else { return }
        for engine in loads[index].engines.engines where running[engine.index] == nil && canQueue(index, engine) {
            dispatched[index][engine.index] += 1
            running[engine.index] = (current, now + loads[index].workloadDuration)
        }
    }
}
