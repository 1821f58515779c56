import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Monitor presets, pipes, flips and vblank emulation.
@Suite struct DisplayTests {
    @Test func aNewVGPUFindsAConnectedMonitorOnPortB() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        #expect(v.display.hasMonitor(on: .b) && !v.display.hasMonitor(on: .a) && !v.display.hasMonitor(on: .c))
        #expect(v.vregs[InterruptBank.dePort.isr] & (7 << 3) == 1 << 4)  // BXT_DE_PORT_HP_DDIB only
        #expect(v.vregs[0xC2014] & 0b110 == 0b100)  // SFUSE_STRAP: DDI B detected
        #expect(v.vregs[Reg.ddiBufCtl(.b)] & (1 << 31 | 1 << 7) == 1 << 31)  // enabled, not idle
        #expect(v.vregs[Reg.ddiBufCtl(.c)] & (1 << 31 | 1 << 7) == 1 << 7)
        #expect(v.vregs[Reg.transDDIFuncCtl(.a)] == 1 << 31 | 1 << 28 | 2 << 24)  // enable, port B, DP SST, 8 bpc
        #expect(v.vregs[Reg.pchPortHotplug] & (1 << 4) != 0)
        #expect(v.vregs[Reg.pipeConf(.a)] & (3 << 30) == 3 << 30)
        #expect(v.vregs[0x46078] & (1 << 30) != 0)  // port B PLL locked
        #expect(v.vregs[0x60030] == 63 << 25 | 0x5B425E)
        #expect(f.mediator.pipeIsEnabled(v, .a) && !f.mediator.pipeIsEnabled(v, .b))
        #expect(f.mediator.vblankTimerNeeded())
        #expect(f.mediator.vblankPeriod == f.mediator.configuration.vblankPeriod)
    }

    @Test func edidResolutionFollowsTheVGPUType() throws {
        let f = MediatorFixture()
        let small = try f.vgpuObject(.v5_8)
        let large = try f.vgpuObject(.v5_4)
        for (v, width, height) in [(small, 1024, 768), (large, 1920, 1200)] {
            let edid = v.display.edid
            #expect(VirtualEDID.isValid(edid))
            // The first detailed timing descriptor (byte 54) is the preferred mode.
            #expect(Int(edid[56]) | Int(edid[58] >> 4) << 8 == width)
            #expect(Int(edid[59]) | Int(edid[61] >> 4) << 8 == height)
        }
    }

    @Test func pipeconfMirrorsEnableIntoStateAndReportsTheTimer() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.log.clear()
        f.mediator.pipeConfWrite(v, Reg.pipeConf(.a), 0)
        #expect(v.vregs[Reg.pipeConf(.a)] == 0)
        #expect(!f.mediator.vblankTimerNeeded())
        #expect(f.log.events == [.vblankTimer(armed: false)])
        f.mediator.pipeConfWrite(v, Reg.pipeConf(.b), 1 << 31 | 0x40)
        #expect(v.vregs[Reg.pipeConf(.b)] == 3 << 30 | 0x40)
        #expect(f.log.events.last == .vblankTimer(armed: true))
        f.log.clear()
        f.mediator.pipeConfWrite(v, Reg.pipeConf(.c), 1 << 31)  // already armed: nothing to report
        #expect(f.log.events.isEmpty)
        // A guest cannot set the state bit without enable.
        f.mediator.pipeConfWrite(v, Reg.pipeConf(.c), 1 << 30)
        #expect(v.vregs[Reg.pipeConf(.c)] == 0)
    }

    @Test func vblankCountsFramesAndRaisesThePipeInterrupt() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.enableMSI(v)
        f.unmaskAll(v, [.dePipeA])
        for _ in 0..<3 { f.mediator.vblankTimerFired() }
        #expect(v.vregs[Reg.pipeFrameCount(.a)] == 3)
        #expect(v.vregs[Reg.pipeFrameCount(.b)] == 0)
        #expect(v.vregs[InterruptBank.dePipeA.iir] == 1)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 1 << 16)
        #expect(f.msiCount(v) == 3)
    }

    @Test func disablingThePipeStopsVblank() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.dePipeA])
        f.mediator.vblankTimerFired()
        f.mediator.pipeConfWrite(v, Reg.pipeConf(.a), 0)
        f.mediator.virtualInterruptWrite(v, InterruptBank.dePipeA.iir, ~0)
        f.mediator.vblankTimerFired()
        #expect(v.vregs[Reg.pipeFrameCount(.a)] == 1)
        #expect(v.vregs[InterruptBank.dePipeA.iir] == 0)
    }

    @Test func eDPTranscoderFeedingAPipeEnablesIt() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.mediator.pipeConfWrite(v, 0x7F008, 1 << 31)
        #expect(!f.mediator.pipeIsEnabled(v, .c))
        v.vregs[0x6F400] = 1 << 31 | 6 << 12  // TRANS_DDI_FUNC_CTL_EDP: enabled, input pipe C
        #expect(f.mediator.pipeIsEnabled(v, .c) && !f.mediator.pipeIsEnabled(v, .b))
    }

    @Test func primaryFlipIsCountedAtOnceAndSignalledAtTheNextVblank() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.dePipeA])
        let surface: UInt32 = 0x0800_0000
        f.mediator.planeSurfaceWrite(v, pipe: .a, plane: 1, surface)
        #expect(v.vregs[Reg.planeSurf(.a, 1)] == surface)
        #expect(v.vregs[Reg.planeSurfLive(.a, 1)] == surface)
        #expect(v.vregs[Reg.pipeFlipCount(.a)] == 1)
        #expect(v.vregs[InterruptBank.dePipeA.iir] == 0)
        #expect(v.display.pendingFlips[0] == 1 << 3)
        f.log.clear()
        f.mediator.vblankTimerFired()
        #expect(v.vregs[InterruptBank.dePipeA.iir] == 1 << 3 | 1)
        #expect(v.display.pendingFlips[0] == 0)
        // Flip done is delivered before the vblank, as GVT orders them.
        let raised = f.log.events.compactMap { if case let .virtualInterrupt(_, e) = $0 { e } else { nil } }
        #expect(raised == [.primaryFlipDone(.a), .vblank(.a)])
        // Delivered once.
        f.mediator.virtualInterruptWrite(v, InterruptBank.dePipeA.iir, ~0)
        f.mediator.vblankTimerFired()
        #expect(v.vregs[InterruptBank.dePipeA.iir] == 1)
    }

    @Test func spriteFlipDoesNotCountButSignalsOnItsBit() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.dePipeA])
        f.mediator.planeSurfaceWrite(v, pipe: .a, plane: 2, 0x1000)
        #expect(v.vregs[Reg.planeSurfLive(.a, 2)] == 0x1000)
        #expect(v.vregs[Reg.pipeFlipCount(.a)] == 0)
        f.mediator.vblankTimerFired()
        #expect(v.vregs[InterruptBank.dePipeA.iir] == 1 << 4 | 1)
    }

    @Test func asyncFlipSignalsImmediately() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.dePipeA])
        v.vregs[Reg.planeCtl(.a, 1)] = 1 << 31 | 1 << 9
        f.mediator.planeSurfaceWrite(v, pipe: .a, plane: 1, 0x2000)
        #expect(v.vregs[InterruptBank.dePipeA.iir] == 1 << 3)
        #expect(v.display.pendingFlips[0] == 0)
    }

    @Test func queuedFlipsOfADisabledPipeAreDropped() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.dePipeB])
        f.mediator.planeSurfaceWrite(v, pipe: .b, plane: 1, 0x3000)
        f.mediator.vblankTimerFired()  // pipe B disabled: dropped, no frame
        #expect(v.vregs[InterruptBank.dePipeB.iir] == 0)
        #expect(v.display.pendingFlips[1] == 0)
        f.mediator.pipeConfWrite(v, Reg.pipeConf(.b), 1 << 31)
        f.mediator.vblankTimerFired()
        #expect(v.vregs[InterruptBank.dePipeB.iir] == 1)
        #expect(v.vregs[Reg.pipeFrameCount(.b)] == 1)
    }

    @Test func mmioFlipRegistersFlipWithTheirOwnType() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.mediator.pipeConfWrite(v, Reg.pipeConf(.b), 1 << 31)
        f.unmaskAll(v, [.dePipeB])
        f.mediator.flipRegisterWrite(v, pipe: .b, plane: 1, 0x4000 | 1)  // async
        #expect(v.vregs[0x50088] == 0x4001)
        #expect(v.vregs[Reg.planeSurfLive(.b, 1)] == 0x4001)
        #expect(v.vregs[Reg.pipeFlipCount(.b)] == 1)
        #expect(v.vregs[InterruptBank.dePipeB.iir] == 1 << 3)
        f.mediator.flipRegisterWrite(v, pipe: .b, plane: 2, 0x5000)  // synchronous sprite
        #expect(v.vregs[0x50098] == 0x5000)
        #expect(v.vregs[Reg.planeSurfLive(.b, 2)] == 0x5000)
        #expect(v.vregs[InterruptBank.dePipeB.iir] == 1 << 3)
        f.mediator.vblankTimerFired()
        #expect(v.vregs[InterruptBank.dePipeB.iir] == 1 << 4 | 1 << 3 | 1)
    }

    @Test func planeScalingIsRefusedButPipeScalingStored() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        let s = DisplayBits.scaler(.b, 2)
        f.log.clear()
        f.mediator.planeScalerWrite(v, s.ctrl, 1 << 31 | 2 << 25)
        #expect(v.vregs[s.ctrl] == 0)
        #expect(f.log.events.contains {
            if case let .displayWriteRefused(id, offset, value, _) = $0 { id == v.id && offset == s.ctrl && value == 1 << 31 | 2 << 25 } else { false }
        })
        f.mediator.planeScalerWrite(v, s.ctrl, 1 << 31)
        #expect(v.vregs[s.ctrl] == 1 << 31)
        f.mediator.planeScalerWrite(v, s.winSize, 2 << 25)
        #expect(v.vregs[s.winSize] == 2 << 25)
    }

    @Test func portRegistersBehaveAsGVTEmulatesThem() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.mediator.ddiBufCtlWrite(v, Reg.ddiBufCtl(.c), 1 << 31 | 1 << 7)
        #expect(v.vregs[Reg.ddiBufCtl(.c)] == 1 << 31)
        f.mediator.ddiBufCtlWrite(v, Reg.ddiBufCtl(.c), 0)
        #expect(v.vregs[Reg.ddiBufCtl(.c)] == 1 << 7)
        f.mediator.dpTPCtlWrite(v, Reg.dpTPCtl(.b), 1 << 31 | 2 << 8)
        #expect(v.vregs[Reg.dpTPStatus(.b)] & (1 << 25) != 0)
        v.vregs[Reg.dpTPStatus(.b)] = 1 << 26 | 1 << 24
        f.mediator.dpTPStatusWrite(v, Reg.dpTPStatus(.b), 1 << 26 | 0x5)
        #expect(v.vregs[Reg.dpTPStatus(.b)] == 1 << 24 | 0x5)
        f.mediator.pllEnableWrite(v, 0x46070, 1 << 31)
        #expect(v.vregs[0x46070] == 3 << 30)
        f.mediator.pllEnableWrite(v, 0x46070, 1 << 30)
        #expect(v.vregs[0x46070] == 0)
    }

    @Test func deviceModelResetRestoresTheMonitorAndDropsFlips() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.mediator.planeSurfaceWrite(v, pipe: .a, plane: 1, 0x1000)
        f.mediator.dpAuxChannelWrite(v, Reg.dpAuxCh(.b, dword: 1), 0x8_01_02_00)
        v.vregs[InterruptBank.dePort.isr] = 0
        try f.mediator.resetVGPU(v.id, deviceModelLevel: true)
        #expect(v.display.pendingFlips == [0, 0, 0])
        #expect(v.vregs[InterruptBank.dePort.isr] & (1 << 4) != 0)
        #expect(v.display.dpcd[DPCD.sinkCount] == 1)
    }
}
