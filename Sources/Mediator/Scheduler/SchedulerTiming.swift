import GPUModel

/// Which scheduling policy the workload scheduler runs (recorded in the configuration, so
/// replay rebuilds the same one).
///
/// GVT only ever had "tbs"; the round-robin policy exists so that a journal can show how
/// the same load is scheduled without budgets.
public enum SchedulingPolicyKind: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// GVT's time-based scheduler (`sched_policy.c`, `tbs_schedule_ops`).
    case timeBased = "tbs"
    /// A fixed-slice round robin that ignores weights (for comparison).
    case roundRobin = "round-robin"

    /// The policy named `name` ("tbs", "round-robin", or "rr").
    public init?(name: String) {
        switch name.lowercased() {
        case "tbs", "time-based", "timebased": self = .timeBased
        case "round-robin", "roundrobin", "rr": self = .roundRobin
        default: return nil
        }
    }

    public var description: String { rawValue }
}

/// The scheduler's time constants, in nanoseconds (GVT: the `#define`s of `sched_policy.c`).
public struct SchedulerTiming: Hashable, Sendable {
    /// Scheduler timer period (GVT: `GVT_DEFAULT_TIME_SLICE`, 1 ms); also the round-robin slice.
    public var timeSlice: UInt64
    /// Time-slice balance period (GVT: `GVT_TS_BALANCE_PERIOD_MS`, 100 ms).
    public var balancePeriod: UInt64
    /// Balance stages: stage 0 forgets debt and credit, the others carry it
    /// (GVT: `GVT_TS_BALANCE_STAGE_NUM`, 10).
    public var balanceStages: Int
    /// Start-up priority window of a newly started vGPU (GVT: `GVT_SCHED_VGPU_PRI_TIME`, 2 s).
    public var priorityTime: UInt64

    /// Custom constants; the defaults are GVT's.
    public init(
        timeSlice: UInt64 = 1_000_000, balancePeriod: UInt64 = 100_000_000, balanceStages: Int = 10,
        priorityTime: UInt64 = 2_000_000_000
    ) {
        precondition(timeSlice > 0 && balancePeriod > 0 && balanceStages > 0, "scheduler periods must be positive")
        self.timeSlice = timeSlice
        self.balancePeriod = balancePeriod
        self.balanceStages = balanceStages
        self.priorityTime = priorityTime
    }

    /// GVT's constants.
    public static let gvt = SchedulerTiming()

    /// Heaviest weight a vGPU may have (GVT: `VGPU_MAX_WEIGHT`).
    public static let maxWeight = 16
}
