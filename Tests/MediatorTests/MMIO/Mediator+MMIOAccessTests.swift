import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The trap path: checks, dispatch, default handlers, failsafe and accounting.
@Suite struct MMIOAccessTests {
    @Test func untrackedOffsetsUseTheVregAndAreCounted() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.write(id, 0x9420, 0xDEAD_BEEF)
        #expect(f.read(id, 0x9420) == 0xDEAD_BEEF)
        #expect(vgpu.untrackedAccesses == 2)
        _ = f.read(id, Reg.gdrst.rawValue)
        #expect(vgpu.untrackedAccesses == 2)
        #expect(vgpu.wasAccessed(0x9420) && vgpu.wasAccessed(Reg.gdrst) && !vgpu.wasAccessed(0x9424))
        #expect(f.host.registerWrites.isEmpty)
    }

    @Test func subDwordAccessesReadAndMergeTheirBytes() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, 0x9420, 0x1122_3344)
        #expect(f.read(id, 0x9420, size: 1) == 0x44)
        #expect(f.read(id, 0x9423, size: 1) == 0x11)
        #expect(f.read(id, 0x9422, size: 2) == 0x1122)
        f.write(id, 0x9421, 0xAA, size: 1)
        f.write(id, 0x9422, 0xBBCC, size: 2)
        #expect(f.read(id, 0x9420) == 0xBBCC_AA44)
    }

    @Test func unalignedReadsAreRefusedAndObserved() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, 0x9420, 0x1122_3344)
        #expect(f.read(id, 0x9421, size: 2) == 0)
        #expect(f.read(id, 0x9422) == 0)
        #expect(f.read(id, 0x9422, size: 8) == 0)
        #expect(f.accessErrors.map(\.0) == [0x9421, 0x9422, 0x9422])
        #expect(f.accessErrors.allSatisfy { !$0.1 && $0.2 == "unaligned read" })
        #expect(f.mediator.vgpu(id)?.failsafe == nil)
    }

    @Test func eightByteAccessesSplitIntoTwoDwords() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.write(id, 0x9420, 0x0102_0304_0506_0708, size: 8)
        #expect(f.read(id, 0x9420) == 0x0506_0708 && f.read(id, 0x9424) == 0x0102_0304)
        #expect(f.read(id, 0x9420, size: 8) == 0x0102_0304_0506_0708)
        #expect(f.read(id, 0x9424, size: 8) == 0x0102_0304)  // qword at a dword boundary
        #expect(vgpu.wasAccessed(0x9420) && vgpu.wasAccessed(0x9424))
        // An 8-byte fence write reaches both halves through the handler.
        _ = f.readPVInfo(id)
        f.write(id, 0x100000, 0x0000_1FFF_0000_1001, size: 8)
        #expect(f.read(id, 0x100000, size: 8) == 0x0000_1FFF_0000_1001)
    }

    @Test func writesCrossingADwordAreCutAtTheBoundary() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, 0x9422, 0xAABB_CCDD)
        #expect(f.read(id, 0x9420) == 0xCCDD_0000 && f.read(id, 0x9424) == 0x0000_AABB)
    }

    @Test func readOnlyRowsDropWrites() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let csb = MMIOOffset.csb(.rcs, entry: 2).rawValue
        f.write(id, csb, 0x1234)
        #expect(f.read(id, csb) == 0)
        #expect(f.accessErrors.map(\.2) == ["write to read-only register"])
    }

    @Test func partialReadOnlyMaskKeepsTheReadOnlyBits() throws {
        // RING_RESET_CTL: READY_TO_RESET (bit 1) is the engine's, the guest cannot set it.
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let resetCtl = MMIOOffset.ring(.resetCtl, .vcs).rawValue
        #expect(MMIOHandlerTable.gen9.info(at: MMIOOffset(resetCtl))?.readOnlyMask == 0x2)
        f.write(id, resetCtl, 0x0002_0002)
        #expect(f.read(id, resetCtl) == 0)
        f.write(id, resetCtl, 0x0001_0001)
        #expect(f.read(id, resetCtl) == 0x3)
        f.write(id, resetCtl, 0x0002_0000)  // cannot clear READY while the request stands
        #expect(f.read(id, resetCtl) == 0x3)
        f.write(id, resetCtl, 0x0001_0000)
        #expect(f.read(id, resetCtl) == 0)
    }

    @Test func maskedRowsChangeOnlyEnabledBits() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let miMode = MMIOOffset.ring(.miMode, .bcs).rawValue
        f.write(id, miMode, 0x0003_0003)  // enable bits 0, 1
        #expect(f.read(id, miMode) == 0x3)
        f.write(id, miMode, 0x0001_0000)  // clear bit 0
        #expect(f.read(id, miMode) == 0x2)
        f.write(id, miMode, 0x0000_00FC)  // no enables: nothing changes
        #expect(f.read(id, miMode) == 0x2)
    }

    @Test func maskHelperMatchesGVT() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        vgpu.vregs[0x9420] = 0x00F0
        f.mediator.maskedVregWrite(vgpu, 0x9420, value: 0x000F_0005)
        #expect(vgpu.vregs[0x9420] == 0x00F5)
        #expect(maskedBitsEnabled(0x0200_0200, 1 << 9) && !maskedBitsEnabled(0x0000_0200, 1 << 9))
        #expect(maskedBitsDisabled(0x0200_0000, 1 << 9) && !maskedBitsDisabled(0x0200_0200, 1 << 9))
    }

    @Test func failsafeUsesOnlyDefaultHandlers() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.write(id, MMIOOffset.ring(.mode, .rcs).rawValue, 0x8000_8000)  // execlists before PVINFO
        #expect(vgpu.failsafe == .unsupportedGuest)
        #expect(f.failsafes.map(\.1) == [.unsupportedGuest])
        let before = vgpu.untrackedAccesses
        // Fences, forcewake, GDRST, ELSP: all plain vreg now; the host is never touched.
        f.write(id, 0x100000, 0xFFFF_F001)
        #expect(f.read(id, 0x100000) == 0xFFFF_F001)
        f.write(id, Reg.forcewakeRender.rawValue, 0x0001_0001)
        #expect(f.read(id, Reg.forcewakeAckRender.rawValue) == 0)
        f.write(id, Reg.gdrst.rawValue, 1)
        #expect(f.read(id, Reg.gdrst.rawValue) == 1)
        f.write(id, MMIOOffset.csb(.rcs, entry: 0).rawValue, 9)
        #expect(f.read(id, MMIOOffset.csb(.rcs, entry: 0).rawValue) == 9)
        for _ in 0..<4 { f.write(id, MMIOOffset.ring(.elsp, .rcs).rawValue, 0x1000) }
        #expect(vgpu.pendingSubmissions[0].isEmpty)
        #expect(f.host.registerWrites.isEmpty)
        #expect(vgpu.untrackedAccesses == before)
        #expect(f.failsafes.count == 1)  // entering twice is not reported twice
        // Unaligned reads are not checked in failsafe either.
        #expect(f.read(id, 0x100001, size: 2) == 0xFFF0)
    }

    @Test func deviceModelResetLeavesFailsafe() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, PVInfo.reserved5.lowerBound, 1)
        #expect(f.mediator.vgpu(id)?.failsafe == .insufficientResource)
        try f.mediator.resetVGPU(id, deviceModelLevel: true)
        #expect(f.mediator.vgpu(id)?.failsafe == nil)
        #expect(f.mediator.vgpu(id)?.pvNotified == false)
    }
}
