import GPUModel

/// Bit 52 of a shadow PTE: one of the 16 4 KiB entries a guest 64 KiB page was split into
/// (GVT: `GTT_SPTE_FLAG_64K_SPLITED`; the hardware ignores bits 63:52).
let split64KBit: UInt64 = 1 << 52

/// Shadow page tables: building them from guest tables, keeping them in step with trapped
/// guest writes, freeing them (GVT: `ppgtt_populate_spt`, `ppgtt_handle_guest_write_page_table`,
/// `ppgtt_invalidate_spt`, `split_64KB_gtt_entry`, `split_2MB_gtt_entry`).
extension Mediator {
    // MARK: Host pages

    /// A host page for a shadow table or scratch page. When the host has none left, unpinned
    /// shadow PPGTTs are reclaimed, least recently used first, until one is freed or none
    /// is left (GVT: `alloc_spt` → `reclaim_one_ppgtt_mm`).
    func allocateGTTPage(_ vgpu: VGPU) -> PageFrameNumber? {
        while true {
            if let frame = host.hostAllocatePage() { return frame }
            guard reclaimOnePPGTT(preferring: vgpu) else {
                vgpu.ppgtt.allocationFailures += 1
                return nil
            }
        }
    }

    /// Scratch page `level` of the vGPU (0: zero data page; k ≥ 1: a level-k table whose
    /// 512 entries point, present and writable, at scratch k − 1), built on first use
    /// (GVT: `alloc_scratch_pages`). Nil when the host is out of pages.
    func ppgttScratch(_ vgpu: VGPU, level: Int) -> PageFrameNumber? {
        if let frame = vgpu.ppgtt.scratch[level] { return frame }
        var below: PageFrameNumber?
        if level > 0 {
            guard let frame = ppgttScratch(vgpu, level: level - 1) else { return nil }
            below = frame
        }
        guard let frame = allocateGTTPage(vgpu) else { return nil }
        if let below {
            let entry = below.rawValue << 12 | PPGTTEntry.presentBit | PPGTTEntry.writableBit
            for i in 0..<512 { host.hostWrite64(PhysicalAddress(frame: frame, offset: UInt64(i) << 3), entry) }
        }
        vgpu.ppgtt.scratch[level] = frame
        return frame
    }

    // MARK: Building

    /// What `acquireTable` got.
    enum TableAcquisition {
        case table(Int32)
        case outsideGuestMemory
        case outOfHostMemory
    }

    /// Takes a reference on the shadow of the guest table at `gfn`, building it if needed
    /// (GVT: `ppgtt_populate_spt_by_guest_entry`): a host page, the guest page
    /// write-protected, every present guest entry shadowed (recursively).
    func acquireTable(_ vgpu: VGPU, _ gfn: GuestFrameNumber, level: Int, ips: Bool) -> TableAcquisition {
        if let id = vgpu.ppgtt.find(gfn, level: level, ips: ips) {
            vgpu.ppgtt.tables[Int(id)]!.refs += 1
            return .table(id)
        }
        guard mpt.isValidGuestFrame(vgpu.id, gfn) else { return .outsideGuestMemory }
        guard let frame = allocateGTTPage(vgpu) else { return .outOfHostMemory }
        let firstForFrame = vgpu.ppgtt.tablesByGuestFrame[gfn] == nil
        let id = vgpu.ppgtt.insert(ShadowPageTable(guestFrame: gfn, level: level, ips: ips, hostFrame: frame))
        if firstForFrame && !mpt.enablePageTracking(vgpu.id, gfn) {
            _ = vgpu.ppgtt.remove(id)
            host.hostFreePage(frame)
            return .outsideGuestMemory
        }
        populateTable(vgpu, id, gfn: gfn, level: level, ips: ips)
        return .table(id)
    }

