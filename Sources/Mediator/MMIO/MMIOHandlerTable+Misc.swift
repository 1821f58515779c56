import GPUModel

/// Render-engine globals and GT registers: CSFE_CHICKEN1, the PCODE mailbox, Broxton's
/// PPAT, the command-accessible context, chicken and statistics registers, and the MCHBAR
/// mirror and CSR/DMC blocks (GVT: `init_generic/bdw/skl/bxt_mmio_info`, `mailbox_write`,
/// `bxt_ppat_low_write`, `csfe_chicken1_mmio_write`, `init_mmio_block`).
extension MMIOHandlerTable {
    /// CSFE_CHICKEN1_RCS bits 3 and 4: let an engine reach other engines' registers.
    public static let csfeCrossEngineBits: UInt32 = 1 << 3 | 1 << 4
    /// Apollo Lake's canned "read memory latency" answers (GVT: Broxton MRB values).
    public static let bxtMemoryLatency: (first: UInt32, next: UInt32) = (0x1608_0707, 0x1616_1616)
    /// The PPAT low dword GVT forces on Broxton: entries 0 and 3 snooped (CHV_PPAT_SNOOP).
    public static let bxtPPATLow: UInt32 = 0x4000_0040

    /// PCODE mailbox commands GVT answers.
    enum PCodeCommand {
        static let readRC6VIDs: UInt32 = 0x5
        static let readMemoryLatency: UInt32 = 0x6
        static let cdclkControl: UInt32 = 0x7
        /// GEN6_PCODE_READY (bit 31) and GEN6_PCODE_ERROR_MASK (bits 7:0).
        static let readyAndError: UInt32 = 1 << 31 | 0xFF
    }

    /// Masked context registers commands may load (F_MODE_MASK | F_CMD_ACCESS).
    static let maskedCommandRegisters: [UInt32] = [
        0x20D8, 0x20E4, 0x20EC, 0x2580, 0x7000, 0x7004, 0x7008, 0x7010, 0x7014, 0x7300, 0x7304, 0x83A4,
        0xE100, 0xE180, 0xE184, 0xE188, 0xE194, 0xE4F0,
    ]
    /// Plain registers commands may load or store (F_CMD_ACCESS).
    static let commandRegisters: [UInt32] = [
        0x20A0, 0x2214, 0x2248, 0x241C, 0x2418, 0x4090, 0x40E4, 0xB004, 0xB008, 0xB118, 0xB11C,
        0x4DE0, 0x4DE4, 0x4DE8, 0x4DEC, 0x4DF0, 0x4DF4, 0x4DFC, 0x5280, 0x5284, 0x5288, 0x528C,
    ]
    /// 64-bit statistics and predicate registers commands read and reset (F_CMD_ACCESS).
    static let commandRegisters64: [UInt32] = [
        0x2290, 0x2300, 0x2308, 0x2310, 0x2318, 0x2320, 0x2328, 0x2330, 0x2338, 0x2340, 0x2348, 0x2350,
        0x2400, 0x2408, 0x2410, 0x5200, 0x5208, 0x5210, 0x5218, 0x5240, 0x5248, 0x5250, 0x5258,
    ]

    /// Misc rows.
    static func miscRows() -> [MMIOInfo] {
        [
            MMIOInfo(0x20D4, flags: [.modeMask, .commandAccess, .commandWritePatch],
                     write: { $0.csfeChicken1Write($1, $2, $4) }),
            MMIOInfo(Reg.pcodeMailbox, write: { $0.pcodeMailboxWrite($1, $2, $4) }),
            MMIOInfo(Reg.pcodeData),
            MMIOInfo(Reg.pcodeData1),
            MMIOInfo(Reg.privatePATLo, flags: [.commandAccess], write: { m, v, o, _, _ in m.bxtPPATLowWrite(v, o) }),
        ]
            + maskedCommandRegisters.map { MMIOInfo(MMIOOffset($0), flags: [.modeMask, .commandAccess]) }
            + commandRegisters.map { MMIOInfo(MMIOOffset($0), flags: [.commandAccess]) }
            + commandRegisters64.map { MMIOInfo(MMIOOffset($0), size: 8, flags: [.commandAccess]) }
    }

    /// Blocks handled by the default virtual-register handlers: the MCHBAR mirror
    /// (0x140000, 256 KiB) and the CSR/DMC firmware range (0x80000, 12 KiB).
    static func mirrorBlocks() -> [MMIOBlock] {
        [
            MMIOBlock(name: "MCHBAR", range: 0x140000..<0x180000,
                      read: { $0.vregRead($1, $2, size: $3) }, write: { $0.vregWrite($1, $2, size: $3, value: $4) }),
            MMIOBlock(name: "CSR", range: 0x80000..<0x83000,
                      read: { $0.vregRead($1, $2, size: $3) }, write: { $0.vregWrite($1, $2, size: $3, value: $4) }),
        ]
    }
}

extension Mediator {
    /// CSFE_CHICKEN1_RCS write: under `.current`, enabling bits 3/4 (cross-engine register
    /// access) is stripped and puts the vGPU into failsafe; `.gvt2018` passes them.
    func csfeChicken1Write(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        var data = UInt32(truncatingIfNeeded: value)
        let bits = MMIOHandlerTable.csfeCrossEngineBits
        if configuration.revision == .current && (data >> 16) & data & bits != 0 {
            data &= ~(bits << 16 | bits)
            vgpu.vregs[offset] = data
            enterFailsafe(vgpu, .unsupportedGuest, detail: "GEN9_CSFE_CHICKEN1_RCS sets cross-engine access bits 3/4")
            return
        }
        vgpu.vregs[offset] = data
    }

    /// PCODE mailbox write (GVT: `mailbox_write`, Broxton): answers the memory-latency read
    /// with canned values (first call, then later calls), acknowledges CDCLK changes and RC6
    /// VIDs, and always reports ready with no error; the hardware is never touched.
    func pcodeMailboxWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        let data = UInt32(truncatingIfNeeded: value)
        let data0 = vgpu.vregs[Reg.pcodeData]
        switch data & 0xFF {
        case MMIOHandlerTable.PCodeCommand.readMemoryLatency:
            let latency = MMIOHandlerTable.bxtMemoryLatency
            vgpu.vregs[Reg.pcodeData] = data0 == 0 ? latency.first : latency.next
        case MMIOHandlerTable.PCodeCommand.readRC6VIDs:
            vgpu.vregs[Reg.pcodeData] = data0 | 1
        default:
            break  // CDCLK_CONTROL: Broxton needs no answer (SKL/KBL would get READY_FOR_CHANGE).
        }
        vgpu.vregs[offset] = data & ~MMIOHandlerTable.PCodeCommand.readyAndError
    }

    /// Broxton PPAT low write (GVT: `bxt_ppat_low_write`): the guest's value is replaced by a
    /// fixed snooped PAT.
    func bxtPPATLowWrite(_ vgpu: VGPU, _ offset: MMIOOffset) {
        vgpu.vregs[offset] = MMIOHandlerTable.bxtPPATLow
    }
}
