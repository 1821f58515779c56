/// Named absolute register offsets (i915 `i915_reg.h` names in comments).
///
/// Per-engine registers are reached with `MMIOOffset.ring(_:_:)`; this namespace holds the
/// global ones and the per-pipe/plane/port families.
public enum Reg {
    // MARK: Reset, forcewake, power

    /// GEN6_GDRST: graphics domain reset (FULL 0, RENDER 1, MEDIA 2, BLT 3, VECS 4).
    public static let gdrst: MMIOOffset = 0x941C
    /// GEN8_MASTER_IRQ: master interrupt control (bit 31 enable, lower bits group pending).
    public static let masterIRQ: MMIOOffset = 0x44200
    /// FORCEWAKE_RENDER_GEN9 (masked request).
    public static let forcewakeRender: MMIOOffset = 0xA278
    /// FORCEWAKE_ACK_RENDER_GEN9.
    public static let forcewakeAckRender: MMIOOffset = 0x0D84
    /// FORCEWAKE_BLITTER_GEN9 (a.k.a. FORCEWAKE_GT_GEN9 / FORCEWAKE_MT; masked request).
    public static let forcewakeBlitter: MMIOOffset = 0xA188
    /// FORCEWAKE_ACK_BLITTER_GEN9 (FORCEWAKE_ACK_HSW).
    public static let forcewakeAckBlitter: MMIOOffset = 0x130044
    /// FORCEWAKE_MEDIA_GEN9 (masked request).
    public static let forcewakeMedia: MMIOOffset = 0xA270
    /// FORCEWAKE_ACK_MEDIA_GEN9.
    public static let forcewakeAckMedia: MMIOOffset = 0x0D88
    /// GEN6_PCODE_MAILBOX: bit 31 READY/busy, command in 7:0.
    public static let pcodeMailbox: MMIOOffset = 0x138124
    /// GEN6_PCODE_DATA.
    public static let pcodeData: MMIOOffset = 0x138128
    /// GEN6_PCODE_DATA1.
    public static let pcodeData1: MMIOOffset = 0x13812C
    /// GEN6_PMINTRMSK: PM interrupt mask.
    public static let pmIntrMsk: MMIOOffset = 0xA168

    // MARK: Memory, errors

    /// GEN8_PRIVATE_PAT_LO (PPAT entries 0..3).
    public static let privatePATLo: MMIOOffset = 0x40E0
    /// GEN8_PRIVATE_PAT_HI (PPAT entries 4..7).
    public static let privatePATHi: MMIOOffset = 0x40E4
    /// ERROR_GEN6: GTT error status (write 1 to clear).
    public static let errorGen6: MMIOOffset = 0x40A0
    /// DONE_REG: global done bits.
    public static let doneReg: MMIOOffset = 0x40B0
    /// GEN8_RING_FAULT_REG: page fault report (bit 0 valid).
    public static let ringFault: MMIOOffset = 0x4094
    /// GEN8_FAULT_TLB_DATA0: faulting virtual address >> 12.
    public static let faultTLBData0: MMIOOffset = 0x4B10
    /// GEN8_FAULT_TLB_DATA1: faulting address upper bits and GGTT flag.
    public static let faultTLBData1: MMIOOffset = 0x4B14
    /// PGTBL_ER: page table error (write 1 to clear).
    public static let pgtblER: MMIOOffset = 0x2024
    /// EIR (render engine error identity; the same register as RCS RING_EIR).
    public static let eir: MMIOOffset = 0x20B0
    /// PS_DEPTH_COUNT (64-bit pipeline statistic).
    public static let psDepthCount: MMIOOffset = 0x2350
    /// TIMESTAMP: the render engine's RING_TIMESTAMP.
    public static let timestamp: MMIOOffset = 0x2358