    /// Shadows every present entry of a new table from one observed read of the guest page.
    /// Not-present guest entries stay 0 in the shadow (not present; GVT writes the scratch
    /// frame with present clear, which the hardware treats the same).
    private func populateTable(_ vgpu: VGPU, _ id: Int32, gfn: GuestFrameNumber, level: Int, ips: Bool) {
        guard let page = readGuest(vgpu, gfn.address, count: 4096), page.count == 4096 else { return }
        let stride = level == 1 && ips ? 16 : 1
        for index in Swift.stride(from: 0, to: 512, by: stride) {
            let guest = page.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index << 3, as: UInt64.self) }.littleEndian
            if guest & PPGTTEntry.presentBit != 0 { updateShadowEntry(vgpu, table: id, index: index, guest: guest) }
        }
    }

    // MARK: Updating

    /// Makes entry `index` of shadow table `id` follow guest entry `guest` (GVT:
    /// `ppgtt_handle_guest_write_page_table`): the new entry is shadowed and written first,
    /// then the old one's child table released. A not-present guest entry turns the shadow
    /// into the old entry with its frame replaced by scratch (GVT keeps the present bit, so
    /// the GPU reads scratch instead of faulting). In a 64 KiB page table only entries
    /// 0, 16, … 496 count; each becomes 16 shadow 4 KiB entries.
    func updateShadowEntry(_ vgpu: VGPU, table id: Int32, index: Int, guest: UInt64) {
        let (level, ips, frame, oldChild) = vgpu.ppgtt.entryContext(id, index)
        if level == 1 && ips && index & 15 != 0 { return }
        var newChild: Int32 = -1
        let flags = guest & ~guestFrameMask
        let gfn = guestFrame(of: guest)

        if guest & PPGTTEntry.presentBit == 0 {
            let scratch = ppgttScratch(vgpu, level: level - 1)
            for k in 0..<(level == 1 && ips ? 16 : 1) {
                let old = host.hostRead64(PhysicalAddress(frame: frame, offset: UInt64(index + k) << 3))
                let shadow = scratch.map { old & ~(guestFrameMask | PPGTTEntry.pageSizeBit | split64KBit) | $0.rawValue << 12 } ?? 0
                writeShadow(vgpu, table: frame, index: index + k, guest: guest, shadow: shadow)
            }
        } else {
            switch level {
            case 1 where ips:
                let base = GuestFrameNumber(gfn.rawValue & ~15)
                for k in 0..<16 {
                    let target = leafFrame(vgpu, GuestFrameNumber(base.rawValue + UInt64(k)))
                    let shadow = target.map { flags | split64KBit | $0.rawValue << 12 } ?? 0
                    writeShadow(vgpu, table: frame, index: index + k, guest: guest, shadow: shadow)
                }
            case 1:
                let shadow = leafFrame(vgpu, gfn).map { flags | $0.rawValue << 12 } ?? 0
                writeShadow(vgpu, table: frame, index: index, guest: guest, shadow: shadow)
            case 3 where guest & PPGTTEntry.pageSizeBit != 0:
                refuse(vgpu, table: id, index: index, guest: guest, reason: "1 GiB page: not supported")
                writeShadow(vgpu, table: frame, index: index, guest: guest, shadow: 0)
            case 2 where guest & PPGTTEntry.pageSizeBit != 0:
                let shadow: UInt64
                if let split = split2MPage(vgpu, guest: guest) {
                    newChild = split
                    shadow = flags & ~PPGTTEntry.pageSizeBit | vgpu.ppgtt.tables[Int(split)]!.hostFrame.rawValue << 12
                } else {
                    refuse(vgpu, table: id, index: index, guest: guest, reason: "2 MiB page: no host page to split it")
                    shadow = 0
                }
                writeShadow(vgpu, table: frame, index: index, guest: guest, shadow: shadow)
            default:
                let childIPS = level == 2 && guest & PPGTTEntry.ipsBit != 0
                let shadow: UInt64
                switch acquireTable(vgpu, gfn, level: level - 1, ips: childIPS) {
                case .table(let child):
                    newChild = child
                    shadow = flags & ~PPGTTEntry.ipsBit | vgpu.ppgtt.tables[Int(child)]!.hostFrame.rawValue << 12
                case .outsideGuestMemory:
                    refuse(vgpu, table: id, index: index, guest: guest, reason: "page table outside guest memory: scratch")
                    shadow = ppgttScratch(vgpu, level: level - 1).map { flags & ~PPGTTEntry.ipsBit | $0.rawValue << 12 } ?? 0
                case .outOfHostMemory:
                    refuse(vgpu, table: id, index: index, guest: guest, reason: "no host page for a shadow page table")
                    shadow = 0
                }
                writeShadow(vgpu, table: frame, index: index, guest: guest, shadow: shadow)
            }
        }
        if level > 1 { vgpu.ppgtt.tables[Int(id)]!.children[index] = newChild }
        if oldChild >= 0 { releaseTable(vgpu, oldChild) }
    }

    /// A guest half-wrote entry `index` (GVT: the partial branch of
    /// `ppgtt_handle_guest_write_page_table_bytes`): the first time, the old child is
    /// released and the shadow entry keeps its bits but points at scratch; the entry is
    /// queued for `flushPostShadow`.
    func scratchPartialEntry(_ vgpu: VGPU, table id: Int32, index: Int) {
        let level = vgpu.ppgtt.tables[Int(id)]!.level
        let ips = vgpu.ppgtt.tables[Int(id)]!.ips
        if level == 1 && ips && index & 15 != 0 { return }
        guard vgpu.ppgtt.markPostShadow(id, index), let gfn = vgpu.ppgtt.tables[Int(id)]!.guestFrame else { return }
        let frame = vgpu.ppgtt.tables[Int(id)]!.hostFrame
        let guest = readGuest64(vgpu, GuestPhysicalAddress(frame: gfn, offset: UInt64(index) << 3)) ?? 0
        let scratch = ppgttScratch(vgpu, level: level - 1)
        for k in 0..<(level == 1 && ips ? 16 : 1) {
            let old = host.hostRead64(PhysicalAddress(frame: frame, offset: UInt64(index + k) << 3))
            let shadow = scratch.map { old & ~guestFrameMask | $0.rawValue << 12 } ?? 0
            writeShadow(vgpu, table: frame, index: index + k, guest: guest, shadow: shadow)
        }
        guard level > 1 else { return }
        let oldChild = vgpu.ppgtt.tables[Int(id)]!.children[index]
        vgpu.ppgtt.tables[Int(id)]!.children[index] = -1
        if oldChild >= 0 { releaseTable(vgpu, oldChild) }
    }

    /// A shadow-only page table of 512 4 KiB entries for a guest 2 MiB page (GVT:
    /// `split_2MB_gtt_entry`); nil when the host is out of pages.
    private func split2MPage(_ vgpu: VGPU, guest: UInt64) -> Int32? {
        guard let frame = allocateGTTPage(vgpu) else { return nil }
        let base = GuestFrameNumber(guestFrame(of: guest).rawValue & ~511)
        var table = ShadowPageTable(guestFrame: nil, level: 1, ips: false, hostFrame: frame)
        table.splitBase = base
        let id = vgpu.ppgtt.insert(table)
        let flags = guest & ~(guestFrameMask | PPGTTEntry.pageSizeBit)
        for k in 0..<512 {
            let shadow = leafFrame(vgpu, GuestFrameNumber(base.rawValue + UInt64(k))).map { flags | $0.rawValue << 12 } ?? 0
            writeShadow(vgpu, table: frame, index: k, guest: guest, shadow: shadow)
        }
        return id
    }

    /// The host frame a guest leaf maps: the gfn's own, or the scratch data page when the gfn
    /// is not guest memory (never another page); nil only when no scratch page can be had.
    func leafFrame(_ vgpu: VGPU, _ gfn: GuestFrameNumber) -> PageFrameNumber? {
        if mpt.isValidGuestFrame(vgpu.id, gfn), let frame = mpt.hostFrame(vgpu.id, for: gfn) { return frame }
        return ppgttScratch(vgpu, level: 0)
    }

    // MARK: Freeing

    /// Drops a reference on table `id`; at zero its children are released, its guest page
    /// un-write-protected (if no other shadow of it is left) and its host page freed (GVT:
    /// `ppgtt_invalidate_spt`).
    func releaseTable(_ vgpu: VGPU, _ id: Int32) {
        vgpu.ppgtt.tables[Int(id)]!.refs -= 1
        guard vgpu.ppgtt.tables[Int(id)]!.refs == 0 else { return }
        let (table, untrack) = vgpu.ppgtt.remove(id)
        for child in table.children where child >= 0 { releaseTable(vgpu, child) }
        if untrack, let gfn = table.guestFrame { mpt.disablePageTracking(vgpu.id, gfn) }
        host.hostFreePage(table.hostFrame)
    }

    // MARK: Output

    /// Writes one shadow entry and reports it.
    @inline(__always)
    func writeShadow(_ vgpu: VGPU, table: PageFrameNumber, index: Int, guest: UInt64, shadow: UInt64) {
        host.hostWrite64(PhysicalAddress(frame: table, offset: UInt64(index) << 3), shadow)
        emit(.shadowPPGTTWrite(vgpu.id, table: table.address, index: index, guest: guest, shadow: shadow))
    }

    /// Reports a guest entry that was not shadowed as asked.
    private func refuse(_ vgpu: VGPU, table id: Int32, index: Int, guest: UInt64, reason: String) {
        let gfn = vgpu.ppgtt.tables[Int(id)]!.guestFrame ?? GuestFrameNumber(0)
        emit(.shadowPPGTTRefused(vgpu.id, guestTable: gfn.address, index: index, guest: guest, reason: reason))
    }
}
