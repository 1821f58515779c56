import GPUModel

/// DDI buffers, DP link-training status, Broxton PLLs and plane scalers (GVT: `handlers.c`
/// `ddi_buf_ctl_mmio_write`, `dp_tp_ctl_mmio_write`, `dp_tp_status_mmio_write`,
/// `bxt_de_pll_enable_write`, `bxt_port_pll_enable_write`, `pf_write`).
extension Mediator {
    /// DDI_BUF_CTL: stored; the idle bit (7) is the inverse of enable (31).
    public func ddiBufCtlWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt32) {
        vgpu.vregs[offset] = value & DisplayBits.ddiBufEnable != 0
            ? value & ~DisplayBits.ddiBufIdle : value | DisplayBits.ddiBufIdle
    }

    /// DP_TP_CTL: stored; selecting the idle pattern reports it sent in DP_TP_STATUS (bit 25).
    public func dpTPCtlWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt32) {
        vgpu.vregs[offset] = value
        if value & DisplayBits.dpTPPatternMask == DisplayBits.dpTPPatternIdle {
            vgpu.vregs[offset.advanced(by: 4)] |= DisplayBits.dpTPStatusIdleDone
        }
    }

    /// DP_TP_STATUS: ordinary bits stored; sticky bits (27:26, 24) kept and cleared by 1s.
    public func dpTPStatusWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt32) {
        let sticky = DisplayBits.dpTPStatusSticky
        let old = vgpu.vregs[offset]
        vgpu.vregs[offset] = ((value & ~sticky) | (old & sticky)) & ~(value & sticky)
    }

    /// BXT_DE_PLL_ENABLE / BXT_PORT_PLL_ENABLE: the lock bit (30) follows enable (31) at once.
    public func pllEnableWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt32) {
        vgpu.vregs[offset] = value & DisplayBits.pllEnable != 0 ? value | DisplayBits.pllLock : value & ~DisplayBits.pllLock
    }

    /// PS_CTRL / PS_WIN_POS / PS_WIN_SZ: a PS_CTRL write selecting a plane for scaling is
    /// refused (observed, not stored); everything else is stored (GVT: `pf_write`, which
    /// WARNs "guest is trying to scaling a plane").
    public func planeScalerWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt32) {
        if isScalerControl(offset) && value & DisplayBits.scalerPlaneSelectMask != 0 {
            emit(.displayWriteRefused(vgpu.id, offset, value: value, reason: "plane scaling is not virtualized"))
            return
        }
        vgpu.vregs[offset] = value
    }

    func isScalerControl(_ offset: MMIOOffset) -> Bool {
        Pipe.allCases.contains { pipe in (1...pipe.scalerCount).contains { DisplayBits.scaler(pipe, $0).ctrl == offset } }
    }
}
