import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// ELSP → workload → shadow context on the host GPU → completion → CSB and interrupts in
/// the guest, end to end over the real GPU model.
@Suite struct WorkloadLifecycleTests {
    func setUp() throws -> (TestGuest, GraphicsAddress) {
        let guest = try TestGuest(MediatorFixture())
        guest.createPPGTT()
        return (guest, guest.enableEngine(.rcs))
    }

    @Test func aWorkloadRunsOnTheHostAndCompletesInTheGuest() throws {
        let (guest, hwsp) = try setUp()
        let data: GraphicsAddress = 0x40_0000
        let dataFrame = guest.mapPPGTT(data)
        // Guest interrupts: unmask RCS user + context switch, enable MSI in config space.
        guest.mmioWrite(0x44304, ~UInt64(1 << 0 | 1 << 8) & 0xFFFF_FFFF)  // GT0 IMR
        guest.mmioWrite(0x4430C, 1 << 0 | 1 << 8)  // GT0 IER
        guest.mmioWrite(0x44200, 1 << 31)
        var ctx = guest.makeContext(.rcs, contextID: 0x77)
        guest.emit(CommandEncoder.storeDataImmediate(data.advanced(by: 8), 0xABCD) + CommandEncoder.userInterrupt, to: &ctx)
        guest.submit(ctx)

        let log = guest.fixture.log
        #expect(log.events.contains { if case .workloadDispatched = $0 { true } else { false } })
        guest.fixture.runHost()

        // The host GPU executed through the shadow PPGTT into the guest's own page.
        #expect(guest.read32(GuestPhysicalAddress(frame: dataFrame, offset: 8)) == 0xABCD)
        // The guest sees idle→active then complete|active→idle in its HWSP and CSB registers.
        #expect(guest.readGGTT(hwsp.advanced(by: 0x10 * 4)) == ContextStatus.Flags.idleToActive.rawValue)
        #expect(guest.readGGTT(hwsp.advanced(by: 0x12 * 4)) == ContextStatus.Flags([.complete, .activeToIdle]).rawValue)
        #expect(guest.readGGTT(hwsp.advanced(by: 0x13 * 4)) == 0x77)
        #expect(guest.readGGTT(hwsp.advanced(by: 0x1F * 4)) == 1)
        #expect(guest.mmioRead(UInt64(MMIOOffset.ring(.csbPointer, .rcs).rawValue)) & 7 == 1)
        // Ring head written back; user interrupt re-injected (it was NOOP-ed in the shadow).
        let head = guest.readGGTT(ctx.descriptor.lrca.advanced(by: 4096 + ContextImage.Slot.ringHead.valueByteOffset))
        #expect(head == ctx.tail)
        #expect(guest.mmioRead(0x44308) & 1 == 1)  // GT0 IIR: RCS user interrupt
        #expect(log.events.contains { if case .workloadCompleted(_, .rcs, _, nil) = $0 { true } else { false } })
        // The guest never enabled MSI in its config space: GVT injects nothing then.
        #expect(guest.fixture.hypervisor.msis.isEmpty)
        // The host never ran the guest's MI_USER_INTERRUPT itself.
        #expect(!log.events.contains(.hardwareEvent(.userInterrupt(.rcs))))
    }

    @Test func elspWithoutThePrivilegeBitIsRefused() throws {
        let (guest, _) = try setUp()
        var ctx = guest.makeContext(.rcs, privileged: false)
        guest.emit(CommandEncoder.noop, to: &ctx)
        guest.submit(ctx)
        let vgpu = guest.mediator.vgpu(guest.id)!
        #expect(vgpu.failsafe == .guestError)
        #expect(guest.mediator.currentWorkloads[EngineID.rcs.index] == nil)
    }

    @Test func aContextOutsideTheGuestsMemoryIsRejected() throws {
        let (guest, _) = try setUp()
        // A descriptor whose LRCA is not mapped in the guest GGTT.
        let bogus = ContextDescriptor(lrca: 0x7000_0000, contextID: 1)
        let elsp = UInt64(MMIOOffset.ring(.elsp, .rcs).rawValue)
        for dword in ExeclistSubmission(element0: bogus).elspDwords { guest.mmioWrite(elsp, UInt64(dword)) }
        #expect(guest.fixture.log.events.contains { if case .workloadRejected = $0 { true } else { false } })
        #expect(guest.mediator.currentWorkloads.allSatisfy { $0 == nil })
    }

