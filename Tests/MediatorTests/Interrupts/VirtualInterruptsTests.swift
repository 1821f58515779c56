import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Helpers shared by the interrupt and display tests.
extension MediatorFixture {
    /// A vGPU (default V5_4) and its object.
    func vgpuObject(_ type: VGPUType = .v5_4) throws -> VGPU {
        mediator.vgpu(try makeVGPU(type))!
    }

    /// Enables MSI in `vgpu`'s virtual config space with `address` and `data`.
    func enableMSI(_ vgpu: VGPU, address: UInt32 = 0xFEE0_0000, data: UInt16 = 0x4041) {
        vgpu.config.write(offset: MSICapability.offset + 4, size: 4, value: address)
        vgpu.config.write(offset: MSICapability.dataOffset(is64Bit: false), size: 2, value: UInt32(data))
        vgpu.config.write(offset: MSICapability.offset + 2, size: 2, value: UInt32(MSICapability.enableBit))
    }

    /// Unmasks and enables every event of `banks` and sets the master enable.
    func unmaskAll(_ vgpu: VGPU, _ banks: [InterruptBank] = InterruptBank.allCases, master: Bool = true) {
        for bank in banks {
            mediator.virtualInterruptWrite(vgpu, bank.imr, 0)
            mediator.virtualInterruptWrite(vgpu, bank.ier, ~0)
        }
        if master { mediator.virtualInterruptWrite(vgpu, Reg.masterIRQ, 1 << 31) }
    }

    /// MSIs injected so far into `vgpu`.
    func msiCount(_ vgpu: VGPU) -> Int { hypervisor.msis.filter { $0.0 == vgpu.id }.count }
}

/// The virtual interrupt tree: propagation, masking, enables, the master register, MSI.
@Suite struct VirtualInterruptsTests {
    @Test func maskedEventsDoNotLatchAndUnmaskedOnesDo() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        let event = InterruptEvent.userInterrupt(.rcs)
        #expect(v.vregs[event.bank.imr] == 0xFFFF_FFFF)  // reset: all masked
        f.log.clear()
        f.mediator.triggerVirtualInterrupt(v, event)
        #expect(v.vregs[event.bank.iir] == 0)
        #expect(!f.log.events.contains(.virtualInterrupt(v.id, event)))

