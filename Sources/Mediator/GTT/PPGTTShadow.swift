import GPUModel

/// The root of a guest PPGTT as the guest gives it: in PVINFO `pdp[]` with a g2v
/// notification, or in a context image's PDP slots (GVT: `guest_pdps[]` with
/// `GTT_TYPE_PPGTT_ROOT_L4_ENTRY` / `_L3_ENTRY`). Pointers are guest-physical; a zero
/// pointer is not present.
public enum GuestPPGTTRoot: Hashable, Sendable, Codable, CustomStringConvertible {
    /// 48-bit, 4-level: the guest-physical address of the PML4.
    case fourLevel(pml4: GuestPhysicalAddress)
    /// Legacy 32-bit, 3-level: four page-directory pointers.
    case threeLevel(pdps: [GuestPhysicalAddress])

    /// The same root with the low 12 bits of each pointer cleared and exactly four
    /// pointers for a 3-level root (missing ones 0, extra ones dropped): the lookup key.
    public var normalized: GuestPPGTTRoot {
        switch self {
        case .fourLevel(let pml4):
            return .fourLevel(pml4: GuestPhysicalAddress(pml4.rawValue & ~0xFFF))
        case .threeLevel(let pdps):
            return .threeLevel(pdps: (0..<4).map { GuestPhysicalAddress($0 < pdps.count ? pdps[$0].rawValue & ~0xFFF : 0) })
        }
    }

    /// The root pointers (one for 4-level, four for 3-level).
    public var pointers: [GuestPhysicalAddress] {
        switch self {
        case .fourLevel(let pml4): [pml4]
        case .threeLevel(let pdps): pdps
        }
    }

    /// Level of the tables the pointers point at: 4 (PML4) or 2 (page directories).
    var rootLevel: Int {
        if case .fourLevel = self { return 4 }
        return 2
    }

    /// A one-line summary.
    public var description: String {
        switch self {
        case .fourLevel(let pml4): "L4 root \(pml4)"
        case .threeLevel(let pdps): "L3 root [" + pdps.map { hex($0.rawValue, width: 9) }.joined(separator: ", ") + "]"
        }
    }
}

/// A reference to one shadow PPGTT of one vGPU (GVT: a `struct intel_vgpu_mm *`). A value:
/// once the shadow PPGTT is destroyed the handle is stale and every call with it is a no-op.
public struct ShadowPPGTTHandle: Hashable, Sendable, CustomStringConvertible {
    /// The vGPU that owns the shadow PPGTT.
    public let vgpu: VGPUID
    let slot: Int
    let generation: UInt32

    /// A one-line summary.
    public var description: String { "\(vgpu) ppgtt#\(slot).\(generation)" }
}

/// One shadow page table (GVT: `struct intel_vgpu_ppgtt_spt`): a host page mirroring one
/// guest page table, or a shadow-only page table holding a split 2 MiB page.
struct ShadowPageTable: Sendable {
    /// The guest page table shadowed; nil for a split 2 MiB page.
    var guestFrame: GuestFrameNumber?
    /// First gfn of the split 2 MiB page (split tables only).
    var splitBase = GuestFrameNumber(0)
    /// 4 = PML4, 3 = PDP, 2 = PD, 1 = PT.
    var level: Int
    /// A PT of 64 KiB pages (the guest PDE had IPS); only entries 0, 16, … 496 are read.
    var ips: Bool
    /// The host page holding the shadow entries.
    var hostFrame: PageFrameNumber
    /// Shadow entries and shadow roots pointing at this table.
    var refs = 1
    /// Per entry, the child shadow table it points at (-1: none); empty for level 1 unless split.
    var children: ContiguousArray<Int32>
    /// Entries whose guest half-write awaits `flushPostShadow` (GVT: `post_shadow_bitmap`).
    var postShadow = ContiguousArray<UInt64>()
    /// The table is on the post-shadow list.
    var queued = false

    init(guestFrame: GuestFrameNumber?, level: Int, ips: Bool, hostFrame: PageFrameNumber) {
        self.guestFrame = guestFrame
        self.level = level
        self.ips = ips
        self.hostFrame = hostFrame
        self.children = level > 1 ? ContiguousArray(repeating: -1, count: 512) : []
    }
}

