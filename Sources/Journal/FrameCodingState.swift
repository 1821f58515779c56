/// What the encoder and the decoder of a version-3 frame remember about the records before
/// the current one (docs/journal-format.md, "Per-frame coding state").
///
/// Both sides update it identically after each record and reset it at every frame start,
/// so a frame still decodes on its own (seek, salvage). Every table is a fixed-size,
/// direct-mapped array indexed by a hash of its key: a collision simply overwrites the older
/// entry (a later miss costs a few bytes, never a wrong decode, because each entry keeps its
/// whole key). No dictionary lookups on the per-trap path; memory is bounded.
struct FrameCodingState {
    /// Sequence of the previous event of the frame (nil at a frame start).
    var previousSequence: UInt64?
    /// Time of the previous event of the frame (0 at a frame start).
    var previousTime: UInt64 = 0

    // MARK: Page keys

    /// Keys named in this frame (page records, page patches, keys written in full), oldest first.
    private(set) var keys: [PageKey] = []
    /// Key → position in `keys` (encoder side only).
    private var keyPositions: [PageKey: Int] = [:]

    /// Remembers a key (a stored page, or a key written in full).
    mutating func note(_ key: PageKey, encoding: Bool) {
        if encoding { keyPositions[key] = keys.count }
        keys.append(key)
    }

    /// The reference number of `key` (1 = the newest noted key), or nil if not noted in this frame.
    func reference(of key: PageKey) -> Int? {
        keyPositions[key].map { keys.count - $0 }
    }

    /// The key a reference number names, nil if out of range.
    func key(reference: UInt64) -> PageKey? {
        guard reference >= 1, reference <= UInt64(keys.count) else { return nil }
        return keys[keys.count - Int(reference)]
    }

    // MARK: MMIO traps

    /// vGPU and vCPU of the previous trap (nil: none yet).
    var lastTrapSource: (vgpu: UInt32, vcpu: UInt32)?

    /// The previous trap of one vCPU.
    struct VCPUEntry {
        var vgpu: UInt32 = 0, vcpu: UInt32 = 0, valid = false
        var rip: UInt64 = 0, offset: UInt32 = 0
    }

    /// What was seen at one (rip, offset): the instruction, its size, the last value, and the
    /// (rip, offset) of the trap the same vCPU made next.
    struct SiteEntry {
        var rip: UInt64 = 0, offset: UInt32 = 0, valid = false
        var instruction: [UInt8] = []
        var size: UInt8 = 0
        var value: UInt64 = 0
        var hasSuccessor = false
        var nextRip: UInt64 = 0, nextOffset: UInt32 = 0
    }

    static let vcpuSlots = 64
    static let siteSlots = 1024
    private(set) var vcpus = [VCPUEntry](repeating: VCPUEntry(), count: vcpuSlots)
    private(set) var sites = [SiteEntry](repeating: SiteEntry(), count: siteSlots)

    @inline(__always) static func vcpuSlot(_ vgpu: UInt32, _ vcpu: UInt32) -> Int {
        Int(truncatingIfNeeded: ((UInt64(vgpu) &* 0x9E37_79B9 &+ UInt64(vcpu)) &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }

    @inline(__always) static func siteSlot(_ rip: UInt64, _ offset: UInt32) -> Int {
        Int(truncatingIfNeeded: ((rip ^ UInt64(offset) &* 0xC2B2_AE3D_27D4_EB4F) &* 0x9E37_79B9_7F4A_7C15) >> 54)
    }

    /// The previous (rip, offset) of a vCPU in this frame, (0, 0) if none.
    @inline(__always) func previousTrap(vgpu: UInt32, vcpu: UInt32) -> (rip: UInt64, offset: UInt32) {
        let e = vcpus[Self.vcpuSlot(vgpu, vcpu)]
        guard e.valid, e.vgpu == vgpu, e.vcpu == vcpu else { return (0, 0) }
        return (e.rip, e.offset)
    }

    /// The site entry of (rip, offset), if present.
    @inline(__always) func site(rip: UInt64, offset: UInt32) -> SiteEntry? {
        let e = sites[Self.siteSlot(rip, offset)]
        guard e.valid, e.rip == rip, e.offset == offset else { return nil }
        return e
    }

    /// The predicted (rip, offset) following `previous` (the vCPU's previous trap).
    @inline(__always) func successor(of previous: (rip: UInt64, offset: UInt32)) -> (rip: UInt64, offset: UInt32)? {
        guard let e = site(rip: previous.rip, offset: previous.offset), e.hasSuccessor else { return nil }
        return (e.nextRip, e.nextOffset)
    }

    /// Records a trap after it was coded.
    mutating func noteTrap(_ t: MMIOTrap, previous: (rip: UInt64, offset: UInt32)) {
        lastTrapSource = (t.vgpu, t.vcpu)
        vcpus[Self.vcpuSlot(t.vgpu, t.vcpu)] = VCPUEntry(vgpu: t.vgpu, vcpu: t.vcpu, valid: true, rip: t.rip, offset: t.offset)
        let from = Self.siteSlot(previous.rip, previous.offset)
        if sites[from].valid, sites[from].rip == previous.rip, sites[from].offset == previous.offset {
            sites[from].hasSuccessor = true
            sites[from].nextRip = t.rip
            sites[from].nextOffset = t.offset
        } else {
            sites[from] = SiteEntry(rip: previous.rip, offset: previous.offset, valid: true, instruction: [], size: 0, value: 0,
                                    hasSuccessor: true, nextRip: t.rip, nextOffset: t.offset)
        }
        let at = Self.siteSlot(t.rip, t.offset)
        if sites[at].valid, sites[at].rip == t.rip, sites[at].offset == t.offset {
            if sites[at].instruction != t.instruction { sites[at].instruction = t.instruction }
            sites[at].size = t.size
            sites[at].value = t.value
        } else {
            sites[at] = SiteEntry(rip: t.rip, offset: t.offset, valid: true, instruction: t.instruction, size: t.size,
                                  value: t.value, hasSuccessor: false, nextRip: 0, nextOffset: 0)
        }
    }

    // MARK: Scheduler decisions

    /// Budgets of the previous scheduler decision of the frame (empty at a frame start).
    var lastBudgets: [Int64] = []

    /// Forgets everything (a frame starts).
    mutating func reset() {
        previousSequence = nil
        previousTime = 0
        if !keys.isEmpty {
            keys.removeAll(keepingCapacity: true)
            keyPositions.removeAll(keepingCapacity: true)
        }
        lastTrapSource = nil
        for i in vcpus.indices where vcpus[i].valid { vcpus[i].valid = false }
        for i in sites.indices where sites[i].valid { sites[i] = SiteEntry() }
        lastBudgets = []
    }
}
