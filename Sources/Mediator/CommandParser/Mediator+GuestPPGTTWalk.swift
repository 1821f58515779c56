import GPUModel

extension Mediator {
    /// The guest-physical address `gma` maps to through the guest's own PPGTT under `root`
    /// (GVT: `intel_vgpu_gma_to_gpa` on a PPGTT mm, which walks the guest tables with
    /// `ppgtt_get_guest_entry`), nil when a level is not present or the address is outside the
    /// root's range. Tables are read with `readGuest64`, so every entry read is observed.
    ///
    /// Levels as the hardware walks them (`PPGTT.translate`): PML4 bits 47:39, PDP 38:30 (bit
    /// 7: 1 GiB page), PD 29:21 (bit 7: 2 MiB page; bit 11: the page table maps 64 KiB pages,
    /// entry index rounded down to a multiple of 16), PT 20:12.
    public func guestPPGTTTranslate(_ vgpu: VGPU, root: GuestPPGTTRoot, _ gma: GraphicsAddress) -> GuestPhysicalAddress? {
        let va = gma.rawValue
        var table: UInt64
        var level: Int
        switch root {
        case .fourLevel(let pml4):
            guard va < 1 << 48 else { return nil }
            table = pml4.rawValue & ~0xFFF
            level = 4
        case .threeLevel(let pdps):
            guard va < 1 << 32 else { return nil }
            let index = Int(va >> 30)
            table = index < pdps.count ? pdps[index].rawValue & ~0xFFF : 0
            level = 2
        }
        guard table != 0 else { return nil }
        var pages64K = false
        while true {
            let shift = UInt64(12 + 9 * (level - 1))
            var index = (va >> shift) & 0x1FF
            if level == 1 && pages64K { index &= ~15 }
            guard let entry = readGuest64(vgpu, GuestPhysicalAddress(table + index * 8)),
                  entry & PPGTTEntry.presentBit != 0
            else { return nil }
            let next = entry & PPGTTEntry.addressMask
            var leaf: UInt64 = 0
            switch level {
            case 3 where entry & PPGTTEntry.pageSizeBit != 0: leaf = 1 << 30
            case 2 where entry & PPGTTEntry.pageSizeBit != 0: leaf = 1 << 21
            case 2: pages64K = entry & PPGTTEntry.ipsBit != 0
            case 1: leaf = pages64K ? 1 << 16 : 1 << 12
            default: break
            }
            if leaf != 0 { return GuestPhysicalAddress(next & ~(leaf - 1) | va & (leaf - 1)) }
            table = next
            level -= 1
        }
    }
}
