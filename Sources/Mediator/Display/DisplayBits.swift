import GPUModel

/// Display register offsets the GPU model's `Reg` does not name, and the bits the display
/// emulation touches (i915 `i915_reg.h` names; gvt-reference §8.3).
enum DisplayBits {
    // MARK: Pipes and planes

    /// PIPECONF / TRANSCONF bit 31: enable.
    static let pipeEnable: UInt32 = 1 << 31
    /// PIPECONF bit 30 (I965_PIPECONF_ACTIVE / TRANSCONF_STATE_ENABLE): mirrors enable.
    static let pipeState: UInt32 = 1 << 30
    /// PIPECONF of the eDP transcoder (TRANSCONF(TRANSCODER_EDP)).
    static let edpPipeConf: MMIOOffset = 0x7F008
    /// TRANS_DDI_FUNC_CTL of the eDP transcoder.
    static let edpDDIFuncCtl: MMIOOffset = 0x6F400
    /// TRANS_DDI_FUNC_CTL bits 14:12: which pipe feeds the eDP transcoder.
    static let edpInputMask: UInt32 = 7 << 12
    /// PLANE_CTL bit 31: enable.
    static let planeEnable: UInt32 = 1 << 31
    /// PLANE_CTL bits 27:24: source format; 4 = XRGB 8:8:8:8 (SKL+).
    static let planeFormatMask: UInt32 = 0xF << 24
    static let planeFormatXRGB8888: UInt32 = 4 << 24
    /// PLANE_CTL bit 20: RGBX channel order (R in the low byte).
    static let planeOrderRGBX: UInt32 = 1 << 20
    /// PLANE_CTL bits 12:10: tiling (0 = linear).
    static let planeTilingMask: UInt32 = 7 << 10
    /// PLANE_CTL bit 9 (PLANE_CTL_ASYNC_FLIP): a PLANE_SURF write flips at once.
    static let planeAsyncFlip: UInt32 = 1 << 9
    /// CUR_CTL mode bits (MCURSOR_MODE_MASK); 0 = cursor disabled.
    static let cursorModeMask: UInt32 = 0x27

    /// The MMIO flip registers GVT's command parser writes for MI_DISPLAY_FLIP
    /// (`REG_50080(pipe, plane)`): primary A/B/C 0x50080/0x50088/0x5008C, sprite
    /// 0x50090/0x50098/0x5009C. Bits 1:0 = 1 means an asynchronous flip.
    static func flipRegister(_ pipe: Pipe, plane: Int) -> MMIOOffset {
        precondition(plane == 1 || plane == 2, "flip registers exist for the primary and sprite planes")
        let base: UInt32 = plane == 1 ? 0x50080 : 0x50090
        return MMIOOffset(base + [0, 8, 0xC][pipe.rawValue])
    }
    /// REG50080_FLIP_TYPE_MASK / _ASYNC.
    static let flipTypeMask: UInt32 = 0x3
    static let flipTypeAsync: UInt32 = 0x1

    // MARK: Plane scalers

    /// PS_CTRL, PS_WIN_POS, PS_WIN_SZ of scaler `scaler` (1-based) of `pipe`.
    static func scaler(_ pipe: Pipe, _ scaler: Int) -> (ctrl: MMIOOffset, winPos: MMIOOffset, winSize: MMIOOffset) {
        let base = 0x68100 + UInt32(pipe.rawValue) * 0x800 + UInt32(scaler - 1) * 0x100
        return (MMIOOffset(base + 0x80), MMIOOffset(base + 0x70), MMIOOffset(base + 0x74))
    }
    /// PS_CTRL bits 27:25 (PS_PLANE_SEL_MASK): a plane selected for scaling.
    static let scalerPlaneSelectMask: UInt32 = 7 << 25

    // MARK: Ports, PLLs, hotplug

