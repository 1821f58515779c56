/// Gen9 interrupt and display registers of the catalogue.
extension CatalogueBuilder {
    // MARK: Interrupts

    mutating func addInterruptRegisters() {
        // GEN8_MASTER_IRQ: only bit 31 (enable) is writable; the rest mirrors pending groups.
        add("GEN8_MASTER_IRQ", Reg.masterIRQ.rawValue, [.sideEffects, .volatile], .interrupt, ro: 0x7FFF_FFFF)
        for bank in InterruptBank.allCases {
            let n = bank.registerStem
            add(n.isr, bank.isr.rawValue, [.readOnly, .volatile], .interrupt)
            add(n.imr, bank.imr.rawValue, reset: 0xFFFF_FFFF, [.sideEffects], .interrupt)
            add(n.iir, bank.iir.rawValue, [.writeOneToClear, .sideEffects, .volatile], .interrupt)
            add(n.ier, bank.ier.rawValue, [.sideEffects], .interrupt)
        }
        add("GEN7_ERR_INT", 0x44040, [.writeOneToClear, .volatile], .error)
        add("DERRMR", Reg.derrmr.rawValue, reset: 0xFFFF_FFFF, [], .display)
    }

    // MARK: Display

    mutating func addDisplayRegisters() {
        for pipe in Pipe.allCases {
            addPipe(pipe)
            for plane in 1...Pipe.planeCount { addPlane(pipe, plane) }
            addCursor(pipe)
            for scaler in 1...pipe.scalerCount { addScaler(pipe, scaler) }
        }
        // eDP transcoder.
        add("TRANS_HTOTAL_EDP", 0x6F000, [], .display)
        add("TRANS_HBLANK_EDP", 0x6F004, [], .display)
        add("TRANS_HSYNC_EDP", 0x6F008, [], .display)
        add("TRANS_VTOTAL_EDP", 0x6F00C, [], .display)
        add("TRANS_VBLANK_EDP", 0x6F010, [], .display)
        add("TRANS_VSYNC_EDP", 0x6F014, [], .display)
        add("TRANS_VSYNCSHIFT_EDP", 0x6F028, [], .display)
        add("TRANS_DATAM1_EDP", 0x6F030, [], .display)
        add("TRANS_DATAN1_EDP", 0x6F034, [], .display)
        add("TRANS_LINKM1_EDP", 0x6F040, [], .display)
        add("TRANS_LINKN1_EDP", 0x6F044, [], .display)
        add("TRANS_DDI_FUNC_CTL_EDP", 0x6F400, [], .display)
        add("TRANS_MSA_MISC_EDP", 0x6F410, [], .display)
        add("TRANS_CONF_EDP", 0x7F008, [.sideEffects], .display, ro: 1 << 30)

        for port in Port.allCases {
            let s = "_" + port.letter
            // DDI_BUF_IS_IDLE (bit 7) is status: set while the buffer is disabled.
            add("DDI_BUF_CTL" + s, Reg.ddiBufCtl(port).rawValue, reset: 0x80, [.sideEffects], .display, ro: 0x80)
            add("DP_TP_CTL" + s, Reg.dpTPCtl(port).rawValue, [.sideEffects], .display)
            add("DP_TP_STATUS" + s, Reg.dpTPStatus(port).rawValue, [.volatile], .display)
            if port.rawValue < 4 {
                add("DP_AUX_CH_CTL" + s, Reg.dpAuxCh(port).rawValue, [.sideEffects, .volatile], .display)
                for d in 1...5 {
                    add("DP_AUX_CH_DATA\(d)" + s, Reg.dpAuxCh(port, dword: d).rawValue, [.volatile], .display)
                }
            }
        }
        for n in 0...5 {
            add("GMBUS\(n)", Reg.gmbus(n).rawValue, n == 1 || n == 3 ? [.sideEffects, .volatile] : [.volatile], .display)
        }

        // Hotplug, misc, clocks and power wells.
        add("DIGITAL_PORT_HOTPLUG_CNTRL", 0x44030, [], .display)
        add("PCH_PORT_HOTPLUG", Reg.pchPortHotplug.rawValue, [.volatile], .display)
        add("PCH_PORT_HOTPLUG2", 0xC403C, [.volatile], .display)
        add("SFUSE_STRAP", 0xC2014, [.readOnly], .display)
        add("PCH_PP_STATUS", 0xC7200, [.readOnly, .volatile], .display)
        add("PCH_PP_CONTROL", 0xC7204, [], .display)
        add("PCH_PP_ON_DELAYS", 0xC7208, [], .display)
        add("PCH_PP_OFF_DELAYS", 0xC720C, [], .display)
        add("PCH_PP_DIVISOR", 0xC7210, [], .display)
        // Fuses downloaded and power gates 0..2 distributed (what the driver polls for).
        add("SKL_FUSE_STATUS", 0x42000, reset: 0x8E00_0000, [.readOnly], .power)
        add("PWR_WELL_BIOS", 0x45400, [], .power)
        add("PWR_WELL_DRIVER", 0x45404, [.sideEffects], .power)
        add("PWR_WELL_KVM", 0x45408, [], .power)
        add("PWR_WELL_DEBUG", 0x4540C, [], .power)
        add("DC_STATE_EN", 0x45504, [], .power)
        add("DC_STATE_DEBUG", 0x45520, [], .power)
        add("WM_MISC", 0x45260, [], .display)
        add("CDCLK_CTL", 0x46000, [], .power)
        add("LCPLL1_CTL", 0x46010, [.sideEffects], .power)
        add("LCPLL2_CTL", 0x46014, [], .power)
        add("WRPLL_CTL1", 0x46040, [], .power)
        add("WRPLL_CTL2", 0x46060, [], .power)
        add("BXT_DE_PLL_ENABLE", 0x46070, [.sideEffects], .power)
        // BXT port PLLs A..C (i915 BXT_PORT_PLL_ENABLE(port)).
        add("BXT_PORT_PLL_ENABLE_A", 0x46074, [.sideEffects], .power)
        add("BXT_PORT_PLL_ENABLE_B", 0x46078, [.sideEffects], .power)
        add("BXT_PORT_PLL_ENABLE_C", 0x4607C, [.sideEffects], .power)
        // SKL+ flip registers for primary and sprite planes of pipes A..C (GVT handles them:
        // type bits 1:0 == 1 request an asynchronous flip).
        add("SKL_PRI_FLIP_A", 0x50080, [.sideEffects], .display)
        add("SKL_PRI_FLIP_B", 0x50088, [.sideEffects], .display)
        add("SKL_PRI_FLIP_C", 0x5008C, [.sideEffects], .display)
        add("SKL_SPR_FLIP_A", 0x50090, [.sideEffects], .display)
        add("SKL_SPR_FLIP_B", 0x50098, [.sideEffects], .display)
        add("SKL_SPR_FLIP_C", 0x5009C, [.sideEffects], .display)
        add("DPLL1_CFGCR1", 0x6C040, [], .power)
        add("DPLL1_CFGCR2", 0x6C044, [], .power)
        add("DPLL2_CFGCR1", 0x6C048, [], .power)
        add("DPLL2_CFGCR2", 0x6C04C, [], .power)
        add("DPLL3_CFGCR1", 0x6C050, [], .power)
        add("DPLL3_CFGCR2", 0x6C054, [], .power)
        add("DPLL_CTRL1", 0x6C058, [], .power)
        add("DPLL_CTRL2", 0x6C05C, [], .power)
        add("DPLL_STATUS", 0x6C060, [.readOnly, .volatile], .power)
        add("BXT_DE_PLL_CTL", 0x6D000, [], .power)
    }

