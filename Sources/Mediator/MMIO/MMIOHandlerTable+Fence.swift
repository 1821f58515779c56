import GPUModel

/// Fence registers (GVT: `fence_mmio_read/write`, `intel_vgpu_write_fence`,
/// `_clear_vgpu_fence`). GVT traps the first 16 fences (0x80 bytes at 0x100000); guest
/// fence `i` is backed by host fence `vgpu.hostFences[i]`. Fences are the only hardware
/// state the MMIO path programs directly.
extension MMIOHandlerTable {
    /// Guest fences GVT traps (FENCE_REG_GEN6_LO(0) … HI(15)).
    public static let trappedFenceCount = 16

    /// The fence row: one run of 16 64-bit registers.
    static func fenceRows() -> [MMIOInfo] {
        [
            MMIOInfo(FenceRegister.baseOffset, size: 8 * trappedFenceCount,
                     read: { $0.fenceRead($1, $2, $3) }, write: { $0.fenceWrite($1, $2, $4) })
        ]
    }
}

extension Mediator {
    /// GVT: `sanitize_fence_mmio_access`. A fence beyond the vGPU's count is an error; if the
    /// guest has not read PVINFO yet it is not GVT-aware: failsafe UNSUPPORTED_GUEST.
    private func fenceIndex(_ vgpu: VGPU, _ offset: MMIOOffset, isWrite: Bool) -> Int? {
        let index = Int(offset.rawValue - FenceRegister.baseOffset.rawValue) / 8
        guard index < vgpu.hostFences.count else {
            mmioError(vgpu, offset, isWrite: isWrite, "fence \(index) beyond the vGPU's \(vgpu.hostFences.count) fences")
            if !vgpu.pvNotified {
                enterFailsafe(vgpu, .unsupportedGuest, detail: "fence \(index) accessed before PVINFO was read")
            }
            return nil
        }
        return index
    }

    /// Fence read: the virtual register, 0 for a fence the vGPU does not have.
    func fenceRead(_ vgpu: VGPU, _ offset: MMIOOffset, _ size: Int) -> UInt64 {
        guard fenceIndex(vgpu, offset, isWrite: false) != nil else { return 0 }
        return vregRead(vgpu, offset, size: size)
    }

    /// Fence write: the virtual register, then the whole 64-bit guest value to the vGPU's
    /// host fence. Dropped for a fence the vGPU does not have.
    func fenceWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        guard let index = fenceIndex(vgpu, offset, isWrite: true) else { return }
        vgpu.vregs[offset] = UInt32(truncatingIfNeeded: value)
        writeHostFence(vgpu, index, vgpu.vregs.qword(FenceRegister.offset(index)))
    }

    /// Programs the host fence behind guest fence `index` the way i915 does: LO = 0, HI, LO
    /// (GVT: `intel_vgpu_write_fence`). Each register write is observed.
    func writeHostFence(_ vgpu: VGPU, _ index: Int, _ value: UInt64) {
        let lo = FenceRegister.offset(vgpu.hostFences[index])
        let hi = lo.advanced(by: 4)
        for (offset, dword) in [(lo, UInt32(0)), (hi, UInt32(truncatingIfNeeded: value >> 32)),
                                (lo, UInt32(truncatingIfNeeded: value))] {
            host.hostWriteRegister(offset, dword)
            emit(.hostRegisterWrite(vgpu.id, offset, value: dword))
        }
    }

    /// Clears the vGPU's guest fences and the host fences behind them (GVT:
    /// `_clear_vgpu_fence`); called at create, device-model-level reset and destroy.
    func resetFences(_ vgpu: VGPU) {
        for index in vgpu.hostFences.indices {
            let offset = FenceRegister.offset(index)
            vgpu.vregs[offset] = 0
            vgpu.vregs[offset.advanced(by: 4)] = 0
            writeHostFence(vgpu, index, 0)
        }
    }
}
