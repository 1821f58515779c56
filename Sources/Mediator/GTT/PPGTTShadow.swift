import GPUModel

/// Shadow PPGTTs of a vGPU. STUB: the GTT concern replaces this file.
public struct PPGTTShadow: Sendable {
    public init() {}
}

extension Mediator {
    /// STUB.
    func invalidatePPGTT(_ vgpu: VGPU) {}
    /// STUB.
    func pageTrackWrite(_ vgpu: VGPU, _ address: GuestPhysicalAddress, bytes: [UInt8]) -> Bool { false }
}
