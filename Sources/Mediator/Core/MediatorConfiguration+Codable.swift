import GPUModel

// Explicit coding for the configuration a journal records: every field is encoded, and on
// decoding every field is optional and falls back to its default, so a configuration
// written before a field existed still decodes. Encoder and decoder sit side by side so
// they cannot drift; add a key to both when adding a field.

extension MediatorConfiguration: Codable {
    enum CodingKeys: String, CodingKey {
        case revision, hostLowGMSize, hostHighGMSize, hostFences, totalFences, vblankPeriod, schedulerPolicy,
             schedulerTiming
    }

    /// Decodes a configuration; absent fields take their defaults (`MediatorConfiguration()`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = MediatorConfiguration()
        self.init(
            revision: try c.decodeIfPresent(MediatorRevision.self, forKey: .revision) ?? defaults.revision,
            hostLowGMSize: try c.decodeIfPresent(UInt64.self, forKey: .hostLowGMSize) ?? defaults.hostLowGMSize,
            hostHighGMSize: try c.decodeIfPresent(UInt64.self, forKey: .hostHighGMSize) ?? defaults.hostHighGMSize,
            hostFences: try c.decodeIfPresent(Int.self, forKey: .hostFences) ?? defaults.hostFences,
            totalFences: try c.decodeIfPresent(Int.self, forKey: .totalFences) ?? defaults.totalFences,
            vblankPeriod: try c.decodeIfPresent(UInt64.self, forKey: .vblankPeriod) ?? defaults.vblankPeriod,
            schedulerPolicy: try c.decodeIfPresent(SchedulingPolicyKind.self, forKey: .schedulerPolicy)
                ?? defaults.schedulerPolicy,
            schedulerTiming: try c.decodeIfPresent(SchedulerTiming.self, forKey: .schedulerTiming)
                ?? defaults.schedulerTiming)
    }

    /// Encodes every field.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(revision, forKey: .revision)
        try c.encode(hostLowGMSize, forKey: .hostLowGMSize)
        try c.encode(hostHighGMSize, forKey: .hostHighGMSize)
        try c.encode(hostFences, forKey: .hostFences)
        try c.encode(totalFences, forKey: .totalFences)
        try c.encode(vblankPeriod, forKey: .vblankPeriod)
        try c.encode(schedulerPolicy, forKey: .schedulerPolicy)
        try c.encode(schedulerTiming, forKey: .schedulerTiming)
    }
}

extension SchedulerTiming: Codable {
    enum CodingKeys: String, CodingKey {
        case timeSlice, balancePeriod, balanceStages, priorityTime
    }

    /// Decodes the constants; absent fields take GVT's values. Zero or negative periods
    /// are a corrupt input, reported as a decoding error (never a crash).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let gvt = SchedulerTiming.gvt
        let timeSlice = try c.decodeIfPresent(UInt64.self, forKey: .timeSlice) ?? gvt.timeSlice
        let balancePeriod = try c.decodeIfPresent(UInt64.self, forKey: .balancePeriod) ?? gvt.balancePeriod
        let balanceStages = try c.decodeIfPresent(Int.self, forKey: .balanceStages) ?? gvt.balanceStages
        let priorityTime = try c.decodeIfPresent(UInt64.self, forKey: .priorityTime) ?? gvt.priorityTime
        guard timeSlice > 0, balancePeriod > 0, balanceStages > 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: timeSlice == 0 ? .timeSlice : balancePeriod == 0 ? .balancePeriod : .balanceStages, in: c,
                debugDescription: "scheduler periods must be positive (timeSlice \(timeSlice), balancePeriod "
                    + "\(balancePeriod), balanceStages \(balanceStages))")
        }
        self.init(timeSlice: timeSlice, balancePeriod: balancePeriod, balanceStages: balanceStages,
                  priorityTime: priorityTime)
    }

    /// Encodes every field.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timeSlice, forKey: .timeSlice)
        try c.encode(balancePeriod, forKey: .balancePeriod)
        try c.encode(balanceStages, forKey: .balanceStages)
        try c.encode(priorityTime, forKey: .priorityTime)
    }
}
