import GPUModel

/// Per-engine ring registers: RING_MODE/GFX_MODE, RING_RESET_CTL, the registers read from
/// hardware while the vGPU owns the engine, FORCE_TO_NONPRIV, and the command-accessible
/// ring and context registers (GVT: `MMIO_RING_*` rows of `handlers.c`).
extension MMIOHandlerTable {
    /// GFX_MODE / RING_MODE bit 15: RUN_LIST_ENABLE (execlist submission).
    public static let runListEnable: UInt32 = 1 << 15
    /// GFX_MODE / RING_MODE bit 9: PPGTT_ENABLE.
    public static let ppgttEnable: UInt32 = 1 << 9
    /// GFX_MODE bit 0: disables the hardware privilege check of non-privileged batches.
    public static let privilegeCheckDisable: UInt32 = 1 << 0
    /// RING_RESET_CTL bit 0: REQUEST_RESET.
    public static let requestReset: UInt32 = 1 << 0
    /// RING_RESET_CTL bit 1: READY_TO_RESET.
    public static let readyToReset: UInt32 = 1 << 1

    /// Offsets a FORCE_TO_NONPRIV register may name (GVT: `force_nonpriv_white_list`, Gen9),
    /// sorted. RING_NOPID of the register's own engine is accepted too.
    public static let forceToNonPrivWhitelist: [UInt32] = [
        0x20EC, 0x2248, 0x2580, 0x2690, 0x2694, 0x2698, 0x4DE0, 0x4DE4, 0x4DFC, 0x7010, 0x7014,
        0x7300, 0x7304, 0x7700, 0x7704, 0x7708, 0x770C, 0x83A8, 0xB110, 0xB118, 0xE100, 0xE18C,
        0xE48C, 0xE5F4,
    ]

    /// Ring rows for every engine.
    static func ringRows() -> [MMIOInfo] {
        var rows: [MMIOInfo] = []
        for engine in EngineID.allCases {
            func at(_ register: RingRegister) -> MMIOOffset { .ring(register, engine) }
            rows += [
                MMIOInfo(at(.excc), flags: [.modeMask, .commandAccess]),
                MMIOInfo(at(.tail)),
                MMIOInfo(at(.head)),
                MMIOInfo(at(.ctl)),
                MMIOInfo(at(.start), flags: [.graphicsAddress], addressMask: 0xFFFF_F000),
                MMIOInfo(at(.acthdUDW), read: { $0.readFromHardware($1, $2, $3) }),
                MMIOInfo(at(.instdone), read: { $0.readFromHardware($1, $2, $3) }),
                MMIOInfo(at(.acthd), read: { $0.readFromHardware($1, $2, $3) }),
                MMIOInfo(at(.miMode), flags: [.modeMask, .commandAccess]),
                MMIOInfo(at(.instpm), flags: [.modeMask, .commandAccess]),
                MMIOInfo(at(.resetCtl), flags: [.modeMask], readOnlyMask: readyToReset, write: { $0.ringResetCtlWrite($1, $2, $4) }),
                MMIOInfo(at(.bbAddr), flags: [.graphicsAddress, .commandAccess], addressMask: 0xFFFF_F000),
                MMIOInfo(at(.bbAddrUDW), flags: [.commandAccess]),
                MMIOInfo(at(.mode), flags: [.modeMask, .commandAccess, .commandWritePatch],
                         write: { $0.ringModeWrite($1, $2, $4) }),
                MMIOInfo(at(.timestamp), flags: [.commandAccess], read: { $0.readFromHardware($1, $2, $3) }),
                MMIOInfo(at(.timestampUDW), flags: [.commandAccess], read: { $0.readFromHardware($1, $2, $3) }),
                MMIOInfo(at(.ctxTimestamp), flags: [.commandAccess]),
                MMIOInfo(.forceToNonPriv(engine, 0), size: 4 * forceToNonPrivCount,
                         flags: [.commandAccess, .commandWritePatch], write: { $0.forceToNonPrivWrite($1, $2, $4) }),
                MMIOInfo(.csGPR(engine, 0), size: 8 * csGPRCount, flags: [.commandAccess]),
                MMIOInfo(.mocs(engine, 0), size: 4 * mocsEntryCount, flags: [.commandAccess]),
            ]
        }
        let r = EngineID.rcs
        rows += [
            MMIOInfo(.ring(.ccid, r), flags: [.graphicsAddress, .commandAccess], addressMask: 0xFFFF_F000),
            MMIOInfo(.ring(.bbPerCtxPtr, r), flags: [.commandAccess]),
            MMIOInfo(.ring(.indirectCtx, r), flags: [.commandAccess]),
            MMIOInfo(.ring(.indirectCtxOffset, r), flags: [.commandAccess]),
            MMIOInfo(.l3cc(0), size: 4 * l3ccRegisterCount, flags: [.commandAccess]),
            // GEN7_SC_INSTDONE lies outside any engine's ring range: always read from hardware.
            MMIOInfo(0x7100, read: { $0.readFromHardware($1, $2, $3) }),
        ]
        return rows
    }
}

