/// Per-engine register offsets, relative to an engine's `mmioBase` (i915: `RING_*(base)`).
///
/// Use `MMIOOffset.ring(_:_:)` for the absolute offset. Indexed families (CSB entries,
/// FORCE_TO_NONPRIV, CS GPRs) have their first element here and a helper on `MMIOOffset`.
public enum RingRegister: UInt32, CaseIterable, Sendable, Codable {
    /// RING_EXCC: execute condition code (masked).
    case excc = 0x28
    /// RING_TAIL: ring buffer tail offset, bits 20:3.
    case tail = 0x30
    /// RING_HEAD: ring buffer head offset, bits 20:2; wrap count 31:21.
    case head = 0x34
    /// RING_START: GGTT address of the ring buffer.
    case start = 0x38
    /// RING_CTL: bit 0 enable; buffer length in bits 20:12 (size = (ctl & 0x1FF000) + 4 KiB).
    case ctl = 0x3C
    /// RING_PSMI_CTL: power-state idle messaging control (masked).
    case psmiCtl = 0x50
    /// RING_ACTHD_UDW: upper dword of the active head pointer.
    case acthdUDW = 0x5C
    /// RING_IPEIR: instruction parser error identity.
    case ipeir = 0x64
    /// RING_IPEHR: instruction parser error header (the dword being parsed).
    case ipehr = 0x68
    /// RING_INSTDONE: per-unit done bits.
    case instdone = 0x6C
    /// RING_INSTPS: instruction parser state.
    case instps = 0x70
    /// RING_ACTHD: active head pointer (graphics address of the command being executed).
    case acthd = 0x74
    /// RING_DMA_FADD: DMA fetch address.
    case dmaFadd = 0x78
    /// RING_HWS_PGA: hardware status page GGTT address.
    case hwsPGA = 0x80
    /// RING_NOPID: last MI_NOOP identification value.
    case nopid = 0x94
    /// RING_HWSTAM: hardware status mask.
    case hwstam = 0x98
    /// RING_MI_MODE: MI mode (masked; STOP_RING bit 8, MODE_IDLE bit 9).
    case miMode = 0x9C
    /// RING_IMR: engine interrupt mask.
    case imr = 0xA8
    /// RING_EIR: error identity (write 1 to clear).
    case eir = 0xB0
    /// RING_EMR: error mask.
    case emr = 0xB4
    /// RING_ESR: error status.
    case esr = 0xB8
    /// RING_INSTPM: instruction parser mode (masked).
    case instpm = 0xC0
    /// RING_RESET_CTL: REQUEST_RESET bit 0, READY_TO_RESET bit 1 (masked).
    case resetCtl = 0xD0
    /// RING_BBSTATE: batch buffer state (bit 5: PPGTT).
    case bbState = 0x110
    /// RING_SBBADDR: second-level batch buffer head.
    case sbbAddr = 0x114
    /// RING_SBBSTATE: second-level batch buffer state.
    case sbbState = 0x118
    /// RING_SBBADDR_UDW: upper dword of the second-level batch head.
    case sbbAddrUDW = 0x11C
    /// RING_BBADDR: batch buffer head (lower dword).
    case bbAddr = 0x140
    /// RING_BBADDR_UDW: batch buffer head (upper dword).
    case bbAddrUDW = 0x168
    /// CCID: current context id (legacy ring submission).
    case ccid = 0x180
    /// RING_BB_PER_CTX_PTR: per-context batch buffer pointer (RCS).
    case bbPerCtxPtr = 0x1C0
    /// RING_INDIRECT_CTX: indirect context pointer and size (RCS).
    case indirectCtx = 0x1C4
    /// RING_INDIRECT_CTX_OFFSET: indirect context offset (RCS).
    case indirectCtxOffset = 0x1C8
    /// RING_ELSP: execlist submit port (write-only; 4 dwords per submission).
    case elsp = 0x230
    /// RING_EXECLIST_STATUS_LO.
    case execlistStatusLo = 0x234
    /// RING_EXECLIST_STATUS_HI: current context id.
    case execlistStatusHi = 0x238
    /// RING_CONTEXT_CONTROL (masked; bit 0 restore inhibit).
    case contextControl = 0x244
    /// GEN8_RING_PDP_LDW(0).
    case pdp0LDW = 0x270
    /// GEN8_RING_PDP_UDW(0).
    case pdp0UDW = 0x274
    /// GEN8_RING_PDP_LDW(1).
    case pdp1LDW = 0x278
    /// GEN8_RING_PDP_UDW(1).
    case pdp1UDW = 0x27C
    /// GEN8_RING_PDP_LDW(2).
    case pdp2LDW = 0x280
    /// GEN8_RING_PDP_UDW(2).
    case pdp2UDW = 0x284
    /// GEN8_RING_PDP_LDW(3).
    case pdp3LDW = 0x288
    /// GEN8_RING_PDP_UDW(3).
    case pdp3UDW = 0x28C
    /// RING_MODE_GEN7 / GFX_MODE (masked; RUN_LIST_ENABLE bit 15, PPGTT_ENABLE bit 9).
    case mode = 0x29C
    /// RING_TIMESTAMP (lower dword).
    case timestamp = 0x358
    /// RING_TIMESTAMP_UDW.
    case timestampUDW = 0x35C
    /// RING_CONTEXT_STATUS_BUF_LO(0); 6 entries of (lo, hi) follow. See `MMIOOffset.csb`.
    case csbBase = 0x370
    /// RING_CONTEXT_STATUS_PTR (masked; write pointer 2:0, read pointer 10:8).
    case csbPointer = 0x3A0
    /// RING_CTX_TIMESTAMP: context timestamp.
    case ctxTimestamp = 0x3A8
    /// RING_FORCE_TO_NONPRIV(0); 12 registers follow. See `MMIOOffset.forceToNonPriv`.
    case forceToNonPriv = 0x4D0
    /// GEN8_RING_CS_GPR(0): 16 x 64-bit general purpose registers for MI_MATH. See `MMIOOffset.csGPR`.
    case csGPR = 0x600