    mutating func addPipe(_ pipe: Pipe) {
        let s = "_" + pipe.letter
        let t = UInt32(pipe.rawValue) * 0x1000
        add("TRANS_HTOTAL" + s, 0x60000 + t, [], .display)
        add("TRANS_HBLANK" + s, 0x60004 + t, [], .display)
        add("TRANS_HSYNC" + s, 0x60008 + t, [], .display)
        add("TRANS_VTOTAL" + s, 0x6000C + t, [], .display)
        add("TRANS_VBLANK" + s, 0x60010 + t, [], .display)
        add("TRANS_VSYNC" + s, 0x60014 + t, [], .display)
        add("PIPESRC" + s, 0x6001C + t, [], .display)
        add("TRANS_SPACE" + s, 0x60024 + t, [], .display)
        add("TRANS_VSYNCSHIFT" + s, 0x60028 + t, [], .display)
        add("TRANS_MULT" + s, 0x6002C + t, [], .display)
        add("TRANS_DATAM1" + s, 0x60030 + t, [], .display)
        add("TRANS_DATAN1" + s, 0x60034 + t, [], .display)
        add("TRANS_LINKM1" + s, 0x60040 + t, [], .display)
        add("TRANS_LINKN1" + s, 0x60044 + t, [], .display)
        add("VIDEO_DIP_CTL" + s, 0x60200 + t, [], .display)
        add("TRANS_DDI_FUNC_CTL" + s, 0x60400 + t, [], .display)
        add("TRANS_MSA_MISC" + s, 0x60410 + t, [], .display)
        add("TRANS_CLK_SEL" + s, 0x46140 + UInt32(pipe.rawValue) * 4, [], .display)
        add("WM_LINETIME" + s, 0x45270 + UInt32(pipe.rawValue) * 4, [], .display)
        add("PIPEDSL" + s, Reg.pipeDSL(pipe).rawValue, [.readOnly, .volatile], .display)
        add("PIPECONF" + s, Reg.pipeConf(pipe).rawValue, [.sideEffects], .display, ro: 1 << 30)
        add("PIPE_FRMCOUNT" + s, Reg.pipeFrameCount(pipe).rawValue, [.readOnly, .volatile], .display)
        add("PIPE_FLIPCOUNT" + s, Reg.pipeFlipCount(pipe).rawValue, [.readOnly, .volatile], .display)
        alias("PIPE\(pipe.letter)CONF", "PIPECONF" + s)
        alias("TRANS_CONF" + s, "PIPECONF" + s)
        alias("PIPE\(pipe.letter)SRC", "PIPESRC" + s)
        alias("HTOTAL" + s, "TRANS_HTOTAL" + s)
        alias("VTOTAL" + s, "TRANS_VTOTAL" + s)
    }

