import GPUModel

extension Mediator {
    /// A g2v PPGTT CREATE notification: find or create the shadow PPGTT whose roots the guest
    /// stored in PVINFO pdp[] (GVT: `intel_vgpu_get_ppgtt_mm`). PLACEHOLDER: the GTT concern
    /// overwrites this file.
    func ppgttCreateFromPVInfo(_ vgpu: VGPU, fourLevel: Bool) {}

    /// A g2v PPGTT DESTROY notification: drop a reference on the shadow PPGTT named by
    /// PVINFO pdp[] (GVT: `intel_vgpu_put_ppgtt_mm`). PLACEHOLDER: the GTT concern
    /// overwrites this file.
    func ppgttDestroyFromPVInfo(_ vgpu: VGPU, fourLevel: Bool) {}
}
