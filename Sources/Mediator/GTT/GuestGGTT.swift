import GPUModel

/// The guest's view of its GGTT. STUB: the GTT concern replaces this file.
public struct GuestGGTT: Sendable {
    public init() {}
}

extension Mediator {
    /// STUB.
    func ggttMMIORead(_ vgpu: VGPU, offset: UInt64, size: Int) -> UInt64 { 0 }
    /// STUB.
    func ggttMMIOWrite(_ vgpu: VGPU, offset: UInt64, size: Int, value: UInt64) {}
    /// STUB.
    func resetGGTT(_ vgpu: VGPU) {}
}