    /// DDI_BUF_CTL bit 31: enable; bit 7: buffer idle; bit 0: display detected at init (port A).
    static let ddiBufEnable: UInt32 = 1 << 31
    static let ddiBufIdle: UInt32 = 1 << 7
    static let ddiInitDisplayDetected: UInt32 = 1 << 0
    /// DP_TP_CTL bits 10:8: link training pattern (2 = idle).
    static let dpTPPatternMask: UInt32 = 7 << 8
    static let dpTPPatternIdle: UInt32 = 2 << 8
    /// DP_TP_STATUS bit 25: idle pattern sent (DP_TP_STATUS_IDLE_DONE).
    static let dpTPStatusIdleDone: UInt32 = 1 << 25
    /// DP_TP_STATUS sticky (write-1-to-clear) bits 27:26 and 24.
    static let dpTPStatusSticky: UInt32 = 3 << 26 | 1 << 24
    /// TRANS_DDI_FUNC_CTL: enable 31, port 30:28, mode 26:24 (2 = DP SST), bpc 22:20 (0 = 8).
    static let ddiFuncEnable: UInt32 = 1 << 31
    static let ddiFuncPortShift: UInt32 = 28
    static let ddiFuncPortMask: UInt32 = 7 << 28
    static let ddiFuncModeMask: UInt32 = 7 << 24
    static let ddiFuncModeDPSST: UInt32 = 2 << 24
    static let ddiFuncBPCMask: UInt32 = 7 << 20

    /// BXT_DE_PLL_ENABLE: enable 31, lock 30.
    static let bxtDEPLLEnable: MMIOOffset = 0x46070
    /// BXT_PORT_PLL_ENABLE(port), ports A..C (not in the catalogue).
    static func bxtPortPLLEnable(_ port: Port) -> MMIOOffset { MMIOOffset(0x46074 + UInt32(port.rawValue) * 4) }
    /// PLL enable (31) and lock (30), as in BXT_DE_PLL_ENABLE and BXT_PORT_PLL_ENABLE.
    static let pllEnable: UInt32 = 1 << 31
    static let pllLock: UInt32 = 1 << 30
    /// BXT_PORT_PLL_ENABLE: ref select 27, power enable 26, power state 25.
    static let portPLLPoweredAndLocked: UInt32 = 1 << 31 | 1 << 30 | 1 << 27 | 1 << 26 | 1 << 25
    /// BXT_P_CR_GT_DISP_PWRON: display PHY power-on requests (bit 0 PHY0: ports B/C; bit 1 PHY1: A).
    static let bxtDisplayPHYPowerOn: MMIOOffset = 0x138090

    /// BXT_DE_PORT_HP_DDIA/B/C in the DE port ISR: live hotplug state (bits 3, 4, 5).
    static func bxtHotplugISRBit(_ port: Port) -> UInt32 { 1 << (3 + UInt32(port.rawValue)) }
    static let bxtHotplugISRMask: UInt32 = 7 << 3
    /// PCH_PORT_HOTPLUG: per-port enable (A 28, B 4, C 12), status (A 25:24, B 1:0, C 9:8) and
    /// BXT HPD invert (A 27, B 3, C 11).
    static func hotplugEnable(_ port: Port) -> UInt32 { [1 << 28, 1 << 4, 1 << 12][port.rawValue] }
    static let hotplugClearMask: UInt32 =
        (1 << 28 | 3 << 24 | 1 << 27) | (1 << 4 | 3 << 0 | 1 << 3) | (1 << 12 | 3 << 8 | 1 << 11)
    /// SFUSE_STRAP: DDI B (bit 2) and DDI C (bit 1) detected.
    static let sfuseStrap: MMIOOffset = 0xC2014
    static func sfuseDetected(_ port: Port) -> UInt32 { port == .b ? 1 << 2 : 1 << 1 }
    /// SKL_FUSE_STATUS: fuses downloaded (31) and power gates 0..2 distributed (27..25).
    static let fuseStatus: MMIOOffset = 0x42000
    static let fuseStatusReady: UInt32 = 1 << 31 | 1 << 27 | 1 << 26 | 1 << 25

    /// Transcoder A's DP data/link M/N: GVT's golden values for 24 bpp, 4 lanes, a 154 MHz
    /// pixel clock over a 1.62 GHz link (TU size 64).
    static let goldenDataM1: UInt32 = 63 << 25 | 0x5B425E
    static let goldenDataN1: UInt32 = 0x800000
    static let goldenLinkM1: UInt32 = 0x3CD6E
    static let goldenLinkN1: UInt32 = 0x80000
    static let transDataM1: MMIOOffset = 0x60030
    static let transDataN1: MMIOOffset = 0x60034
    static let transLinkM1: MMIOOffset = 0x60040
    static let transLinkN1: MMIOOffset = 0x60044
}