    /// FENCE_REG_GEN6_LO(i), i 0..<32 (64-bit; HI = +4).
    @inlinable public static func fence(_ i: Int) -> MMIOOffset {
        precondition(i >= 0 && i < fenceCount, "fence \(i) out of range")
        return MMIOOffset(0x100000 + UInt32(i) * 8)
    }
    /// Number of fence registers on Gen9.
    public static let fenceCount = 32

    /// TLB invalidation control of an engine (GEN8_RTCR 0x4260, GEN8_M1TCR 0x4264,
    /// GEN8_BTCR 0x426C, GEN8_VTCR 0x4270).
    @inlinable public static func tlbInvalidate(_ engine: EngineID) -> MMIOOffset {
        switch engine {
        case .rcs: 0x4260
        case .vcs: 0x4264
        case .bcs: 0x426C
        case .vecs: 0x4270
        }
    }

    // MARK: Display: pipes and transcoders (pipe A + 0x1000 per pipe)

    @inlinable static func perPipe(_ base: UInt32, _ pipe: Pipe) -> MMIOOffset {
        MMIOOffset(base + UInt32(pipe.rawValue) * 0x1000)
    }

    /// PIPEDSL: current display scan line.
    @inlinable public static func pipeDSL(_ pipe: Pipe) -> MMIOOffset { perPipe(0x70000, pipe) }
    /// PIPECONF / TRANSCONF: enable bit 31, state bit 30.
    @inlinable public static func pipeConf(_ pipe: Pipe) -> MMIOOffset { perPipe(0x70008, pipe) }
    /// PIPE_FRMCOUNT_G4X: frame counter, incremented at each vblank.
    @inlinable public static func pipeFrameCount(_ pipe: Pipe) -> MMIOOffset { perPipe(0x70040, pipe) }
    /// PIPE_FLIPCOUNT_G4X: flip counter, incremented at each completed flip.
    @inlinable public static func pipeFlipCount(_ pipe: Pipe) -> MMIOOffset { perPipe(0x70044, pipe) }
    /// PIPESRC: pipe source size ((width-1) << 16 | (height-1)).
    @inlinable public static func pipeSrc(_ pipe: Pipe) -> MMIOOffset { perPipe(0x6001C, pipe) }
    /// TRANS_HTOTAL.
    @inlinable public static func transHTotal(_ pipe: Pipe) -> MMIOOffset { perPipe(0x60000, pipe) }
    /// TRANS_VTOTAL.
    @inlinable public static func transVTotal(_ pipe: Pipe) -> MMIOOffset { perPipe(0x6000C, pipe) }
    /// TRANS_DDI_FUNC_CTL.
    @inlinable public static func transDDIFuncCtl(_ pipe: Pipe) -> MMIOOffset { perPipe(0x60400, pipe) }

    // MARK: Display: universal planes (plane 1...3; +0x100 per plane)

    @inlinable static func perPlane(_ base: UInt32, _ pipe: Pipe, _ plane: Int) -> MMIOOffset {
        precondition(plane >= 1 && plane <= Pipe.planeCount, "plane \(plane) out of range 1...\(Pipe.planeCount)")
        return MMIOOffset(base + UInt32(pipe.rawValue) * 0x1000 + UInt32(plane - 1) * 0x100)
    }