    @Test func twoWorkloadsOfTwoVGPUsBothComplete() throws {
        let fixture = MediatorFixture()
        let a = try TestGuest(fixture)
        let b = try TestGuest(fixture, type: .v5_8)
        for guest in [a, b] { guest.createPPGTT(); _ = guest.enableEngine(.bcs) }
        let frameA = a.mapPPGTT(0x40_0000)
        let frameB = b.mapPPGTT(0x40_0000)
        var ca = a.makeContext(.bcs)
        var cb = b.makeContext(.bcs)
        a.emit(CommandEncoder.storeDataImmediate(0x40_0000, 1), to: &ca)
        b.emit(CommandEncoder.storeDataImmediate(0x40_0000, 2), to: &cb)
        a.submit(ca)
        b.submit(cb)
        fixture.runHost()
        #expect(a.read32(GuestPhysicalAddress(frame: frameA)) == 1)
        #expect(b.read32(GuestPhysicalAddress(frame: frameB)) == 2)
        let completed = fixture.log.events.filter { if case .workloadCompleted(_, _, _, nil) = $0 { true } else { false } }
        #expect(completed.count == 2)
    }

    @Test func anEngineHangFailsTheWorkloadWithoutInterrupts() throws {
        let (guest, _) = try setUp()
        let flag: GraphicsAddress = 0x40_0000
        guest.mapPPGTT(flag)
        let batch: GraphicsAddress = 0x50_0000
        let batchFrame = guest.mapPPGTT(batch)
        guest.write(GuestPhysicalAddress(frame: batchFrame),
                    CommandEncoder.semaphoreWait(flag, data: 1) + CommandEncoder.batchEnd)
        var ctx = guest.makeContext(.rcs)
        guest.emit(CommandEncoder.batchStart(batch, ppgtt: true) + CommandEncoder.userInterrupt, to: &ctx)
        guest.submit(ctx)
        let fixture = guest.fixture
        fixture.runHost()
        #expect(fixture.mediator.currentWorkloads[EngineID.rcs.index] != nil)  // waiting on the semaphore
        for _ in 0..<fixture.gpu.configuration.hangcheckThreshold { fixture.gpu.hangcheck() }
        fixture.runHost()
        #expect(fixture.mediator.currentWorkloads[EngineID.rcs.index] == nil)
        #expect(fixture.log.events.contains { if case .workloadCompleted(_, .rcs, _, let f?) = $0 { f.hasPrefix("-EIO") } else { false } })
        #expect(guest.mmioRead(0x44308) & 1 == 0)  // no user interrupt injected
        #expect(fixture.gpu.engine(.rcs).stall == nil && !fixture.gpu.engine(.rcs).isBusy)  // host engine reset
    }
}

/// The command parser in the submission path: shadow batches on the host, rejections.
@Suite struct WorkloadScanIntegrationTests {
    @Test func aPrivilegedBatchRunsFromItsScannedShadowCopy() throws {
        let guest = try TestGuest(MediatorFixture())
        guest.createPPGTT()
        _ = guest.enableEngine(.rcs)
        let data: GraphicsAddress = 0x40_0000
        let dataFrame = guest.mapPPGTT(data)
        let batch = guest.mapGGTT(pages: 1)
        guest.writeGGTT(batch, CommandEncoder.storeDataImmediate(data, 1) + CommandEncoder.batchEnd)
        var ctx = guest.makeContext(.rcs)
        guest.emit(CommandEncoder.batchStart(batch, ppgtt: false), to: &ctx)
        guest.submit(ctx)  // scanned now: the queue was empty
        // The guest rewrites its batch after the scan (time-of-check/time-of-use).
        guest.writeGGTT(batch, CommandEncoder.storeDataImmediate(data, 2) + CommandEncoder.batchEnd)
        guest.fixture.runHost()
        #expect(guest.read32(GuestPhysicalAddress(frame: dataFrame)) == 1)
        #expect(guest.fixture.log.events.contains { if case .workloadCompleted(_, .rcs, _, nil) = $0 { true } else { false } })
    }

    @Test func aRejectedScanFailsTheWorkloadAndEntersFailsafe() throws {
        let guest = try TestGuest(MediatorFixture())
        guest.createPPGTT()
        _ = guest.enableEngine(.rcs)
        var ctx = guest.makeContext(.rcs)
        // LRI to a register commands may not touch (GDRST is not command-accessible).
        guest.emit(CommandEncoder.loadRegisterImmediate([(Reg.gdrst, 1)]), to: &ctx)
        guest.submit(ctx)
        guest.fixture.runHost()
        let vgpu = guest.mediator.vgpu(guest.id)!
        #expect(vgpu.failsafe == .guestError)
        #expect(guest.fixture.log.events.contains { if case .workloadCompleted(_, .rcs, _, let f?) = $0 { f.hasPrefix("scan rejected") } else { false } })
        #expect(guest.fixture.gpu.engine(.rcs).commandsExecuted == 0)  // nothing reached the host
    }
}