extension Mediator {
    /// RING_MODE / GFX_MODE write (GVT: `ring_mode_mmio_write`). Enabling PPGTT or
    /// execlists before the guest read PVINFO means the guest is not GVT-aware: failsafe
    /// UNSUPPORTED_GUEST and the write is dropped. Setting bit 0 (privilege-check disable)
    /// is stripped and puts the vGPU into failsafe under `.current`; `.gvt2018` lets it reach
    /// the virtual register (and from there the shadow context).
    func ringModeWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        var data = UInt32(truncatingIfNeeded: value)
        let enablesPPGTT = maskedBitsEnabled(data, MMIOHandlerTable.ppgttEnable)
        let enablesExeclists = maskedBitsEnabled(data, MMIOHandlerTable.runListEnable)
        if (enablesPPGTT || enablesExeclists) && !vgpu.pvNotified {
            mmioError(vgpu, offset, isWrite: true, "PPGTT/execlist enable before PVINFO was read")
            enterFailsafe(vgpu, .unsupportedGuest,
                          detail: "\(catalogue.name(of: offset) ?? "\(offset)") enables PPGTT/execlists before PVINFO was read")
            return
        }
        let privilege = MMIOHandlerTable.privilegeCheckDisable
        if configuration.revision == .current && maskedBitsEnabled(data, privilege) {
            data &= ~(privilege << 16 | privilege)
            vgpu.vregs[offset] = data
            enterFailsafe(vgpu, .unsupportedGuest,
                          detail: "\(catalogue.name(of: offset) ?? "\(offset)") sets the privilege-check disable bit")
            return
        }
        vgpu.vregs[offset] = data
    }

    /// RING_RESET_CTL write (GVT: `ring_reset_ctl_write`): requesting a reset makes the
    /// engine report READY_TO_RESET at once, withdrawing the request clears it. The ready
    /// bit's own mask bit is set so that the masked update keeps it.
    func ringResetCtlWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        var data = UInt32(truncatingIfNeeded: value)
        let ready = MMIOHandlerTable.readyToReset
        if maskedBitsEnabled(data, MMIOHandlerTable.requestReset) {
            data |= ready << 16 | ready
        } else if maskedBitsDisabled(data, MMIOHandlerTable.requestReset) {
            data = (data & ~ready) | ready << 16
        }
        vgpu.vregs[offset] = data
    }

    /// Registers read from hardware (GVT: `mmio_read_from_hw`): the live host value is
    /// copied into the virtual register when the offset belongs to no engine, when the vGPU
    /// owns the engine (`engineOwners`), or for RING_TIMESTAMP(_UDW); otherwise the virtual
    /// register is returned as it is.
    func readFromHardware(_ vgpu: VGPU, _ offset: MMIOOffset, _ size: Int) -> UInt64 {
        let aligned = MMIOOffset(offset.rawValue & ~3)
        if let engine = EngineID.owning(aligned) {
            let relative = aligned.rawValue - engine.mmioBase
            let isTimestamp = relative == RingRegister.timestamp.rawValue || relative == RingRegister.timestampUDW.rawValue
            if isTimestamp || engineOwners[engine.index] == vgpu.id {
                vgpu.vregs[aligned] = host.hostReadRegister(aligned)
            }
        } else {
            vgpu.vregs[aligned] = host.hostReadRegister(aligned)
        }
        return vregRead(vgpu, offset, size: size)
    }

    /// FORCE_TO_NONPRIV write (GVT: `force_nonpriv_write`): only whitelisted target offsets
    /// (bits 25:2) or the engine's own RING_NOPID are stored; anything else is ignored and
    /// reported.
    func forceToNonPrivWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        let data = UInt32(truncatingIfNeeded: value)
        let target = data & 0x03FF_FFFC
        let engine = EngineID.owning(offset)
        let nopid = engine.map { MMIOOffset.ring(.nopid, $0).rawValue }
        guard MMIOHandlerTable.forceToNonPrivWhitelist.contains(target) || target == nopid else {
            mmioError(vgpu, offset, isWrite: true, "FORCE_TO_NONPRIV target \(hex(target, width: 5)) not whitelisted")
            return
        }
        vgpu.vregs[offset] = data
    }
}