    /// PLANE_CTL: enable 31, format 27:24 (4 = XRGB8888), tiling 12:10, async flip 9.
    @inlinable public static func planeCtl(_ pipe: Pipe, _ plane: Int) -> MMIOOffset { perPlane(0x70180, pipe, plane) }
    /// PLANE_STRIDE: stride in 64-byte units (linear) in bits 9:0.
    @inlinable public static func planeStride(_ pipe: Pipe, _ plane: Int) -> MMIOOffset { perPlane(0x70188, pipe, plane) }
    /// PLANE_POS: y << 16 | x on the pipe.
    @inlinable public static func planePos(_ pipe: Pipe, _ plane: Int) -> MMIOOffset { perPlane(0x7018C, pipe, plane) }
    /// PLANE_SIZE: (height-1) << 16 | (width-1).
    @inlinable public static func planeSize(_ pipe: Pipe, _ plane: Int) -> MMIOOffset { perPlane(0x70190, pipe, plane) }
    /// PLANE_SURF: 4 KiB aligned surface graphics address; a write arms a flip.
    @inlinable public static func planeSurf(_ pipe: Pipe, _ plane: Int) -> MMIOOffset { perPlane(0x7019C, pipe, plane) }
    /// PLANE_OFFSET: y << 16 | x inside the surface.
    @inlinable public static func planeOffset(_ pipe: Pipe, _ plane: Int) -> MMIOOffset { perPlane(0x701A4, pipe, plane) }
    /// PLANE_SURFLIVE: the surface address being scanned out.
    @inlinable public static func planeSurfLive(_ pipe: Pipe, _ plane: Int) -> MMIOOffset { perPlane(0x701AC, pipe, plane) }
    /// PLANE_BUF_CFG: DDB allocation.
    @inlinable public static func planeBufCfg(_ pipe: Pipe, _ plane: Int) -> MMIOOffset { perPlane(0x7027C, pipe, plane) }

    // MARK: Display: cursor

    /// CUR_CTL (CURCNTR).
    @inlinable public static func curCtl(_ pipe: Pipe) -> MMIOOffset { perPipe(0x70080, pipe) }
    /// CUR_BASE: cursor surface address; a write arms a cursor update.
    @inlinable public static func curBase(_ pipe: Pipe) -> MMIOOffset { perPipe(0x70084, pipe) }
    /// CUR_POS.
    @inlinable public static func curPos(_ pipe: Pipe) -> MMIOOffset { perPipe(0x70088, pipe) }
    /// CUR_SURFLIVE.
    @inlinable public static func curSurfLive(_ pipe: Pipe) -> MMIOOffset { perPipe(0x700AC, pipe) }

    // MARK: Display: ports, AUX, GMBUS, hotplug

    /// DDI_BUF_CTL(port): enable 31, idle status 7.
    @inlinable public static func ddiBufCtl(_ port: Port) -> MMIOOffset { MMIOOffset(0x64000 + UInt32(port.rawValue) * 0x100) }
    /// DP_TP_CTL(port).
    @inlinable public static func dpTPCtl(_ port: Port) -> MMIOOffset { MMIOOffset(0x64040 + UInt32(port.rawValue) * 0x100) }
    /// DP_TP_STATUS(port).
    @inlinable public static func dpTPStatus(_ port: Port) -> MMIOOffset { MMIOOffset(0x64044 + UInt32(port.rawValue) * 0x100) }
    /// DP_AUX_CH_CTL(port) (`dword` 0) and DP_AUX_CH_DATA1..5 (`dword` 1...5).
    @inlinable public static func dpAuxCh(_ port: Port, dword: Int = 0) -> MMIOOffset {
        precondition(port.rawValue < 4, "DP AUX exists for ports A..D")
        precondition(dword >= 0 && dword < 6, "AUX dword \(dword) out of range")
        return MMIOOffset(0x64010 + UInt32(port.rawValue) * 0x100 + UInt32(dword) * 4)
    }
    /// GMBUS0..GMBUS5 (0xC5100, 04, 08, 0C, 10, 20).
    @inlinable public static func gmbus(_ n: Int) -> MMIOOffset {
        precondition(n >= 0 && n <= 5, "GMBUS\(n) does not exist")
        return MMIOOffset(n == 5 ? 0xC5120 : 0xC5100 + UInt32(n) * 4)
    }
    /// PCH_PORT_HOTPLUG (SHOTPLUG_CTL).
    public static let pchPortHotplug: MMIOOffset = 0xC4030
    /// DERRMR: display event redirect mask.
    public static let derrmr: MMIOOffset = 0x44050
}
