import GPUModel

/// Bits 51:12 of a guest GGTT or PPGTT entry: the guest frame number.
///
/// GVT reads a gfn with the host address width (bits 45:12); the model takes every bit up to
/// 51 so that nothing a guest sets is silently dropped: a frame that high is simply not
/// valid guest memory and maps to scratch. Shadow and host entries keep the guest's other
/// bits (present, writable, cache type, ignored high bits) and never its reserved bits.
let guestFrameMask: UInt64 = 0x000F_FFFF_FFFF_F000

/// The gfn a guest GGTT/PPGTT entry points at (bits 51:12).
@inline(__always) func guestFrame(of entry: UInt64) -> GuestFrameNumber {
    GuestFrameNumber((entry & guestFrameMask) >> 12)
}

/// A guest PTE whose other 4-byte half has not arrived yet (GVT: `struct intel_vgpu_partial_pte`).
struct PartialPTE: Hashable, Sendable {
    /// Halves written so far: bit 0 the low dword, bit 1 the high dword.
    var halves: UInt8
    /// The last complete guest entry, which the host entry still reflects.
    var previous: UInt64
}

/// The guest's view of its GGTT (GVT: the GGTT `intel_vgpu_mm`'s `virtual_ggtt`), kept for
/// the vGPU's two slices only, as two contiguous arrays of raw guest PTEs.
///
/// Guest graphics addresses equal host ones, so entry `i` of the guest GGTT is entry `i`
/// of the host GGTT; only its page frame differs (guest frame vs host frame).
public struct GuestGGTT: Sendable {
    /// First GGTT index of the aperture slice.
    public private(set) var apertureBase = 0
    /// First GGTT index of the hidden slice.
    public private(set) var hiddenBase = 0
    /// Guest PTEs of the aperture slice (512-byte copy-on-write leaves, shared with checkpoints).
    var aperture = ChunkedArray<UInt64>(repeating: 0, count: 0, chunkShift: GGTT.chunkShift, groupShift: GGTT.groupShift)
    /// Guest PTEs of the hidden slice (512-byte copy-on-write leaves).
    var hidden = ChunkedArray<UInt64>(repeating: 0, count: 0, chunkShift: GGTT.chunkShift, groupShift: GGTT.groupShift)
    /// Half-written PTEs by index (GVT: `partial_pte_list`); looked up, never iterated
    /// except sorted.
    var partials: [Int: PartialPTE] = [:]
    /// The vGPU's GGTT scratch page: where present PTEs with an invalid gfn, and not-present
    /// ones, point. Allocated on first use, freed when the GGTT is reset.
    public internal(set) var scratchFrame: PageFrameNumber?

    /// An empty view (no slices: every index is outside); `resetGGTT` sizes it.
    public init() {}

    /// A zeroed view of `slices`.
    init(slices: GraphicsMemorySlices) {
        apertureBase = Int(slices.aperture.lowerBound >> 12)
        hiddenBase = Int(slices.hidden.lowerBound >> 12)
        aperture = ChunkedArray(repeating: 0, count: slices.aperture.count >> 12, chunkShift: GGTT.chunkShift, groupShift: GGTT.groupShift)
        hidden = ChunkedArray(repeating: 0, count: slices.hidden.count >> 12, chunkShift: GGTT.chunkShift, groupShift: GGTT.groupShift)
    }

    /// GGTT indices of the aperture slice.
    public var apertureIndices: Range<Int> { apertureBase..<(apertureBase + aperture.count) }
    /// GGTT indices of the hidden slice.
    public var hiddenIndices: Range<Int> { hiddenBase..<(hiddenBase + hidden.count) }

    /// The guest PTE at GGTT `index`, nil if the index lies outside the vGPU's slices.
    public func entry(at index: Int) -> UInt64? {
        let a = index &- apertureBase
        if a >= 0 && a < aperture.count { return aperture[a] }
        let h = index &- hiddenBase
        if h >= 0 && h < hidden.count { return hidden[h] }
        return nil
    }

    /// Stores the guest PTE at `index` (which must lie in a slice).
    mutating func setEntry(_ index: Int, _ value: UInt64) {
        let a = index &- apertureBase
        if a >= 0 && a < aperture.count {
            aperture[a] = value
            return
        }
        let h = index &- hiddenBase
        precondition(h >= 0 && h < hidden.count, "GGTT index \(index) outside the vGPU's slices")
        hidden[h] = value
    }

    /// Indices whose PTE has had only one 4-byte half written, ascending.
    public var partialIndices: [Int] { partials.keys.sorted() }
}

extension Mediator {
    /// A trapped read of the GGTT window (BAR0 + 8 MiB; GVT: `emulate_ggtt_mmio_read`):
    /// the guest's own PTE, or its dword half. Unaligned or odd-sized reads, indices outside
    /// the vGPU's slices and offsets past the window read 0.
    func ggttMMIORead(_ vgpu: VGPU, offset: UInt64, size: Int) -> UInt64 {
        guard offset >= BARLayout.ggttOffset else { return 0 }
        let byteOffset = offset - BARLayout.ggttOffset
        guard byteOffset < BARLayout.ggttSize, Self.isGGTTAccessAligned(byteOffset, size: size),
              let entry = vgpu.ggtt.entry(at: Int(byteOffset >> 3))
        else { return 0 }
        if size == 8 { return entry }
        return byteOffset & 4 == 0 ? entry & 0xFFFF_FFFF : entry >> 32
    }

