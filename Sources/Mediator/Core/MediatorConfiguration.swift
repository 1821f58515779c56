import GPUModel

/// Which GVT-g behaviour the mediator reproduces.
///
/// `current` is upstream GVT after the 2019 isolation fixes; `gvt2018` is the code before
/// them (GFX_MODE privilege-disable bit passed through, CSFE_CHICKEN1 cross-engine bits
/// passed through, index-mode writes not redirected, GGTT ranges allowed to straddle the
/// aperture and hidden slices), so that a journal can show an isolation bug and its fix.
public enum MediatorRevision: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case current
    case gvt2018 = "gvt-2018"
    public var description: String { rawValue }
}

/// Everything that configures a mediator; recorded in journals so replay rebuilds it.
///
/// Decoding is tolerant of older encodings: every field is optional in the input and
/// takes its default when absent (see `MediatorConfiguration+Codable.swift`). When adding
/// a field, give it a default in `init` and decode it with `decodeIfPresent`.
public struct MediatorConfiguration: Hashable, Sendable {
    /// Which GVT-g behaviour to reproduce.
    public var revision: MediatorRevision
    /// Host's own aperture (low GM) reservation (GVT: HOST_LOW_GM_SIZE, 128 MiB).
    public var hostLowGMSize: UInt64
    /// Host's own hidden (high GM) reservation (GVT: HOST_HIGH_GM_SIZE, 384 MiB).
    public var hostHighGMSize: UInt64
    /// Host's fences (GVT: HOST_FENCE, 4).
    public var hostFences: Int
    /// Fence registers on the part (Gen9: 32).
    public var totalFences: Int
    /// Vblank emulation period in ns (GVT ≤5.x: 16 ms; 60 Hz rework: 16.667 ms).
    public var vblankPeriod: UInt64
    /// The workload scheduler's policy (GVT: "tbs", the only one upstream).
    public var schedulerPolicy: SchedulingPolicyKind
    /// The scheduler's time constants (GVT: 1 ms tick, 100 ms balance in 10 stages, 2 s start-up priority).
    public var schedulerTiming: SchedulerTiming

    /// A configuration; the defaults are GVT's.
    public init(
        revision: MediatorRevision = .current, hostLowGMSize: UInt64 = 128 << 20, hostHighGMSize: UInt64 = 384 << 20,
        hostFences: Int = 4, totalFences: Int = 32, vblankPeriod: UInt64 = 16_666_667,
        schedulerPolicy: SchedulingPolicyKind = .timeBased, schedulerTiming: SchedulerTiming = .gvt
    ) {
        self.revision = revision
        self.hostLowGMSize = hostLowGMSize
        self.hostHighGMSize = hostHighGMSize
        self.hostFences = hostFences
        self.totalFences = totalFences
        self.vblankPeriod = vblankPeriod
        self.schedulerPolicy = schedulerPolicy
        self.schedulerTiming = schedulerTiming
    }
}

extension MediatorConfiguration {
    /// One stable, human-readable line: revision, scheduler policy, vblank period and the
    /// host's GM reservations, e.g. `revision current, scheduler tbs, vblank 16.666667 ms,
    /// host GM low 128 MiB high 384 MiB`.
    public var summary: String {
        "revision \(revision), scheduler \(schedulerPolicy), vblank \(Self.milliseconds(vblankPeriod)), "
            + "host GM low \(Self.size(hostLowGMSize)) high \(Self.size(hostHighGMSize))"
    }

    /// Nanoseconds as milliseconds with up to six decimals, trailing zeros dropped.
    static func milliseconds(_ ns: UInt64) -> String {
        var fraction = String(ns % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return "\(ns / 1_000_000)\(fraction.isEmpty ? "" : "." + fraction) ms"
    }

    /// Bytes in MiB when a whole number of MiB, else in KiB or bytes.
    static func size(_ bytes: UInt64) -> String {
        if bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) B"
    }
}

/// The mediator's own version, recorded in journals.
public enum MediatorVersion {
    /// Release of this mediator implementation.
    public static let release = "0.1.0"
}