    mutating func addPlane(_ pipe: Pipe, _ plane: Int) {
        let s = "_\(plane)_" + pipe.letter
        let base = Reg.planeCtl(pipe, plane).rawValue  // 0x70180 + 0x1000 * pipe + 0x100 * (plane - 1)
        add("PLANE_CTL" + s, base, [], .display)
        add("PLANE_STRIDE" + s, base + 0x08, [], .display)
        add("PLANE_POS" + s, base + 0x0C, [], .display)
        add("PLANE_SIZE" + s, base + 0x10, [], .display)
        add("PLANE_KEYVAL" + s, base + 0x14, [], .display)
        add("PLANE_KEYMSK" + s, base + 0x18, [], .display)
        add("PLANE_SURF" + s, base + 0x1C, [.graphicsAddress, .sideEffects], .display)
        add("PLANE_KEYMAX" + s, base + 0x20, [], .display)
        add("PLANE_OFFSET" + s, base + 0x24, [], .display)
        add("PLANE_SURFLIVE" + s, base + 0x2C, [.readOnly, .volatile, .graphicsAddress], .display)
        add("PLANE_AUX_DIST" + s, base + 0x40, [], .display)
        add("PLANE_AUX_OFFSET" + s, base + 0x44, [], .display)
        for level in 0..<8 {
            add("PLANE_WM" + s + "_\(level)", base + 0xC0 + UInt32(level) * 4, [], .display)
        }
        add("PLANE_WM_TRANS" + s, base + 0xE8, [], .display)
        add("PLANE_NV12_BUF_CFG" + s, base + 0xF8, [], .display)
        add("PLANE_BUF_CFG" + s, base + 0xFC, [], .display)
        if plane == 1 {
            alias("DSP\(pipe.letter)CNTR", "PLANE_CTL" + s)
            alias("DSP\(pipe.letter)STRIDE", "PLANE_STRIDE" + s)
            alias("DSP\(pipe.letter)SURF", "PLANE_SURF" + s)
            alias("DSP\(pipe.letter)TILEOFF", "PLANE_OFFSET" + s)
            alias("DSP\(pipe.letter)SURFLIVE", "PLANE_SURFLIVE" + s)
        }
    }

    mutating func addCursor(_ pipe: Pipe) {
        let s = "_" + pipe.letter
        let t = UInt32(pipe.rawValue) * 0x1000
        add("CUR_CTL" + s, 0x70080 + t, [], .display)
        add("CUR_BASE" + s, 0x70084 + t, [.graphicsAddress, .sideEffects], .display)
        add("CUR_POS" + s, 0x70088 + t, [], .display)
        add("CUR_FBC_CTL" + s, 0x700A0 + t, [], .display)
        add("CUR_SURFLIVE" + s, 0x700AC + t, [.readOnly, .volatile, .graphicsAddress], .display)
        for level in 0..<8 {
            add("CUR_WM" + s + "_\(level)", 0x70140 + t + UInt32(level) * 4, [], .display)
        }
        add("CUR_WM_TRANS" + s, 0x70168 + t, [], .display)
        add("CUR_BUF_CFG" + s, 0x7017C + t, [], .display)
    }

    mutating func addScaler(_ pipe: Pipe, _ scaler: Int) {
        let s = "_\(scaler)_" + pipe.letter
        let base = 0x68100 + UInt32(pipe.rawValue) * 0x800 + UInt32(scaler - 1) * 0x100
        add("PS_PWR_GATE" + s, base + 0x60, [], .display)
        add("PS_WIN_POS" + s, base + 0x70, [], .display)
        add("PS_WIN_SZ" + s, base + 0x74, [], .display)
        add("PS_CTRL" + s, base + 0x80, [], .display)
        add("PS_VSCALE" + s, base + 0x84, [], .display)
        add("PS_VPHASE" + s, base + 0x88, [], .display)
        add("PS_HSCALE" + s, base + 0x90, [], .display)
        add("PS_HPHASE" + s, base + 0x94, [], .display)
        add("PS_ECC_STAT" + s, base + 0xD0, [.readOnly, .volatile], .display)
    }
}
