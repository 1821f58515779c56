import GPUModel

/// The interrupt family's rows of the MMIO handler table (GVT: the `intel_vgpu_reg_*_handler`
/// rows of `handlers.c`).
extension MMIOHandlerTable {
    /// GEN8_MASTER_IRQ and, for every bank, ISR (default handlers, as GVT's `MMIO_D`), IMR,
    /// IIR (write 1 to clear: unwritten bytes of a narrow write clear nothing) and IER.
    /// Offsets come from the GPU model's `InterruptBank`.
    static func interruptRows() -> [MMIOInfo] {
        let write = DwordWrite.handler { mediator, vgpu, offset, value in
            mediator.virtualInterruptWrite(vgpu, offset, value)
        }
        let clear = DwordWrite.handler(keepUnwritten: false) { mediator, vgpu, offset, value in
            mediator.virtualInterruptWrite(vgpu, offset, value)
        }
        var rows = [MMIOInfo(Reg.masterIRQ, write: write)]
        for bank in InterruptBank.allCases {
            rows.append(MMIOInfo(bank.isr))
            rows.append(MMIOInfo(bank.imr, write: write))
            rows.append(MMIOInfo(bank.iir, write: clear))
            rows.append(MMIOInfo(bank.ier, write: write))
        }
        return rows
    }
}
