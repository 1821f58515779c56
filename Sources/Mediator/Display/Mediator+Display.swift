import GPUModel

/// Pipes, flips and vblank emulation (GVT: `display.c`, `handlers.c` `pipeconf_mmio_write`,
/// `pri_surf_mmio_write`, `spr_surf_mmio_write`, `reg50080_mmio_write`).
///
/// Guests never program real planes: a guest's flips only change its virtual registers and
/// raise virtual flip-done interrupts at the next emulated vblank (or at once for async flips).
extension Mediator {
    // MARK: Monitor and reset

    /// Sets up the vGPU's display as at power-on (GVT: `intel_vgpu_init_display` /
    /// `intel_vgpu_reset_display`): a virtual DP monitor on port B with the EDID of the vGPU
    /// type's resolution, nothing pending, and the registers a guest probes pre-set so it
    /// finds the monitor connected (`emulate_monitor_status_change`, Broxton branch).
    func resetDisplay(_ vgpu: VGPU) {
        let wasNeeded = vblankTimerNeeded()
        let resolution = vgpu.type.resolution
        vgpu.display = VirtualDisplay(edid: VirtualEDID.block(width: resolution.width, height: resolution.height))
        emulateMonitorStatus(vgpu)
        reevaluateVblankTimer(wasNeeded: wasNeeded)
    }

    /// GVT's `emulate_monitor_status_change` for Broxton: clears every port's hotplug, PLL,
    /// PHY and buffer state, enables transcoder A with golden DP M/N values, then for the
    /// monitor's port sets live hotplug, strap, PHY power, a locked port PLL, an enabled DDI
    /// buffer and TRANS_DDI_FUNC_CTL(A) routing DP SST 8 bpc to it.
    func emulateMonitorStatus(_ vgpu: VGPU) {
        typealias B = DisplayBits
        let bxtPorts: [Port] = [.a, .b, .c]
        for port in bxtPorts {
            vgpu.vregs[B.bxtPortPLLEnable(port)] &= ~B.portPLLPoweredAndLocked
            vgpu.vregs[Reg.ddiBufCtl(port)] &= ~(B.ddiInitDisplayDetected | B.ddiBufEnable)
            vgpu.vregs[Reg.ddiBufCtl(port)] |= B.ddiBufIdle
        }
        vgpu.vregs[Reg.pchPortHotplug] &= ~B.hotplugClearMask
        vgpu.vregs[InterruptBank.dePort.isr] &= ~B.bxtHotplugISRMask
        vgpu.vregs[B.bxtDisplayPHYPowerOn] &= ~3
        vgpu.vregs[B.sfuseStrap] &= ~(B.sfuseDetected(.b) | B.sfuseDetected(.c))
        vgpu.vregs[B.fuseStatus] |= B.fuseStatusReady
        vgpu.vregs[Reg.pipeConf(.a)] |= B.pipeEnable | B.pipeState
        vgpu.vregs[B.transDataM1] = B.goldenDataM1
        vgpu.vregs[B.transDataN1] = B.goldenDataN1
        vgpu.vregs[B.transLinkM1] = B.goldenLinkM1
        vgpu.vregs[B.transLinkN1] = B.goldenLinkN1

        for port in bxtPorts where vgpu.display.hasMonitor(on: port) {
            if port != .a { vgpu.vregs[B.sfuseStrap] |= B.sfuseDetected(port) }
            vgpu.vregs[B.bxtDisplayPHYPowerOn] |= port == .a ? 2 : 1
            vgpu.vregs[B.bxtPortPLLEnable(port)] |= B.portPLLPoweredAndLocked
            vgpu.vregs[Reg.ddiBufCtl(port)] |= B.ddiBufEnable | (port == .a ? B.ddiInitDisplayDetected : 0)
            vgpu.vregs[Reg.ddiBufCtl(port)] &= ~B.ddiBufIdle
            if port != .a {
                let ctl = Reg.transDDIFuncCtl(.a)
                vgpu.vregs[ctl] &= ~(B.ddiFuncBPCMask | B.ddiFuncModeMask | B.ddiFuncPortMask)
                vgpu.vregs[ctl] |= B.ddiFuncModeDPSST | UInt32(port.rawValue) << B.ddiFuncPortShift | B.ddiFuncEnable
            }
            vgpu.vregs[Reg.pchPortHotplug] |= B.hotplugEnable(port)
            vgpu.vregs[InterruptBank.dePort.isr] |= B.bxtHotplugISRBit(port)
        }
    }

    // MARK: Pipes

    /// True if `pipe` of `vgpu` is running: its PIPECONF enable bit, or the eDP transcoder
    /// enabled and fed by this pipe (GVT: `pipe_is_enabled`).
    public func pipeIsEnabled(_ vgpu: VGPU, _ pipe: Pipe) -> Bool {
        if vgpu.vregs[Reg.pipeConf(pipe)] & DisplayBits.pipeEnable != 0 { return true }
        guard vgpu.vregs[DisplayBits.edpPipeConf] & DisplayBits.pipeEnable != 0 else { return false }
        let edp = vgpu.vregs[DisplayBits.edpDDIFuncCtl]
        guard edp & DisplayBits.ddiFuncEnable != 0 else { return false }
        let input: Pipe? = switch (edp & DisplayBits.edpInputMask) >> 12 {
        case 0, 4: .a
        case 5: .b
        case 6: .c
        default: nil
        }
        return input == pipe
    }