/// One shadow PPGTT (GVT: `struct intel_vgpu_mm` of type PPGTT).
struct ShadowMM: Sendable {
    /// The guest root, normalized.
    var root: GuestPPGTTRoot
    /// Shadow tables of the root pointers (-1: not present), empty while not shadowed.
    var rootTables: [Int32] = []
    /// References (g2v create, workloads; GVT: `mm->ref`).
    var refs = 1
    /// Pins (workloads running; GVT: `pincount`). A pinned mm is never reclaimed.
    var pins = 0
    /// Shadow tables exist (GVT: `ppgtt_mm.shadowed`); false after reclaim until the next pin.
    var shadowed = false
    /// Being shadowed right now: never a reclaim victim.
    var building = false
    /// LRU stamp (larger = used more recently).
    var lastUsed: UInt64 = 0
}

/// The shadow PPGTTs of a vGPU and the shadow page tables behind them (GVT: `intel_vgpu_gtt`'s
/// `ppgtt_mm_list_head`, `spt_tree`, `tracked_guest_page_hash`, `scratch_pt[]`).
///
/// Tables are slots in an array (ids are slot numbers, freed slots reused LIFO) so that
/// parent→child links are array indices; guest frames map to the tables shadowing them.
public struct PPGTTShadow: Sendable {
    var tables: [ShadowPageTable?] = []
    var freeTableSlots: [Int32] = []
    /// Tables shadowing each guest frame (one per level/IPS interpretation); a frame is
    /// write-protected exactly while it has an entry here.
    var tablesByGuestFrame: [GuestFrameNumber: [Int32]] = [:]
    var mms: [ShadowMM?] = []
    var mmGenerations: [UInt32] = []
    /// Tables with half-written entries, in the order they were queued.
    var postShadowTables: [Int32] = []
    /// Scratch pages: [0] a zero data page, [k] a level-k table whose entries all point
    /// (present) at scratch [k − 1]. Allocated on first use, freed by `invalidatePPGTT`.
    var scratch: [PageFrameNumber?] = [nil, nil, nil, nil]
    var lruClock: UInt64 = 0
    /// Host-page allocations that failed while shadowing (detects a failed build).
    var allocationFailures = 0

    /// Empty: no shadow PPGTT.
    public init() {}

    /// Number of live shadow page tables.
    public var tableCount: Int { tables.count - freeTableSlots.count }
    /// Number of shadow PPGTTs (shadowed or reclaimed).
    public var ppgttCount: Int { mms.lazy.filter { $0 != nil }.count }
    /// Guest frames write-protected as page tables, ascending.
    public var trackedGuestFrames: [GuestFrameNumber] { tablesByGuestFrame.keys.sorted() }
    /// Host frames of the live shadow page tables, ascending.
    public var shadowTableFrames: [PageFrameNumber] { tables.compactMap { $0?.hostFrame }.sorted() }
    /// Allocated scratch pages, data page first.
    public var scratchFrames: [PageFrameNumber] { scratch.compactMap { $0 } }

    // MARK: Table slots

    /// Stores a new table and returns its id.
    mutating func insert(_ table: ShadowPageTable) -> Int32 {
        let id: Int32
        if let slot = freeTableSlots.popLast() {
            id = slot
            tables[Int(slot)] = table
        } else {
            id = Int32(tables.count)
            tables.append(table)
        }
        if let gfn = table.guestFrame { tablesByGuestFrame[gfn, default: []].append(id) }
        return id
    }

    /// Removes table `id`; returns it and whether its guest frame is no longer shadowed.
    mutating func remove(_ id: Int32) -> (ShadowPageTable, untrack: Bool) {
        let table = tables[Int(id)]!
        tables[Int(id)] = nil
        freeTableSlots.append(id)
        if table.queued { postShadowTables.removeAll { $0 == id } }
        var untrack = false
        if let gfn = table.guestFrame {
            tablesByGuestFrame[gfn]?.removeAll { $0 == id }
            if tablesByGuestFrame[gfn]?.isEmpty ?? false {
                tablesByGuestFrame[gfn] = nil
                untrack = true
            }
        }
        return (table, untrack)
    }

