/// The Gen8+ interrupt tree over a `RegisterFile`: ISR/IMR/IIR/IER quads feeding
/// GEN8_MASTER_IRQ. Hardware semantics. GVT: `interrupt.c` (`propagate_event`,
/// `update_upstream_irq`, `intel_vgpu_reg_*_handler`).
///
/// - An event latches into IIR only if its IMR bit is clear.
/// - A bank reports to the master register when `IIR & IER` is non-zero (GT0/GT1 by half).
/// - GEN8_MASTER_IRQ's group bits always mirror the pending groups (as on hardware, where
///   i915 reads them after clearing the enable); bit 31 is the only writable bit.
/// - The device signals (MSI) when bit 31 is set and any group is pending.
public enum InterruptController {
    /// GEN8_MASTER_IRQ_CONTROL: the global enable bit.
    public static let masterEnable: UInt32 = 1 << 31

    /// Raises `event`: sets its IIR bit unless masked in IMR, then recomputes the master
    /// register. Returns true if the IIR bit was latched.
    @discardableResult
    public static func raise(_ event: InterruptEvent, in registers: inout RegisterFile) -> Bool {
        let bank = event.bank
        guard registers[bank.imr] & event.mask == 0 else { return false }
        registers[bank.iir] |= event.mask
        recomputeMaster(in: &registers)
        return true
    }

    /// True for the registers whose writes this controller implements: every bank's IMR,
    /// IIR and IER, and GEN8_MASTER_IRQ.
    public static func handlesWrite(to offset: MMIOOffset) -> Bool {
        if offset == Reg.masterIRQ { return true }
        guard let (_, slot) = InterruptBank.locate(offset) else { return false }
        return slot != 0
    }

    /// A write to an interrupt register: IIR write-1-to-clear, IMR/IER store, master: only
    /// bit 31 changes; then the master register is recomputed. Other offsets fall back to
    /// `RegisterFile.write`.
    public static func write(_ offset: MMIOOffset, _ value: UInt32, in registers: inout RegisterFile) {
        if offset == Reg.masterIRQ {
            registers[offset] = (registers[offset] & ~masterEnable) | (value & masterEnable)
        } else if let (_, slot) = InterruptBank.locate(offset), slot != 0 {
            switch slot {
            case 2: registers[offset] &= ~value  // IIR
            default: registers[offset] = value  // IMR, IER
            }
        } else {
            registers.write(offset, value)
            return
        }
        recomputeMaster(in: &registers)
    }

    /// The master register's group bits implied by the banks (IIR & IER per bank).
    public static func pendingMasterBits(_ registers: RegisterFile) -> UInt32 {
        var bits: UInt32 = 0
        for bank in InterruptBank.allCases {
            bits |= bank.masterBits(pending: registers[bank.iir] & registers[bank.ier])
        }
        return bits
    }

    /// Rewrites GEN8_MASTER_IRQ's group bits from the banks, keeping bit 31.
    public static func recomputeMaster(in registers: inout RegisterFile) {
        let master = registers[Reg.masterIRQ]
        registers[Reg.masterIRQ] = (master & masterEnable) | pendingMasterBits(registers)
    }

    /// True when the device asserts its interrupt (MSI): master enable set and any group
    /// with `IIR & IER != 0`.
    public static func isAsserted(_ registers: RegisterFile) -> Bool {
        registers[Reg.masterIRQ] & masterEnable != 0 && pendingMasterBits(registers) != 0
    }

    /// The latched-and-enabled events of `bank` (IIR & IER), lowest bit first.
    public static func pendingEvents(in bank: InterruptBank, _ registers: RegisterFile) -> [InterruptEvent] {
        let pending = registers[bank.iir] & registers[bank.ier]
        return (0..<32).filter { pending & (1 << UInt32($0)) != 0 }.map { InterruptEvent(bank: bank, bit: $0) }
    }
}
