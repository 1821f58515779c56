import GPUModel

/// The data-driven MMIO handler table (GVT: `intel_gvt_setup_mmio_info`). STUB: the MMIO
/// concern replaces this file.
public struct MMIOHandlerTable: Sendable {
    public static let gen9 = MMIOHandlerTable()
}

extension Mediator {
    /// STUB: default vreg read.
    func mmioRegisterRead(_ vgpu: VGPU, _ offset: MMIOOffset, size: Int) -> UInt64 {
        UInt64(vgpu.vregs[MMIOOffset(offset.rawValue & ~3)])
    }
    /// STUB: default vreg write.
    func mmioRegisterWrite(_ vgpu: VGPU, _ offset: MMIOOffset, size: Int, value: UInt64) {
        vgpu.vregs[MMIOOffset(offset.rawValue & ~3)] = UInt32(truncatingIfNeeded: value)
    }
    /// STUB.
    func resetVirtualRegisters(_ vgpu: VGPU, deviceModelLevel: Bool) {}
    /// STUB.
    func populatePVInfo(_ vgpu: VGPU) {}
    /// STUB.
    func resetFences(_ vgpu: VGPU) {}
    /// STUB.
    func initialConfigSpace(type: VGPUType) -> PCIConfigSpace { PCIConfigSpace(apertureSize: host.hostApertureSize) }
    /// STUB.
    func configRead(_ vgpu: VGPU, offset: Int, size: Int) -> UInt32 { vgpu.config.read(offset: offset, size: size) }
    /// STUB.
    func configWrite(_ vgpu: VGPU, offset: Int, size: Int, value: UInt32) {
        vgpu.config.write(offset: offset, size: size, value: value)
    }
}