    /// The table shadowing `gfn` at `level` with `ips`, if any.
    func find(_ gfn: GuestFrameNumber, level: Int, ips: Bool) -> Int32? {
        tablesByGuestFrame[gfn]?.first { tables[Int($0)]!.level == level && tables[Int($0)]!.ips == ips }
    }

    /// What an entry update of table `id` needs to know, in one access: its level, IPS, host
    /// page and the child table entry `index` links (-1: none).
    func entryContext(_ id: Int32, _ index: Int) -> (level: Int, ips: Bool, frame: PageFrameNumber, child: Int32) {
        let table = tables[Int(id)]!
        return (table.level, table.ips, table.hostFrame, table.level > 1 ? table.children[index] : -1)
    }

    /// Pins table `id` for the length of a trapped write (one more reference) and, for a
    /// whole-entry write at `index`, drops that entry's pending half-write mark.
    mutating func beginTrappedWrite(_ id: Int32, clearing index: Int?) {
        tables[Int(id)]!.refs += 1
        if let index, !tables[Int(id)]!.postShadow.isEmpty {
            tables[Int(id)]!.postShadow[index >> 6] &= ~(1 << UInt64(index & 63))
        }
    }

    /// Takes the half-written marks of queued table `id` (nil if it is gone or not queued)
    /// and one reference on it for the flush.
    mutating func takePostShadow(_ id: Int32) -> (GuestFrameNumber, ContiguousArray<UInt64>)? {
        guard Int(id) < tables.count, tables[Int(id)]?.queued == true, let gfn = tables[Int(id)]!.guestFrame else { return nil }
        let bits = tables[Int(id)]!.postShadow
        tables[Int(id)]!.queued = false
        tables[Int(id)]!.postShadow = []
        tables[Int(id)]!.refs += 1
        return (gfn, bits)
    }

    /// Marks entry `index` of table `id` for post-shadowing; true if it was not yet marked.
    mutating func markPostShadow(_ id: Int32, _ index: Int) -> Bool {
        let i = Int(id)
        if tables[i]!.postShadow.isEmpty { tables[i]!.postShadow = ContiguousArray(repeating: 0, count: 8) }
        let bit: UInt64 = 1 << UInt64(index & 63)
        guard tables[i]!.postShadow[index >> 6] & bit == 0 else { return false }
        tables[i]!.postShadow[index >> 6] |= bit
        if !tables[i]!.queued {
            tables[i]!.queued = true
            postShadowTables.append(id)
        }
        return true
    }

    /// True if entry `index` of table `id` awaits post-shadowing.
    func isPostShadowPending(_ id: Int32, _ index: Int) -> Bool {
        let bits = tables[Int(id)]!.postShadow
        return !bits.isEmpty && bits[index >> 6] & 1 << UInt64(index & 63) != 0
    }

    // MARK: Shadow PPGTT slots

    /// The slot of the shadow PPGTT for `root` (normalized), if any.
    func findMM(_ root: GuestPPGTTRoot) -> Int? {
        mms.firstIndex { $0?.root == root }
    }

    /// The slot a handle names, if still live.
    func slot(of handle: ShadowPPGTTHandle) -> Int? {
        guard handle.slot >= 0 && handle.slot < mms.count, mms[handle.slot] != nil,
              mmGenerations[handle.slot] == handle.generation
        else { return nil }
        return handle.slot
    }

    /// The next LRU stamp.
    mutating func tick() -> UInt64 {
        lruClock += 1
        return lruClock
    }
}

