import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// RING_MODE/GFX_MODE, RING_RESET_CTL, registers read from hardware, FORCE_TO_NONPRIV.
@Suite struct RingHandlerTests {
    let gfxMode = MMIOOffset.ring(.mode, .rcs).rawValue

    @Test(arguments: [UInt32(0x8000_8000), 0x0200_0200])
    func enablingExeclistsOrPPGTTBeforePVINFOIsAnUnsupportedGuest(value: UInt32) throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, MMIOOffset.ring(.mode, .vecs).rawValue, UInt64(value))
        #expect(f.mediator.vgpu(id)?.failsafe == .unsupportedGuest)
        #expect(f.read(id, MMIOOffset.ring(.mode, .vecs).rawValue) == 0)  // dropped
        #expect(f.failsafes.count == 1)
    }

    @Test func enablingExeclistsAfterPVINFOIsStored() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.readPVInfo(id)
        f.write(id, gfxMode, 0x8200_8200)
        #expect(f.read(id, gfxMode) == 0x8200)
        #expect(f.mediator.vgpu(id)?.failsafe == nil)
        f.write(id, gfxMode, 0x8000_0000)  // disable execlists
        #expect(f.read(id, gfxMode) == 0x0200)
    }

    @Test func privilegeDisableBitIsStrippedAndFailsafeUnderCurrent() throws {
        let f = MMIOFixture(revision: .current)
        let id = try f.makeVGPU()
        f.readPVInfo(id)
        f.write(id, gfxMode, 0x8001_8001)
        #expect(f.read(id, gfxMode) == 0x8000)  // bit 0 stripped, the rest kept
        #expect(f.mediator.vgpu(id)?.failsafe == .unsupportedGuest)
        #expect(f.failsafes.map(\.1) == [.unsupportedGuest])
    }

    @Test func privilegeDisableBitPassesUnderGVT2018() throws {
        let f = MMIOFixture(revision: .gvt2018)
        let id = try f.makeVGPU()
        f.readPVInfo(id)
        f.write(id, gfxMode, 0x8001_8001)
        #expect(f.read(id, gfxMode) == 0x8001)
        #expect(f.mediator.vgpu(id)?.failsafe == nil)
        #expect(f.failsafes.isEmpty)
    }

    @Test func privilegeBitWithoutItsMaskIsHarmless() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.readPVInfo(id)
        f.write(id, gfxMode, 0x0000_0001)
        #expect(f.read(id, gfxMode) == 0 && f.mediator.vgpu(id)?.failsafe == nil)
    }

    @Test func resetRequestIsAcknowledgedAtOnce() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let ctl = MMIOOffset.ring(.resetCtl, .rcs).rawValue
        f.write(id, ctl, 0x0001_0001)
        #expect(f.read(id, ctl) == 0x3)
        #expect(f.host.registerWrites.isEmpty)
    }

    @Test func ringRegistersAreReadFromHardwareOnlyWhileTheVGPUOwnsTheEngine() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        let acthd = MMIOOffset.ring(.acthd, .rcs)
        f.host.pinnedRegisters[acthd] = 0xCAFE_0000
        vgpu.vregs[acthd] = 0x1000
        #expect(f.read(id, acthd.rawValue) == 0x1000)  // host owns RCS
        #expect(!f.host.registerReads.contains(acthd))
        f.mediator.engineOwners[EngineID.bcs.index] = id
        #expect(f.read(id, acthd.rawValue) == 0x1000)  // owning another engine is not enough
        f.mediator.engineOwners[EngineID.rcs.index] = id
        #expect(f.read(id, acthd.rawValue) == 0xCAFE_0000)
        #expect(f.read(id, acthd.rawValue + 2, size: 2) == 0xCAFE)
        f.mediator.engineOwners[EngineID.rcs.index] = VGPUID(3)
        #expect(f.read(id, acthd.rawValue) == 0xCAFE_0000)  // the vreg keeps the last value read
        let instdone = MMIOOffset.ring(.instdone, .vcs)
        f.host.pinnedRegisters[instdone] = 0xFF
        #expect(f.read(id, instdone.rawValue) == 0)
    }

    @Test func timestampIsAlwaysReadFromHardware() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let ts = MMIOOffset.ring(.timestamp, .bcs)
        let tsHigh = MMIOOffset.ring(.timestampUDW, .bcs)
        f.host.pinnedRegisters[ts] = 0x1234_5678
        f.host.pinnedRegisters[tsHigh] = 0x9
        #expect(f.read(id, ts.rawValue, size: 8) == 0x9_1234_5678)
        // GEN7_SC_INSTDONE is no engine's ring register: GVT always reads it from hardware.
        f.host.pinnedRegisters[0x7100] = 0x55
        #expect(f.read(id, 0x7100) == 0x55)
    }

    @Test func forceToNonPrivAcceptsOnlyWhitelistedTargets() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let slot = MMIOOffset.forceToNonPriv(.rcs, 5).rawValue
        f.write(id, slot, 0x7300)  // HDC_CHICKEN0: whitelisted
        #expect(f.read(id, slot) == 0x7300)
        f.write(id, slot, 0x2030)  // RCS RING_TAIL: never
        #expect(f.read(id, slot) == 0x7300)
        f.write(id, slot, UInt64(Reg.fence(0).rawValue))  // fences: never
        #expect(f.read(id, slot) == 0x7300)
        #expect(f.accessErrors.count == 2 && f.accessErrors.allSatisfy { $0.2.contains("not whitelisted") })
        let bcsSlot = MMIOOffset.forceToNonPriv(.bcs, 0).rawValue
        f.write(id, bcsSlot, UInt64(MMIOOffset.ring(.nopid, .bcs).rawValue))  // own RING_NOPID
        #expect(f.read(id, bcsSlot) == UInt64(MMIOOffset.ring(.nopid, .bcs).rawValue))
        f.write(id, bcsSlot, UInt64(MMIOOffset.ring(.nopid, .rcs).rawValue))  // another engine's NOPID
        #expect(f.read(id, bcsSlot) == UInt64(MMIOOffset.ring(.nopid, .bcs).rawValue))
        #expect(f.mediator.vgpu(id)?.failsafe == nil)
    }
}