        f.mediator.virtualInterruptWrite(v, event.bank.imr, ~event.mask)
        f.mediator.triggerVirtualInterrupt(v, event)
        #expect(v.vregs[event.bank.iir] == event.mask)
        #expect(f.log.events.contains(.virtualInterrupt(v.id, event)))
        // Another event of the same bank stays masked.
        f.mediator.triggerVirtualInterrupt(v, .contextSwitch(.rcs))
        #expect(v.vregs[event.bank.iir] == event.mask)
    }

    @Test func ierGatesTheMasterBitAndTheMSI() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.enableMSI(v)
        f.mediator.virtualInterruptWrite(v, InterruptBank.gt0.imr, 0)
        f.mediator.virtualInterruptWrite(v, Reg.masterIRQ, 1 << 31)
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.rcs))
        #expect(v.vregs[InterruptBank.gt0.iir] == 1)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31)
        #expect(f.msiCount(v) == 0)

        f.mediator.virtualInterruptWrite(v, InterruptBank.gt0.ier, 1)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 1)
        #expect(f.msiCount(v) == 1)

        // Disabling the source in IER recomputes the group bit away.
        f.mediator.virtualInterruptWrite(v, InterruptBank.gt0.ier, 0)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31)
    }

    @Test func masterDisabledLatchesButNeitherReportsNorInjects() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.enableMSI(v)
        f.unmaskAll(v, [.gt1], master: false)
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.vcs))
        #expect(v.vregs[InterruptBank.gt1.iir] == 1)
        #expect(v.vregs[Reg.masterIRQ] == 0)
        #expect(f.msiCount(v) == 0)

        // Enabling the master pushes the pending group up and injects.
        f.mediator.virtualInterruptWrite(v, Reg.masterIRQ, 0xFFFF_FFFF)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 1 << 2)
        #expect(f.msiCount(v) == 1)

        // GVT, unlike hardware: disabling the master keeps the group bits it had.
        f.mediator.virtualInterruptWrite(v, Reg.masterIRQ, 0)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 2)
        f.mediator.triggerVirtualInterrupt(v, .contextSwitch(.vcs))
        #expect(f.msiCount(v) == 1)
    }

    @Test func iirIsWriteOneToClearAndRecomputesTheMasterHalves() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.gt0])
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.rcs))
        f.mediator.triggerVirtualInterrupt(v, .contextSwitch(.rcs))
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.bcs))
        #expect(v.vregs[InterruptBank.gt0.iir] == 1 | 1 << 8 | 1 << 16)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 0b11)

        f.mediator.virtualInterruptWrite(v, InterruptBank.gt0.iir, 1)  // RCS user only
        #expect(v.vregs[InterruptBank.gt0.iir] == 1 << 8 | 1 << 16)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 0b11)
        f.mediator.virtualInterruptWrite(v, InterruptBank.gt0.iir, 1 << 16)  // BCS half done
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 0b01)
        f.mediator.virtualInterruptWrite(v, InterruptBank.gt0.iir, ~0)
        #expect(v.vregs[InterruptBank.gt0.iir] == 0)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31)
    }

    @Test func gt2AndGT3ReportOnlyTheirLowHalf() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.gt2, .gt3])
        f.mediator.triggerVirtualInterrupt(v, InterruptEvent(bank: .gt2, bit: 20))
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31)
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.vecs))
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 1 << 6)
    }

    @Test func pchEventsCascadeToMasterBit23() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.enableMSI(v)
        f.unmaskAll(v, [.pch])
        f.mediator.triggerVirtualInterrupt(v, .dpBHotplug)
        #expect(v.vregs[InterruptBank.pch.iir] == 1 << 21)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 1 << 23)
        #expect(f.msiCount(v) == 1)
        f.mediator.virtualInterruptWrite(v, InterruptBank.pch.iir, 1 << 21)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31)
    }

    @Test func displayBanksReportToTheirMasterBits() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v)
        f.mediator.triggerVirtualInterrupt(v, .vblank(.b))
        f.mediator.triggerVirtualInterrupt(v, .auxB)
        f.mediator.triggerVirtualInterrupt(v, .gse)
        f.mediator.triggerVirtualInterrupt(v, .pcuThermal)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 1 << 17 | 1 << 20 | 1 << 22 | 1 << 30)
    }

    @Test func msiIsInjectedOnlyWhenEnabledInConfigSpace() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.gt0])
        f.log.clear()
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.rcs))
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31 | 1)  // pending, but MSI is off
        #expect(f.msiCount(v) == 0)
        #expect(!f.log.events.contains { if case .msiInjected = $0 { true } else { false } })

        f.enableMSI(v, address: 0xFEE0_1000, data: 0x4055)
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.rcs))
        #expect(f.hypervisor.msis.count == 1)
        #expect(f.hypervisor.msis.first.map { $0.0 == v.id && $0.1 == 0xFEE0_1000 && $0.2 == 0x4055 } == true)
        #expect(f.log.events.contains(.msiInjected(v.id, address: 0xFEE0_1000, data: 0x4055)))

        // Disabling MSI again (the guest's config write) stops injection.
        v.config.write(offset: MSICapability.offset + 2, size: 2, value: 0)
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.rcs))
        #expect(f.hypervisor.msis.count == 1)
    }

    @Test func imrWriteRechecksAndInjectsAgainWhilePending() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.enableMSI(v)
        f.unmaskAll(v, [.gt0])
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.rcs))
        #expect(f.msiCount(v) == 1)
        f.mediator.virtualInterruptWrite(v, InterruptBank.gt0.imr, 0xFFFF_0000)
        #expect(v.vregs[InterruptBank.gt0.imr] == 0xFFFF_0000)
        #expect(f.msiCount(v) == 2)  // GVT's check_pending_irq re-injects while a group is pending
    }

    @Test func isrWritesAreStoredAndOtherOffsetsFallThrough() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.mediator.virtualInterruptWrite(v, InterruptBank.pcu.isr, 0x55)
        #expect(v.vregs[InterruptBank.pcu.isr] == 0x55)
        f.mediator.virtualInterruptWrite(v, 0x44204, 7)
        #expect(v.vregs[0x44204] == 7)
        f.mediator.virtualInterruptWrite(v, MMIOOffset(RegisterCatalogue.mmioSize), 7)  // outside: ignored
    }

    @Test func eventsOfOtherVGPUsStayApart() throws {
        let f = MediatorFixture()
        let a = try f.vgpuObject(.v5_8)
        let b = try f.vgpuObject(.v5_8)
        f.unmaskAll(a)
        f.unmaskAll(b)
        f.mediator.triggerVirtualInterrupt(a, .userInterrupt(.bcs))
        #expect(a.vregs[InterruptBank.gt0.iir] == 1 << 16)
        #expect(b.vregs[InterruptBank.gt0.iir] == 0)
        #expect(!f.mediator.hasPendingVirtualInterrupt(b) && f.mediator.hasPendingVirtualInterrupt(a))
    }
}
