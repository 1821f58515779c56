import GPUModel

/// A vGPU's virtual display. STUB: the display concern replaces this file.
public struct VirtualDisplay: Sendable {
    public init() {}
}

extension Mediator {
    /// STUB.
    func resetDisplay(_ vgpu: VGPU) {}
    /// STUB.
    func emulateVblank(_ vgpu: VGPU) {}
}
