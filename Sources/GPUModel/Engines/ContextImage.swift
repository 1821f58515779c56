/// The register-state page of a Gen9 logical ring context (LRCA + 1 page).
///
/// The page is a list of MI_LOAD_REGISTER_IMM commands: dword `i` holds a register
/// offset and dword `i + 1` its value. These are the slot indices of the offsets
/// (i915 `intel_lrc_reg.h`: `CTX_RING_HEAD` 0x04, …; GVT reads the same slots).
public enum ContextImage {
    /// Pages in a context: page 0 = per-process HWSP, page 1 = register state, then engine state.
    public static let registerStatePage: UInt64 = 1
    /// Size of a Gen9 RCS context in pages (BDW/SKL RCS: 19+ pages; others 2).
    public static func pageCount(for engine: EngineID) -> Int { engine == .rcs ? 20 : 2 }

    /// Register slots of the state page; the value lives at `rawValue + 1`.
    public enum Slot: Int, CaseIterable, Sendable {
        case lriHeader0 = 0x01
        case contextControl = 0x02
        case ringHead = 0x04
        case ringTail = 0x06
        case ringStart = 0x08
        case ringCtl = 0x0A
        case bbHeadUpper = 0x0C
        case bbHeadLower = 0x0E
        case bbState = 0x10
        case secondBBHeadUpper = 0x12
        case secondBBHeadLower = 0x14
        case secondBBState = 0x16
        case bbPerContextPointer = 0x18
        case rcsIndirectContext = 0x1A
        case rcsIndirectContextOffset = 0x1C
        case lriHeader1 = 0x21
        case contextTimestamp = 0x22
        case pdp3Upper = 0x24
        case pdp3Lower = 0x26
        case pdp2Upper = 0x28
        case pdp2Lower = 0x2A
        case pdp1Upper = 0x2C
        case pdp1Lower = 0x2E
        case pdp0Upper = 0x30
        case pdp0Lower = 0x32
        case lriHeader2 = 0x41
        case powerClockState = 0x42

        /// Byte offset of this slot's *value* inside the state page.
        @inlinable public var valueByteOffset: UInt64 { UInt64(rawValue + 1) * 4 }

        /// The register this slot loads, relative to the engine's MMIO base.
        public var registerOffset: UInt32? {
            switch self {
            case .contextControl: 0x244
            case .ringHead: 0x34
            case .ringTail: 0x30
            case .ringStart: 0x38
            case .ringCtl: 0x3C
            case .bbHeadUpper: 0x168
            case .bbHeadLower: 0x140
            case .bbState: 0x110
            case .secondBBHeadUpper: 0x11C
            case .secondBBHeadLower: 0x114
            case .secondBBState: 0x118
            case .bbPerContextPointer: 0x1C0
            case .rcsIndirectContext: 0x1C4
            case .rcsIndirectContextOffset: 0x1C8
            case .contextTimestamp: 0x3A8
            case .pdp3Upper: 0x28C
            case .pdp3Lower: 0x288
            case .pdp2Upper: 0x284
            case .pdp2Lower: 0x280
            case .pdp1Upper: 0x27C
            case .pdp1Lower: 0x278
            case .pdp0Upper: 0x274
            case .pdp0Lower: 0x270
            case .powerClockState: 0x0C8
            case .lriHeader0, .lriHeader1, .lriHeader2: nil
            }
        }
    }

    /// CONTEXT_CONTROL bit 0: do not restore the engine state from the image.
    public static let restoreInhibit: UInt32 = 1 << 0
    /// CONTEXT_CONTROL bit 3: the image is not saved on switch-out.
    public static let saveInhibit: UInt32 = 1 << 2

    /// The ring size encoded in RING_CTL: bits 20:12 hold (pages − 1).
    @inlinable public static func ringSize(ctl: UInt32) -> UInt32 { (ctl & 0x1F_F000) + 0x1000 }
    /// RING_CTL bit 0: ring buffer valid.
    @inlinable public static func ringValid(ctl: UInt32) -> Bool { ctl & 1 != 0 }

    /// Writes a fresh register-state page the way i915's `execlists_init_reg_state` does:
    /// the LRI headers and register offsets for `engine`, the given ring and PDPs.
    public static func initialStatePage(
        engine: EngineID, ringStart: GraphicsAddress, ringSize: UInt32, head: UInt32 = 0, tail: UInt32 = 0,
        pdps: [UInt64] = [0, 0, 0, 0], contextControl: UInt32 = 0
    ) -> [UInt32] {
        precondition(ringSize >= 0x1000 && ringSize % 0x1000 == 0 && ringSize <= 0x20_0000, "ring size")
        precondition(pdps.count == 4)
        var page = [UInt32](repeating: 0, count: 1024)
        let base = engine.mmioBase
        page[Slot.lriHeader0.rawValue] = 0x1100_0000 | UInt32(2 * 14 - 1) | 1 << 12  // LRI, force posted
        page[Slot.lriHeader1.rawValue] = 0x1100_0000 | UInt32(2 * 9 - 1) | 1 << 12
        page[Slot.lriHeader2.rawValue] = 0x1100_0000 | UInt32(2 * 1 - 1)
        for slot in Slot.allCases {
            if let reg = slot.registerOffset { page[slot.rawValue] = base + reg }
        }
        func set(_ slot: Slot, _ value: UInt32) { page[slot.rawValue + 1] = value }
        set(.contextControl, 0xFFFF_0000 | contextControl)
        set(.ringHead, head)
        set(.ringTail, tail)
        set(.ringStart, UInt32(truncatingIfNeeded: ringStart.rawValue))
        set(.ringCtl, (ringSize - 0x1000) | 1)
        let pdpSlots: [(Slot, Slot)] = [(.pdp0Upper, .pdp0Lower), (.pdp1Upper, .pdp1Lower),
                                        (.pdp2Upper, .pdp2Lower), (.pdp3Upper, .pdp3Lower)]
        for (i, (upper, lower)) in pdpSlots.enumerated() {
            set(upper, UInt32(truncatingIfNeeded: pdps[i] >> 32))
            set(lower, UInt32(truncatingIfNeeded: pdps[i]))
        }
        page[0x44] = 0x0500_0000  // MI_BATCH_BUFFER_END closes the register list
        return page
    }
}
