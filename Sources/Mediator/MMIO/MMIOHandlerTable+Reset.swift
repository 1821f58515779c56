import GPUModel

/// Guest-requested resets and TLB invalidation (GVT: `gdrst_mmio_write`,
/// `gvt_reg_tlb_control_handler`).
extension MMIOHandlerTable {
    /// GDRST bit 0: full GT reset.
    public static let gdrstFull: UInt32 = 1 << 0
    /// GDRST engine bits: RENDER 1, MEDIA 2, BLT 3, VECS 4 (MEDIA2 7 names the VCS2 Apollo
    /// Lake lacks and is ignored).
    public static let gdrstEngines: [(bit: UInt32, engine: EngineID)] = [
        (1 << 1, .rcs), (1 << 2, .vcs), (1 << 3, .bcs), (1 << 4, .vecs),
    ]
    /// TLB invalidation registers and their engines (0x4268 is VCS2's: no engine here).
    public static let tlbInvalidateRegisters: [(offset: MMIOOffset, engine: EngineID?)] = [
        (0x4260, .rcs), (0x4264, .vcs), (0x4268, nil), (0x426C, .bcs), (0x4270, .vecs),
    ]

    /// GDRST and the TLB invalidation rows.
    static func resetRows() -> [MMIOInfo] {
        [MMIOInfo(Reg.gdrst, write: { $0.gdrstWrite($1, $2, $4) })]
            + tlbInvalidateRegisters.map {
                MMIOInfo($0.offset, flags: [.commandAccess], write: { m, v, o, _, _ in m.tlbInvalidateWrite(v, o) })
            }
    }
}

extension Mediator {
    /// GDRST write: FULL resets the whole GT of the vGPU, engine bits reset those engines
    /// (GVT: `intel_gvt_reset_vgpu_locked(vgpu, false, mask)`); the register then reads
    /// back 0 (= reset done).
    func gdrstWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        let data = UInt32(truncatingIfNeeded: value)
        var engines: EngineMask = []
        if data & MMIOHandlerTable.gdrstFull != 0 {
            engines = .all
        } else {
            for (bit, engine) in MMIOHandlerTable.gdrstEngines where data & bit != 0 { engines.insert(EngineMask(engine)) }
        }
        if !engines.isEmpty { try? resetVGPU(vgpu.id, deviceModelLevel: false, engines: engines) }
        vgpu.vregs[offset] = 0
    }

    /// TLB invalidation write: the virtual register reads 0 at once and the engine's
    /// invalidation is left pending until the vGPU's next MMIO switch on that engine.
    func tlbInvalidateWrite(_ vgpu: VGPU, _ offset: MMIOOffset) {
        vgpu.vregs[offset] = 0
        if let engine = MMIOHandlerTable.tlbInvalidateRegisters.first(where: { $0.offset == offset })?.engine {
            vgpu.pendingTLBInvalidate.insert(EngineMask(engine))
        }
    }
}
