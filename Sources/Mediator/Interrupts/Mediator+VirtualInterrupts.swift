import GPUModel

/// The vGPU's virtual interrupt tree (GVT: `interrupt.c`, Gen8 `gen8_irq_map`).
///
/// The tree lives in the vGPU's virtual registers: one ISR/IMR/IIR/IER quad per bank
/// (`InterruptBank`: GT0..3, DE pipe A..C, DE port, DE misc, PCU, PCH) feeding
/// GEN8_MASTER_IRQ. Every bank reports straight to the master register (PCH included, bit
/// 23, as in GVT's map). Host interrupts are never forwarded: every guest interrupt is
/// synthesised by `triggerVirtualInterrupt`.
///
/// GVT's master register differs from hardware, and this follows GVT: group bits are only
/// *set* by `check_pending_irq` while bit 31 is set, and only *cleared* when the group's own
/// IIR or IER write recomputes it (`update_upstream_irq`). A guest that clears bit 31,
/// reads the master register and handles groups therefore sees GVT's view, not the live one.
extension Mediator {
    /// GEN8_MASTER_IRQ_CONTROL: the master enable bit (bit 31).
    static let masterIRQControl: UInt32 = 1 << 31

    /// Raises `event` in `vgpu` (GVT: `intel_vgpu_trigger_virtual_event`): the IIR bit is
    /// latched unless masked in IMR (`propagate_event`), then pending groups are pushed to the
    /// master register and an MSI is injected if any is pending (`check_pending_irq`).
    public func triggerVirtualInterrupt(_ vgpu: VGPU, _ event: InterruptEvent) {
        propagateVirtualEvent(vgpu, event)
        checkPendingVirtualInterrupts(vgpu)
    }

    /// A guest write of `value` to an interrupt register, or to any other offset (stored as
    /// is). IIR: write 1 to clear, then the group's master bits are recomputed
    /// (`intel_vgpu_reg_iir_handler`); IER: stored, recomputed, checked (`_ier_handler`); IMR:
    /// stored, checked (`_imr_handler`); GEN8_MASTER_IRQ: only bit 31 changes, then checked
    /// (`intel_vgpu_reg_master_irq_handler`); ISR: stored (GVT's default handler).
    public func virtualInterruptWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt32) {
        let offset = MMIOOffset(offset.rawValue & ~3)
        guard RegisterFile.contains(offset) else { return }
        if offset == Reg.masterIRQ {
            let master = vgpu.vregs[offset]
            vgpu.vregs[offset] = (master & ~Self.masterIRQControl) | (value & Self.masterIRQControl)
            checkPendingVirtualInterrupts(vgpu)
            return
        }
        guard let (bank, slot) = InterruptBank.locate(offset) else {
            vgpu.vregs[offset] = value
            return
        }
        switch slot {
        case 1:  // IMR
            vgpu.vregs[offset] = value
            checkPendingVirtualInterrupts(vgpu)
        case 2:  // IIR
            vgpu.vregs[offset] &= ~value
            updateUpstreamInterrupt(vgpu, bank)
        case 3:  // IER
            vgpu.vregs[offset] = value
            updateUpstreamInterrupt(vgpu, bank)
            checkPendingVirtualInterrupts(vgpu)
        default:  // ISR
            vgpu.vregs[offset] = value
        }
    }

    /// True if any bank of `vgpu` has an enabled, latched event (`IIR & IER != 0`).
    public func hasPendingVirtualInterrupt(_ vgpu: VGPU) -> Bool {
        InterruptBank.allCases.contains { vgpu.vregs[$0.iir] & vgpu.vregs[$0.ier] != 0 }
    }

    // MARK: GVT's steps

    /// Latches `event` in its bank's IIR unless IMR masks it (GVT: `propagate_event`).
    func propagateVirtualEvent(_ vgpu: VGPU, _ event: InterruptEvent) {
        let bank = event.bank
        guard vgpu.vregs[bank.imr] & event.mask == 0 else { return }
        vgpu.vregs[bank.iir] |= event.mask
        emit(.virtualInterrupt(vgpu.id, event))
    }

    /// Sets the master bits of `bank`'s pending halves and clears its other master bits
    /// (GVT: `update_upstream_irq` with the master as the parent).
    func updateUpstreamInterrupt(_ vgpu: VGPU, _ bank: InterruptBank) {
        let pending = vgpu.vregs[bank.iir] & vgpu.vregs[bank.ier]
        let all = bank.masterBits(pending: ~0)
        let set = bank.masterBits(pending: pending)
        vgpu.vregs[Reg.masterIRQ] = (vgpu.vregs[Reg.masterIRQ] & ~(all & ~set)) | set
    }

    /// With the master enabled, pushes every pending bank up and injects the MSI if the
    /// master register has any group bit (GVT: `gen8_check_pending_irq`).
    func checkPendingVirtualInterrupts(_ vgpu: VGPU) {
        guard vgpu.vregs[Reg.masterIRQ] & Self.masterIRQControl != 0 else { return }
        for bank in InterruptBank.allCases where vgpu.vregs[bank.iir] & vgpu.vregs[bank.ier] != 0 {
            updateUpstreamInterrupt(vgpu, bank)
        }
        if vgpu.vregs[Reg.masterIRQ] & ~Self.masterIRQControl != 0 { injectVirtualMSI(vgpu) }
    }

    /// Injects the vGPU's MSI with the address and data the guest programmed, only if MSI is
    /// enabled in the virtual config space (GVT: `intel_gvt_hypervisor_inject_msi`, trace
    /// `inject_msi`). GVT assumes a 32-bit capability and refuses any other message control
    /// bit; here the address and data are taken from the capability as laid out.
    func injectVirtualMSI(_ vgpu: VGPU) {
        let msi = vgpu.config.msi
        guard msi.isEnabled else { return }
        let data = UInt32(msi.data)
        emit(.msiInjected(vgpu.id, address: msi.address, data: data))
        mpt.injectMSI(vgpu.id, address: msi.address, data: data)
    }
}
