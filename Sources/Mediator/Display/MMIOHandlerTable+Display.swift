import GPUModel

/// The display family's rows of the MMIO handler table (GVT: the display rows of
/// `handlers.c` with `pipeconf_mmio_write`, `pri_surf_mmio_write`, `spr_surf_mmio_write`,
/// `reg50080_mmio_write`, `dp_aux_ch_ctl_mmio_write`, `ddi_buf_ctl_mmio_write`,
/// `dp_tp_ctl/status_mmio_write`, `bxt_*_pll_enable_write`, `pf_write`).
///
/// Every other display register is a plain virtual register (the table's default).
/// Three families are not in the GPU model's register catalogue and are listed as such:
/// the MMIO flip registers (0x50080...), BXT_PORT_PLL_ENABLE (0x46074...) and BXT_P_CR_GT_DISP_PWRON.
extension MMIOHandlerTable {
    /// Offsets of display rows the register catalogue does not know, so a coverage check can
    /// tell them from mistakes. Empty: the flip registers and Broxton port PLLs are catalogued.
    static let displayRowsOutsideCatalogue: [MMIOOffset] = []

    /// Rows for pipes (PIPECONF A/B/C/eDP), flips (PLANE_SURF of planes 1 and 2, the MMIO flip
    /// registers), plane scalers (PS_CTRL, PS_WIN_POS, PS_WIN_SZ), DP AUX channels A..D (CTL
    /// + DATA1..5 as one 24-byte row), DDI buffers, DP link training and Broxton PLLs.
    static func displayRows() -> [MMIOInfo] {
        typealias H = DwordWrite
        var rows: [MMIOInfo] = []
        let pipeConf = H.handler { m, v, o, value in m.pipeConfWrite(v, o, value) }
        for pipe in Pipe.allCases {
            rows.append(MMIOInfo(Reg.pipeConf(pipe), write: pipeConf))
            for plane in 1...2 {
                rows.append(MMIOInfo(Reg.planeSurf(pipe, plane), flags: [.graphicsAddress], addressMask: 0xFFFF_F000,
                                     write: H.handler { m, v, _, value in
                                         m.planeSurfaceWrite(v, pipe: pipe, plane: plane, value)
                                     }))
                rows.append(MMIOInfo(DisplayBits.flipRegister(pipe, plane: plane),
                                     write: H.handler { m, v, _, value in
                                         m.flipRegisterWrite(v, pipe: pipe, plane: plane, value)
                                     }))
            }
            let scaler = H.handler { m, v, o, value in m.planeScalerWrite(v, o, value) }
            for index in 1...pipe.scalerCount {
                let s = DisplayBits.scaler(pipe, index)
                rows += [MMIOInfo(s.winPos, write: scaler), MMIOInfo(s.winSize, write: scaler),
                         MMIOInfo(s.ctrl, write: scaler)]
            }
        }
        rows.append(MMIOInfo(DisplayBits.edpPipeConf, write: pipeConf))

        let aux = H.handler { m, v, o, value in m.dpAuxChannelWrite(v, o, value) }
        let ddiBuf = H.handler { m, v, o, value in m.ddiBufCtlWrite(v, o, value) }
        let tpCtl = H.handler { m, v, o, value in m.dpTPCtlWrite(v, o, value) }
        let tpStatus = H.handler { m, v, o, value in m.dpTPStatusWrite(v, o, value) }
        let pll = H.handler { m, v, o, value in m.pllEnableWrite(v, o, value) }
        for port in Port.allCases {
            rows.append(MMIOInfo(Reg.ddiBufCtl(port), write: ddiBuf))
            if port.rawValue < 4 { rows.append(MMIOInfo(Reg.dpAuxCh(port), size: 24, write: aux)) }
            rows.append(MMIOInfo(Reg.dpTPCtl(port), write: tpCtl))
            rows.append(MMIOInfo(Reg.dpTPStatus(port), write: tpStatus))
        }
        rows.append(MMIOInfo(DisplayBits.bxtDEPLLEnable, write: pll))
        for port in [Port.a, .b, .c] { rows.append(MMIOInfo(DisplayBits.bxtPortPLLEnable(port), write: pll)) }
        return rows.sorted { $0.offset < $1.offset }
    }
}