    /// A guest write to PIPECONF (A, B, C or eDP): stored with the state bit (30) mirroring
    /// enable (31); then vblank emulation is re-evaluated (GVT: `pipeconf_mmio_write` →
    /// `intel_gvt_check_vblank_emulation`).
    public func pipeConfWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt32) {
        let wasNeeded = vblankTimerNeeded()
        let mirrored = value & DisplayBits.pipeEnable != 0 ? value | DisplayBits.pipeState : value & ~DisplayBits.pipeState
        vgpu.vregs[offset] = mirrored
        reevaluateVblankTimer(wasNeeded: wasNeeded)
    }

    // MARK: Flips

    /// A guest write to PLANE_SURF of the primary (`plane` 1) or sprite (2) plane of `pipe`:
    /// stored and copied to PLANE_SURFLIVE; a primary flip counts in PIPE_FLIPCOUNT; the
    /// flip-done event is raised now if PLANE_CTL asks for an async flip, else queued for the
    /// next vblank (GVT: `pri_surf_mmio_write`, `spr_surf_mmio_write`).
    public func planeSurfaceWrite(_ vgpu: VGPU, pipe: Pipe, plane: Int, _ value: UInt32) {
        precondition(plane == 1 || plane == 2, "only primary and sprite surfaces flip")
        vgpu.vregs[Reg.planeSurf(pipe, plane)] = value
        vgpu.vregs[Reg.planeSurfLive(pipe, plane)] = value
        if plane == 1 { vgpu.vregs[Reg.pipeFlipCount(pipe)] &+= 1 }
        let async = vgpu.vregs[Reg.planeCtl(pipe, plane)] & DisplayBits.planeAsyncFlip != 0
        flipDone(vgpu, pipe: pipe, plane: plane, now: async)
    }

    /// A write to one of the MMIO flip registers GVT's command parser uses for
    /// MI_DISPLAY_FLIP (0x50080/88/8C primary, 0x50090/98/9C sprite): as a PLANE_SURF write,
    /// except that the flip type comes from bits 1:0 of the value (GVT: `reg50080_mmio_write`).
    public func flipRegisterWrite(_ vgpu: VGPU, pipe: Pipe, plane: Int, _ value: UInt32) {
        precondition(plane == 1 || plane == 2, "flip registers exist for the primary and sprite planes")
        vgpu.vregs[DisplayBits.flipRegister(pipe, plane: plane)] = value
        vgpu.vregs[Reg.planeSurfLive(pipe, plane)] = value
        if plane == 1 { vgpu.vregs[Reg.pipeFlipCount(pipe)] &+= 1 }
        flipDone(vgpu, pipe: pipe, plane: plane, now: value & DisplayBits.flipTypeMask == DisplayBits.flipTypeAsync)
    }

    func flipDone(_ vgpu: VGPU, pipe: Pipe, plane: Int, now: Bool) {
        let event = InterruptEvent.planeFlipDone(pipe, plane: plane)
        if now {
            triggerVirtualInterrupt(vgpu, event)
        } else {
            vgpu.display.queueFlip(event, pipe: pipe)
        }
    }

    // MARK: Vblank

    /// One emulated vblank for `vgpu` (GVT: `emulate_vblank` → `emulate_vblank_on_pipe`):
    /// per pipe, queued flip-done events are delivered if the pipe is enabled (dropped if
    /// not); an enabled pipe then counts a frame in PIPE_FRMCOUNT and raises its vblank.
    func emulateVblank(_ vgpu: VGPU) {
        for pipe in Pipe.allCases {
            let flips = vgpu.display.takeFlips(pipe)
            let enabled = pipeIsEnabled(vgpu, pipe)
            guard enabled else { continue }
            var bits = flips
            while bits != 0 {
                let bit = bits.trailingZeroBitCount
                bits &= bits - 1
                triggerVirtualInterrupt(vgpu, InterruptEvent(bank: .dePipe(pipe), bit: bit))
            }
            vgpu.vregs[Reg.pipeFrameCount(pipe)] &+= 1
            triggerVirtualInterrupt(vgpu, .vblank(pipe))
        }
    }

    /// True while any vGPU has an enabled pipe: the vblank timer must run (GVT ≤5.x: the
    /// global hrtimer armed by `intel_gvt_check_vblank_emulation`).
    public func vblankTimerNeeded() -> Bool {
        for case let vgpu? in vgpus where Pipe.allCases.contains(where: { pipeIsEnabled(vgpu, $0) }) { return true }
        return false
    }

    /// Period of the vblank timer in nanoseconds (the configuration's; GVT ≤5.x 16 ms).
    public var vblankPeriod: UInt64 { configuration.vblankPeriod }

    /// Emits `.vblankTimer` when the need for the timer changed.
    func reevaluateVblankTimer(wasNeeded: Bool) {
        let needed = vblankTimerNeeded()
        if needed != wasNeeded { emit(.vblankTimer(armed: needed)) }
    }
}
