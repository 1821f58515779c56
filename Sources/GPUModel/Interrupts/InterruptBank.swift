/// One Gen8+ interrupt register quad (ISR, IMR, IIR, IER) and where it reports in
/// GEN8_MASTER_IRQ. GVT: `intel_gvt_irq_info`; i915: `GEN8_GT_ISR(n)`, `GEN8_DE_PIPE_ISR(p)`, ...
public enum InterruptBank: Int, CaseIterable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// GT0: RCS (bits 15:0) and BCS (bits 31:16).
    case gt0
    /// GT1: VCS (bits 15:0) and VCS2 (bits 31:16; absent on Apollo Lake).
    case gt1
    /// GT2: PM / RPS.
    case gt2
    /// GT3: VECS.
    case gt3
    /// Display engine pipe A.
    case dePipeA
    /// Display engine pipe B.
    case dePipeB
    /// Display engine pipe C.
    case dePipeC
    /// Display engine port (AUX, DP-A hotplug).
    case dePort
    /// Display engine misc.
    case deMisc
    /// Power control unit.
    case pcu
    /// South display engine / PCH (SDE): GMBUS, hotplug.
    case pch

    /// Base of the quad (= ISR).
    @inlinable public var base: MMIOOffset {
        switch self {
        case .gt0: 0x44300
        case .gt1: 0x44310
        case .gt2: 0x44320
        case .gt3: 0x44330
        case .dePipeA: 0x44400
        case .dePipeB: 0x44410
        case .dePipeC: 0x44420
        case .dePort: 0x44440
        case .deMisc: 0x44460
        case .pcu: 0x444E0
        case .pch: 0xC4000
        }
    }

    /// Interrupt status (live level of each source).
    @inlinable public var isr: MMIOOffset { base }
    /// Interrupt mask: a set bit keeps the source from latching into IIR.
    @inlinable public var imr: MMIOOffset { base.advanced(by: 4) }
    /// Interrupt identity: latched sources, write 1 to clear.
    @inlinable public var iir: MMIOOffset { base.advanced(by: 8) }
    /// Interrupt enable: which IIR bits reach the master register.
    @inlinable public var ier: MMIOOffset { base.advanced(by: 0xC) }

    /// The GEN8_MASTER_IRQ bit the bank's low half (or whole bank) reports in.
    public var masterBit: Int? {
        switch self {
        case .gt0: 0
        case .gt1: 2
        case .gt2: 4
        case .gt3: 6
        case .dePipeA: 16
        case .dePipeB: 17
        case .dePipeC: 18
        case .dePort: 20
        case .deMisc: 22
        case .pch: 23
        case .pcu: 30
        }
    }

    /// GEN8_MASTER_IRQ bits asserted by this bank when `pending` (= IIR & IER) bits are set.
    /// GT0/GT1 split: bits 15:0 → master bit 0/2, bits 31:16 → master bit 1/3; GT2/GT3 report
    /// bits 15:0 only (GVT's `gen8_irq_map`).
    @inlinable public func masterBits(pending: UInt32) -> UInt32 {
        switch self {
        case .gt0, .gt1:
            let low: UInt32 = self == .gt0 ? 0 : 2
            return (pending & 0xFFFF != 0 ? 1 << low : 0) | (pending & 0xFFFF_0000 != 0 ? 1 << (low + 1) : 0)
        case .gt2: return pending & 0xFFFF != 0 ? 1 << 4 : 0
        case .gt3: return pending & 0xFFFF != 0 ? 1 << 6 : 0
        default: return pending != 0 ? 1 << UInt32(masterBit!) : 0
        }
    }

    /// The display pipe bank of `pipe`.
    @inlinable public static func dePipe(_ pipe: Pipe) -> InterruptBank {
        switch pipe {
        case .a: .dePipeA
        case .b: .dePipeB
        case .c: .dePipeC
        }
    }

    /// The bank whose quad contains `offset`, and the register's position in it (0 ISR, 1 IMR,
    /// 2 IIR, 3 IER).
    @inlinable public static func locate(_ offset: MMIOOffset) -> (bank: InterruptBank, slot: Int)? {
        let raw = offset.rawValue
        guard raw & 3 == 0 else { return nil }
        for bank in allCases where raw >= bank.base.rawValue && raw < bank.base.rawValue + 0x10 {
            return (bank, Int((raw - bank.base.rawValue) >> 2))
        }
        return nil
    }

    /// Register names of the quad (IGT `gen8_interrupt.txt` / i915 names).
    public var registerStem: (isr: String, imr: String, iir: String, ier: String) {
        func quad(_ prefix: String, _ suffix: String) -> (String, String, String, String) {
            (prefix + "ISR" + suffix, prefix + "IMR" + suffix, prefix + "IIR" + suffix, prefix + "IER" + suffix)
        }
        switch self {
        case .gt0: return quad("GEN8_GT_", "0")
        case .gt1: return quad("GEN8_GT_", "1")
        case .gt2: return quad("GEN8_GT_", "2")
        case .gt3: return quad("GEN8_GT_", "3")
        case .dePipeA: return quad("GEN8_DE_PIPE_", "0")
        case .dePipeB: return quad("GEN8_DE_PIPE_", "1")
        case .dePipeC: return quad("GEN8_DE_PIPE_", "2")
        case .dePort: return quad("GEN8_DE_PORT_", "")
        case .deMisc: return quad("GEN8_DE_MISC_", "")
        case .pcu: return quad("GEN8_PCU_", "")
        case .pch: return quad("SDE", "")
        }
    }

    /// Short name: gt0, dePipeA, pch, ...
    public var description: String {
        switch self {
        case .gt0: "gt0"
        case .gt1: "gt1"
        case .gt2: "gt2"
        case .gt3: "gt3"
        case .dePipeA: "dePipeA"
        case .dePipeB: "dePipeB"
        case .dePipeC: "dePipeC"
        case .dePort: "dePort"
        case .deMisc: "deMisc"
        case .pcu: "pcu"
        case .pch: "pch"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
