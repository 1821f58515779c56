import GPUModel

/// Reset of a vGPU's virtual registers from GVT's "firmware" snapshot (GVT:
/// `intel_vgpu_reset_mmio`, `gvt->firmware.mmio`).
extension MMIOHandlerTable {
    /// GVT_GEN8_MMIO_RESET_OFFSET: a GT reset restores only registers below this offset, so
    /// interrupt, display and PVINFO state survive it.
    public static let gtResetLimit: UInt32 = 0x44200

    /// The register file a vGPU starts from: the GPU model's reset values plus GVT's virtual
    /// defaults (forcewake acknowledgements 0, CSB pointers "empty" = 0x7, core C-state C0,
    /// ring modes 0 so that the guest enables execlists itself). Built once; assigning it
    /// to a vGPU copies on first write.
    public static let firmwareRegisters: RegisterFile = {
        var file = RegisterFile(catalogue: .gen9)
        for pair in forcewakePairs { file[pair.ack] = 0 }
        for engine in EngineID.allCases {
            file[.ring(.csbPointer, engine)] = 0x7
            file[.ring(.mode, engine)] = 0
        }
        file[0x138060] = 0  // GEN6_GT_CORE_STATUS: C0
        return file
    }()
}

extension Mediator {
    /// Resets the vGPU's virtual registers: a device-model-level reset restores the whole
    /// 2 MiB from the firmware snapshot; a GT reset restores only offsets below 0x44200.
    /// PVINFO is repopulated by the caller.
    func resetVirtualRegisters(_ vgpu: VGPU, deviceModelLevel: Bool) {
        let snapshot = MMIOHandlerTable.firmwareRegisters
        if deviceModelLevel {
            vgpu.vregs = snapshot
            return
        }
        var offset: UInt32 = 0
        while offset < MMIOHandlerTable.gtResetLimit {
            vgpu.vregs[MMIOOffset(offset)] = snapshot[MMIOOffset(offset)]
            offset += 4
        }
    }
}
