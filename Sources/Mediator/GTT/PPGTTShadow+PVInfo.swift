import GPUModel

/// Shadow PPGTTs requested through PVINFO g2v notifications (GVT: `handle_g2v_notification`
/// → `intel_vgpu_g2v_create_ppgtt_mm` / `intel_vgpu_g2v_destroy_ppgtt_mm`).
extension Mediator {
    /// PVINFO `pdp[0].lo`; `pdp[i]` is the lo/hi dword pair at `+ 8 i` (`struct vgt_if`).
    static let pvinfoPDP0 = MMIOOffset(0x78838)

    /// The guest root the guest wrote in PVINFO `pdp[]`: `pdp[0]` is the PML4 for a 4-level
    /// PPGTT, `pdp[0...3]` the page directories for a 3-level one.
    func pvinfoPPGTTRoot(_ vgpu: VGPU, fourLevel: Bool) -> GuestPPGTTRoot {
        let pdps = (0..<(fourLevel ? 1 : 4)).map { i in
            GuestPhysicalAddress(vgpu.vregs.qword(Self.pvinfoPDP0.advanced(by: UInt32(i) * 8)))
        }
        return fourLevel ? .fourLevel(pml4: pdps[0]) : .threeLevel(pdps: pdps)
    }

    /// g2v `PPGTT_L4_PAGE_TABLE_CREATE` (4) / `PPGTT_L3_PAGE_TABLE_CREATE` (2): finds or
    /// builds the shadow PPGTT for the root in PVINFO `pdp[]` and takes a reference.
    public func ppgttCreateFromPVInfo(_ vgpu: VGPU, fourLevel: Bool) {
        _ = findOrCreatePPGTT(vgpu, root: pvinfoPPGTTRoot(vgpu, fourLevel: fourLevel))
    }

    /// g2v `PPGTT_L4_PAGE_TABLE_DESTROY` (5) / `PPGTT_L3_PAGE_TABLE_DESTROY` (3): drops the
    /// reference a create took; an unknown root is reported and otherwise ignored.
    public func ppgttDestroyFromPVInfo(_ vgpu: VGPU, fourLevel: Bool) {
        let root = pvinfoPPGTTRoot(vgpu, fourLevel: fourLevel)
        guard let handle = findPPGTT(vgpu, root: root) else {
            emit(.shadowPPGTTRequestIgnored(vgpu.id, guestRoots: root.normalized.pointers.map(\.rawValue),
                                            reason: "destroy of a PPGTT that was never created"))
            return
        }
        releasePPGTT(vgpu, handle)
    }
}