    /// A trapped write of the GGTT window (GVT: `emulate_ggtt_mmio_write`).
    ///
    /// Indices outside the vGPU's slices are ignored (ballooned guests program the whole
    /// table). A 4-byte write updates the guest's copy at once but leaves the host entry alone
    /// until the other half arrives; an 8-byte write drops any pending half. A complete
    /// present PTE maps the gfn's host frame, or the vGPU's scratch page when the gfn is not
    /// guest memory; a not-present PTE becomes the scratch frame with present clear.
    func ggttMMIOWrite(_ vgpu: VGPU, offset: UInt64, size: Int, value: UInt64) {
        guard offset >= BARLayout.ggttOffset else { return }
        let byteOffset = offset - BARLayout.ggttOffset
        let index = Int(truncatingIfNeeded: byteOffset >> 3)
        guard byteOffset < BARLayout.ggttSize else {
            emit(.ggttWriteIgnored(vgpu.id, index: index, guest: value, reason: "beyond the GGTT window"))
            return
        }
        guard Self.isGGTTAccessAligned(byteOffset, size: size) else {
            emit(.ggttWriteIgnored(vgpu.id, index: index, guest: value,
                                   reason: "\(size)-byte write at GGTT byte \(hex(byteOffset, width: 6)): only aligned 4 or 8 bytes"))
            return
        }
        guard let old = vgpu.ggtt.entry(at: index) else {
            emit(.ggttWriteIgnored(vgpu.id, index: index, guest: value, reason: "outside the vGPU's graphics memory"))
            return
        }
        let guest: UInt64
        if size == 8 {
            guest = value
            if !vgpu.ggtt.partials.isEmpty { vgpu.ggtt.partials[index] = nil }
        } else {
            let high = byteOffset & 4 != 0
            let half: UInt8 = high ? 2 : 1
            let dword = value & 0xFFFF_FFFF
            guest = high ? old & 0xFFFF_FFFF | dword << 32 : old & 0xFFFF_FFFF_0000_0000 | dword
            let pending = vgpu.ggtt.partials[index]
            if pending == nil || pending!.halves & half != 0 {
                // First half (or the same half again): guest copy only.
                if pending == nil { vgpu.ggtt.partials[index] = PartialPTE(halves: half, previous: old) }
                vgpu.ggtt.setEntry(index, guest)
                emit(.ggttWriteIgnored(vgpu.id, index: index, guest: guest, reason: "partial PTE: waiting for the other half"))
                return
            }
            vgpu.ggtt.partials[index] = nil
        }
        vgpu.ggtt.setEntry(index, guest)
        let hostEntry = ggttHostEntry(vgpu, guest: guest)
        host.hostSetGGTTEntry(index, GGTTEntry(rawValue: hostEntry))
        emit(.ggttWrite(vgpu.id, index: index, guest: guest, host: hostEntry))
    }

    /// Clears the vGPU's GGTT range on the host (not present, frame 0: nothing leaks to the
    /// next owner; ACRN added this clearing) and its guest view, and frees its scratch page
    /// (GVT: `intel_vgpu_reset_ggtt`, `intel_vgpu_free_resource`).
    func resetGGTT(_ vgpu: VGPU) {
        let cleared = GGTTEntry(rawValue: 0)
        let fresh = GuestGGTT(slices: vgpu.slices)
        for range in [fresh.apertureIndices, fresh.hiddenIndices] {
            for index in range where index < GGTT.entryCount { host.hostSetGGTTEntry(index, cleared) }
        }
        let scratch = vgpu.ggtt.scratchFrame
        vgpu.ggtt = fresh
        if let scratch { host.hostFreePage(scratch) }
    }

    /// The host PTE for a complete guest PTE (GVT: the shadow entry `m` of
    /// `emulate_ggtt_mmio_write`). Without a scratch page (host out of pages) the entry is 0.
    func ggttHostEntry(_ vgpu: VGPU, guest: UInt64) -> UInt64 {
        let flags = guest & ~guestFrameMask
        if guest & GGTTEntry.presentBit != 0 {
            let gfn = guestFrame(of: guest)
            if mpt.isValidGuestFrame(vgpu.id, gfn), let frame = mpt.hostFrame(vgpu.id, for: gfn) {
                return flags | frame.rawValue << 12
            }
            guard let scratch = ggttScratchFrame(vgpu) else { return 0 }
            return flags | scratch.rawValue << 12
        }
        guard let scratch = ggttScratchFrame(vgpu) else { return 0 }
        return (flags | scratch.rawValue << 12) & ~GGTTEntry.presentBit
    }

    /// The vGPU's GGTT scratch page, allocated on first use.
    func ggttScratchFrame(_ vgpu: VGPU) -> PageFrameNumber? {
        if let frame = vgpu.ggtt.scratchFrame { return frame }
        guard let frame = allocateGTTPage(vgpu) else { return nil }
        vgpu.ggtt.scratchFrame = frame
        return frame
    }

    /// GGTT window accesses are 4-byte or 8-byte and naturally aligned.
    @inline(__always) static func isGGTTAccessAligned(_ byteOffset: UInt64, size: Int) -> Bool {
        (size == 8 && byteOffset & 7 == 0) || (size == 4 && byteOffset & 3 == 0)
    }
}