    /// i915's macro name without the engine (e.g. "RING_TAIL"); the catalogue prefixes the
    /// engine ("RCS_RING_TAIL").
    public var i915Name: String {
        switch self {
        case .excc: "RING_EXCC"
        case .tail: "RING_TAIL"
        case .head: "RING_HEAD"
        case .start: "RING_START"
        case .ctl: "RING_CTL"
        case .psmiCtl: "RING_PSMI_CTL"
        case .acthdUDW: "RING_ACTHD_UDW"
        case .ipeir: "RING_IPEIR"
        case .ipehr: "RING_IPEHR"
        case .instdone: "RING_INSTDONE"
        case .instps: "RING_INSTPS"
        case .acthd: "RING_ACTHD"
        case .dmaFadd: "RING_DMA_FADD"
        case .hwsPGA: "RING_HWS_PGA"
        case .nopid: "RING_NOPID"
        case .hwstam: "RING_HWSTAM"
        case .miMode: "RING_MI_MODE"
        case .imr: "RING_IMR"
        case .eir: "RING_EIR"
        case .emr: "RING_EMR"
        case .esr: "RING_ESR"
        case .instpm: "RING_INSTPM"
        case .resetCtl: "RING_RESET_CTL"
        case .bbState: "RING_BBSTATE"
        case .sbbAddr: "RING_SBBADDR"
        case .sbbState: "RING_SBBSTATE"
        case .sbbAddrUDW: "RING_SBBADDR_UDW"
        case .bbAddr: "RING_BBADDR"
        case .bbAddrUDW: "RING_BBADDR_UDW"
        case .ccid: "RING_CCID"
        case .bbPerCtxPtr: "RING_BB_PER_CTX_PTR"
        case .indirectCtx: "RING_INDIRECT_CTX"
        case .indirectCtxOffset: "RING_INDIRECT_CTX_OFFSET"
        case .elsp: "RING_ELSP"
        case .execlistStatusLo: "RING_EXECLIST_STATUS_LO"
        case .execlistStatusHi: "RING_EXECLIST_STATUS_HI"
        case .contextControl: "RING_CONTEXT_CONTROL"
        case .pdp0LDW: "RING_PDP0_LDW"
        case .pdp0UDW: "RING_PDP0_UDW"
        case .pdp1LDW: "RING_PDP1_LDW"
        case .pdp1UDW: "RING_PDP1_UDW"
        case .pdp2LDW: "RING_PDP2_LDW"
        case .pdp2UDW: "RING_PDP2_UDW"
        case .pdp3LDW: "RING_PDP3_LDW"
        case .pdp3UDW: "RING_PDP3_UDW"
        case .mode: "RING_MODE"
        case .timestamp: "RING_TIMESTAMP"
        case .timestampUDW: "RING_TIMESTAMP_UDW"
        case .csbBase: "RING_CONTEXT_STATUS_BUF_LO_0"
        case .csbPointer: "RING_CONTEXT_STATUS_PTR"
        case .ctxTimestamp: "RING_CTX_TIMESTAMP"
        case .forceToNonPriv: "RING_FORCE_TO_NONPRIV_0"
        case .csGPR: "RING_CS_GPR_0"
        }
    }
}