extension Mediator {
    /// Frees every shadow PPGTT, shadow page table and scratch page of the vGPU and stops
    /// write-protecting its guest page tables (GVT: `intel_vgpu_invalidate_ppgtt` followed by
    /// `intel_vgpu_destroy_all_ppgtt_mm`). Outstanding handles become stale.
    func invalidatePPGTT(_ vgpu: VGPU) {
        for slot in vgpu.ppgtt.mms.indices where vgpu.ppgtt.mms[slot] != nil {
            if vgpu.ppgtt.mms[slot]!.shadowed { unshadowMM(vgpu, slot: slot, reason: "invalidated") }
            removeMM(vgpu, slot: slot)
        }
        // Nothing should be left; free stragglers rather than leak host pages.
        for id in vgpu.ppgtt.tables.indices where vgpu.ppgtt.tables[id] != nil {
            let (table, untrack) = vgpu.ppgtt.remove(Int32(id))
            if untrack, let gfn = table.guestFrame { mpt.disablePageTracking(vgpu.id, gfn) }
            host.hostFreePage(table.hostFrame)
        }
        for frame in vgpu.ppgtt.scratch.reversed() { if let frame { host.hostFreePage(frame) } }
        vgpu.ppgtt = PPGTTShadow()
    }

    /// A guest write to a write-protected page (GVT: `ppgtt_write_protection_handler` →
    /// `ppgtt_handle_guest_write_page_table_bytes`). Returns false if no shadow page table
    /// tracks the page. Otherwise the mediator completes the write into guest memory and
    /// updates every shadow of every tracked page it touches: an aligned 8-byte write at once
    /// (new entry added, then the old one removed); any other write sets each entry it
    /// touches to scratch and queues it for `flushPostShadow`. Writes to unused entries of a
    /// 64 KiB page table are ignored.
    func pageTrackWrite(_ vgpu: VGPU, _ address: GuestPhysicalAddress, bytes: [UInt8]) -> Bool {
        guard vgpu.ppgtt.tablesByGuestFrame[address.frame] != nil else { return false }
        guard !bytes.isEmpty else { return true }
        _ = mpt.writeGuest(vgpu.id, address, bytes: bytes)
        var done = 0
        var at = address
        while done < bytes.count {
            let count = min(bytes.count - done, 4096 - Int(at.pageOffset))
            if let ids = vgpu.ppgtt.tablesByGuestFrame[at.frame] {
                shadowTrackedWrite(vgpu, ids: ids, offset: Int(at.pageOffset), bytes: bytes[done..<(done + count)])
            }
            done += count
            at = GuestPhysicalAddress(frame: GuestFrameNumber(at.frame.rawValue &+ 1))
        }
        return true
    }

    /// Applies a trapped write within one page (already in guest memory) to the shadows `ids`
    /// of that page.
    private func shadowTrackedWrite(_ vgpu: VGPU, ids: [Int32], offset: Int, bytes: ArraySlice<UInt8>) {
        let whole = bytes.count == 8 && offset & 7 == 0
        let value = whole ? bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian : 0
        // One more reference on each shadow, so that nothing is freed under our feet.
        for id in ids { vgpu.ppgtt.beginTrappedWrite(id, clearing: whole ? offset >> 3 : nil) }
        for id in ids {
            if whole {
                updateShadowEntry(vgpu, table: id, index: offset >> 3, guest: value)
            } else {
                for index in (offset >> 3)...((offset + bytes.count - 1) >> 3) { scratchPartialEntry(vgpu, table: id, index: index) }
            }
        }
        for id in ids { releaseTable(vgpu, id) }
    }

    /// Re-shadows every half-written guest entry from guest memory (GVT:
    /// `intel_vgpu_flush_post_shadow`); the submission half calls it before a dispatch.
    public func flushPostShadow(_ vgpu: VGPU) {
        let queued = vgpu.ppgtt.postShadowTables
        vgpu.ppgtt.postShadowTables = []
        for id in queued {
            guard let (gfn, bits) = vgpu.ppgtt.takePostShadow(id) else { continue }
            for word in bits.indices {
                var remaining = bits[word]
                while remaining != 0 {
                    let index = word << 6 | remaining.trailingZeroBitCount
                    remaining &= remaining - 1
                    let guest = readGuest64(vgpu, GuestPhysicalAddress(frame: gfn, offset: UInt64(index) << 3)) ?? 0
                    updateShadowEntry(vgpu, table: id, index: index, guest: guest)
                }
            }
            releaseTable(vgpu, id)
        }
    }
}
