import GPUModel

/// Graphics-address checks and translation the command parser and display use (GVT:
/// `vgpu_gmadr_is_valid`, `intel_gvt_ggtt_validate_range`, `intel_vgpu_gma_to_gpa` on
/// the GGTT mm).
extension Mediator {
    /// True if `gma` lies in the vGPU's aperture or hidden slice (GVT: `vgpu_gmadr_is_valid`).
    public func isValidGraphicsAddress(_ vgpu: VGPU, _ gma: GraphicsAddress) -> Bool {
        vgpu.slices.contains(gma)
    }

    /// True if `size` bytes at `gma` are the vGPU's graphics memory (GVT:
    /// `intel_gvt_ggtt_validate_range`). Size 0 checks `gma` alone. Revision `.current`
    /// requires the first and last byte in the same slice; `.gvt2018` only checks that each
    /// is valid, so a range may straddle the aperture and hidden slices and cover whatever
    /// lies between them (the bug the 2019 fix closed). A range that wraps around the
    /// 64-bit space is invalid under both. In this mediator the hole yields no foreign
    /// access: command operands are at most 4088 bytes, less than a foreign page plus both
    /// ends, and rings and batches are copied page by page through the guest GGTT, which has
    /// no entries outside the slices (StraddlingRangeAttackTests plays it end to end).
    public func validateGraphicsRange(_ vgpu: VGPU, _ gma: GraphicsAddress, size: UInt64) -> Bool {
        let start = gma.rawValue
        guard size > 0 else { return vgpu.slices.contains(gma) }
        let (last, overflow) = start.addingReportingOverflow(size - 1)
        guard !overflow else { return false }
        switch configuration.revision {
        case .current:
            let aperture = vgpu.slices.aperture, hidden = vgpu.slices.hidden
            return (aperture.contains(start) && aperture.contains(last)) || (hidden.contains(start) && hidden.contains(last))
        case .gvt2018:
            return vgpu.slices.contains(gma) && vgpu.slices.contains(GraphicsAddress(last))
        }
    }

    /// The guest-physical address `gma` maps to through the guest's own GGTT PTE (GVT:
    /// `intel_vgpu_gma_to_gpa` on the GGTT mm), nil outside the vGPU's slices or when the
    /// guest PTE is not present (GVT: `INTEL_GVT_INVALID_ADDR`). A pending half-written PTE
    /// translates as the guest copy stands.
    public func guestGGTTTranslate(_ vgpu: VGPU, _ gma: GraphicsAddress) -> GuestPhysicalAddress? {
        guard gma.rawValue < GGTT.addressSpaceSize, let entry = vgpu.ggtt.entry(at: Int(gma.pageNumber)),
              entry & GGTTEntry.presentBit != 0
        else { return nil }
        return GuestPhysicalAddress(frame: guestFrame(of: entry), offset: gma.pageOffset)
    }
}