/// Number of context status buffer entries per engine (Gen8/9).
public let csbEntryCount = 6
/// Number of FORCE_TO_NONPRIV registers per engine (Gen9).
public let forceToNonPrivCount = 12
/// Number of 64-bit CS general purpose registers per engine.
public let csGPRCount = 16
/// Number of MOCS control registers per engine (Gen9: GEN9_NUM_MOCS_ENTRIES).
public let mocsEntryCount = 64
/// Number of L3CC (LNCFCMOCS) registers; each holds two 16-bit L3 entries.
public let l3ccRegisterCount = 32

extension MMIOOffset {
    /// Absolute offset of a per-engine register: `engine.mmioBase + register`.
    @inlinable public static func ring(_ register: RingRegister, _ engine: EngineID) -> MMIOOffset {
        MMIOOffset(engine.mmioBase + register.rawValue)
    }

    /// RING_CONTEXT_STATUS_BUF_LO/HI(engine, entry), entry 0..<6.
    @inlinable public static func csb(_ engine: EngineID, entry: Int, upper: Bool = false) -> MMIOOffset {
        precondition(entry >= 0 && entry < csbEntryCount, "CSB entry \(entry) out of range")
        return MMIOOffset(engine.mmioBase + 0x370 + UInt32(entry) * 8 + (upper ? 4 : 0))
    }

    /// GEN8_RING_PDP_LDW/UDW(engine, n), n 0..<4.
    @inlinable public static func pdp(_ engine: EngineID, _ n: Int, upper: Bool) -> MMIOOffset {
        precondition(n >= 0 && n < 4, "PDP \(n) out of range")
        return MMIOOffset(engine.mmioBase + 0x270 + UInt32(n) * 8 + (upper ? 4 : 0))
    }

    /// RING_FORCE_TO_NONPRIV(engine, i), i 0..<12.
    @inlinable public static func forceToNonPriv(_ engine: EngineID, _ i: Int) -> MMIOOffset {
        precondition(i >= 0 && i < forceToNonPrivCount, "FORCE_TO_NONPRIV \(i) out of range")
        return MMIOOffset(engine.mmioBase + 0x4D0 + UInt32(i) * 4)
    }

    /// GEN8_RING_CS_GPR(engine, n) (64-bit; `upper` selects the high dword), n 0..<16.
    @inlinable public static func csGPR(_ engine: EngineID, _ n: Int, upper: Bool = false) -> MMIOOffset {
        precondition(n >= 0 && n < csGPRCount, "CS_GPR \(n) out of range")
        return MMIOOffset(engine.mmioBase + 0x600 + UInt32(n) * 8 + (upper ? 4 : 0))
    }

    /// MOCS control register `i` of `engine` (GEN9_GFX_MOCS / MFX0 / BLT / VEBOX), i 0..<64.
    @inlinable public static func mocs(_ engine: EngineID, _ i: Int) -> MMIOOffset {
        precondition(i >= 0 && i < mocsEntryCount, "MOCS \(i) out of range")
        return MMIOOffset(engine.mocsBase + UInt32(i) * 4)
    }

    /// GEN9_LNCFCMOCS(i), i 0..<32 (two L3CC entries per register).
    @inlinable public static func l3cc(_ i: Int) -> MMIOOffset {
        precondition(i >= 0 && i < l3ccRegisterCount, "L3CC \(i) out of range")
        return MMIOOffset(0xB020 + UInt32(i) * 4)
    }
}

extension EngineID {
    /// First MOCS control register of this engine (RCS 0xC800, VCS 0xC900, VECS 0xCB00, BCS 0xCC00).
    @inlinable public var mocsBase: UInt32 {
        switch self {
        case .rcs: 0xC800
        case .vcs: 0xC900
        case .vecs: 0xCB00
        case .bcs: 0xCC00
        }
    }

    /// Upper-case prefix used in catalogue names: RCS, BCS, VCS, VECS.
    public var registerPrefix: String { name.uppercased() }

    /// The engine whose MMIO range holds `offset` (base..<base+0x1000), if any.
    @inlinable public static func owning(_ offset: MMIOOffset) -> EngineID? {
        for engine in EngineID.allCases
        where offset.rawValue >= engine.mmioBase && offset.rawValue < engine.mmioBase + 0x1000 {
            return engine
        }
        return nil
    }
}
