/// What a journal holds, in numbers: written by a clean close, or rebuilt by scanning.
public struct JournalSummary: Codable, Sendable, Equatable {
    /// Events of one kind.
    public struct KindCount: Codable, Sendable, Equatable {
        /// Kind id.
        public var kind: UInt32
        /// Kind name ("mmio-read", or "kind-<id>").
        public var name: String
        /// Number of events.
        public var count: UInt64
    }

    /// Events concerning one vGPU.
    public struct VGPUCount: Codable, Sendable, Equatable {
        /// vGPU number.
        public var vgpu: UInt32
        /// Number of events.
        public var count: UInt64
    }

    /// One kind of verdict seen in the capture.
    public struct VerdictCount: Codable, Sendable, Equatable {
        /// Verdict name ("hang", "failsafe", …).
        public var verdict: String
        /// How many times.
        public var count: UInt64
        /// Sequence number of the first.
        public var firstSequence: UInt64
    }

    /// Number of events.
    public var events: UInt64 = 0
    /// First and last sequence numbers (nil without events).
    public var firstSequence: UInt64?
    /// Last sequence number.
    public var lastSequence: UInt64?
    /// First and last timestamps (ns).
    public var firstTime: UInt64?
    /// Last timestamp (ns).
    public var lastTime: UInt64?
    /// Counts by kind, by id.
    public var byKind: [KindCount] = []
    /// Counts by vGPU, by number (events without a vGPU are not counted here).
    public var byVGPU: [VGPUCount] = []
    /// Verdicts seen, by name.
    public var verdicts: [VerdictCount] = []
    /// Distinct pages stored and their bytes.
    public var pages: UInt64 = 0
    /// Bytes stored for pages: whole contents, or the runs of pages stored as patches.
    public var pageBytes: UInt64 = 0
    /// Number of LZ4 event frames.
    public var frames: UInt64 = 0
    /// Bytes of the raw (decompressed) record stream.
    public var rawBytes: UInt64 = 0
    /// The vGPUs created during the capture, in order, named vm1, vm2 … (from the
    /// `vgpu-created` records; a live capture's header is written before its VMs exist).
    /// Nil in summaries written before this field existed.
    public var vms: [JournalHeader.VM]?

    /// An empty summary.
    public init() {}

    /// Duration between the first and last event (ns).
    public var duration: UInt64 {
        guard let first = firstTime, let last = lastTime, last >= first else { return 0 }
        return last - first
    }
}

/// Accumulates a summary event by event with array-indexed counters.
struct SummaryBuilder {
    private var kindCounts = [UInt64](repeating: 0, count: 64)
    private var extensionCounts: [UInt32: UInt64] = [:]
    private var vgpuCounts: [UInt64] = []
    private var bigVGPUCounts: [UInt32: UInt64] = [:]
    private var verdicts: [String: (count: UInt64, first: UInt64)] = [:]
    private var vms: [JournalHeader.VM] = []
    private(set) var summary = JournalSummary()

    mutating func add(_ record: JournalRecord) {
        summary.events += 1
        if summary.firstSequence == nil {
            summary.firstSequence = record.sequence
            summary.firstTime = record.time
        }
        summary.lastSequence = record.sequence
        summary.lastTime = record.time
        let kind = record.event.kindID
        if kind < kindCounts.count { kindCounts[Int(kind)] += 1 } else { extensionCounts[kind, default: 0] += 1 }
        if let vgpu = record.event.vgpu {
            if vgpu < 1024 {
                if Int(vgpu) >= vgpuCounts.count { vgpuCounts += [UInt64](repeating: 0, count: Int(vgpu) + 1 - vgpuCounts.count) }
                vgpuCounts[Int(vgpu)] += 1
            } else {
                bigVGPUCounts[vgpu, default: 0] += 1
            }
        }
        if case let .vgpuCreated(vgpu, type) = record.event {
            vms.append(JournalHeader.VM(name: "vm\(vms.count + 1)", vgpu: vgpu, vgpuType: type))
        }
        if let verdict = record.event.verdict {
            let seen = verdicts[verdict] ?? (0, record.sequence)
            verdicts[verdict] = (seen.count + 1, seen.first)
        }
    }

    mutating func addPage(bytes: Int) {
        summary.pages += 1
        summary.pageBytes += UInt64(bytes)
    }

    mutating func addFrame(rawBytes: Int) {
        summary.frames += 1
        summary.rawBytes += UInt64(rawBytes)
    }

    /// The summary with its lists filled, sorted.
    func finished() -> JournalSummary {
        var s = summary
        var kinds: [JournalSummary.KindCount] = []
        for (id, count) in kindCounts.enumerated() where count > 0 {
            kinds.append(.init(kind: UInt32(id), name: JournalEventKind.name(of: UInt32(id)), count: count))
        }
        for id in extensionCounts.keys.sorted() {
            kinds.append(.init(kind: id, name: JournalEventKind.name(of: id), count: extensionCounts[id]!))
        }
        s.byKind = kinds
        var vgpus: [JournalSummary.VGPUCount] = []
        for (id, count) in vgpuCounts.enumerated() where count > 0 { vgpus.append(.init(vgpu: UInt32(id), count: count)) }
        for id in bigVGPUCounts.keys.sorted() { vgpus.append(.init(vgpu: id, count: bigVGPUCounts[id]!)) }
        s.byVGPU = vgpus
        s.vms = vms
        s.verdicts = verdicts.keys.sorted().map { .init(verdict: $0, count: verdicts[$0]!.count, firstSequence: verdicts[$0]!.first) }
        return s
    }
}

extension JournalSummary {
    /// Whether a trailer's summary agrees with the one a scan computes. Version-2 writers
    /// before release 0.3.0's fix counted a page stored as a patch as a whole page in
    /// `pageBytes` (a scan counts the patch), so for version 2 that one statistic is not
    /// compared: the events, pages and frames it describes are what the rest checks.
    func agrees(with scanned: JournalSummary, formatVersion: UInt32) -> Bool {
        guard formatVersion == 2 else { return self == scanned }
        var mine = self
        mine.pageBytes = scanned.pageBytes
        return mine == scanned
    }
}
