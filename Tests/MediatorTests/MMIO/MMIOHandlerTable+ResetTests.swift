import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// GDRST and TLB invalidation.
@Suite struct ResetHandlerTests {
    @Test func fullGDRSTResetsTheGTButKeepsDisplayAndReadsBackZero() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.readPVInfo(id)
        let miMode = MMIOOffset.ring(.miMode, .rcs).rawValue
        f.write(id, miMode, 0x0100_0100)
        f.write(id, 0x70180, 0x8000_0000)  // PLANE_CTL_1_A (display, above 0x44200)
        f.write(id, Reg.gdrst.rawValue, 1)
        #expect(f.read(id, Reg.gdrst.rawValue) == 0)
        #expect(f.read(id, miMode) == 0)
        #expect(f.read(id, 0x70180) == 0x8000_0000)
        #expect(f.log.events.contains(.vgpuReset(id, deviceModelLevel: false, engines: .all)))
        #expect(vgpu.failsafe == nil)
        #expect(f.host.registerWrites.isEmpty)
    }

    @Test func engineBitsResetOnlyThoseEngines() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, Reg.gdrst.rawValue, 1 << 3 | 1 << 4 | 1 << 7)  // BLT, VECS, MEDIA2 (absent)
        #expect(f.log.events.contains(.vgpuReset(id, deviceModelLevel: false, engines: [.bcs, .vecs])))
        #expect(f.read(id, Reg.gdrst.rawValue) == 0)
        f.log.clear()
        f.write(id, Reg.gdrst.rawValue, 1 << 7)  // nothing Apollo Lake has
        #expect(!f.log.events.contains { if case .vgpuReset = $0 { true } else { false } })
    }

    @Test func tlbInvalidationIsPendingUntilTheNextSwitch() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        for (offset, engine) in MMIOHandlerTable.tlbInvalidateRegisters {
            f.write(id, offset.rawValue, 1)
            #expect(f.read(id, offset.rawValue) == 0)
            if let engine { #expect(vgpu.pendingTLBInvalidate.contains(engine)) }
        }
        #expect(vgpu.pendingTLBInvalidate == .all)
        #expect(f.host.registerWrites.isEmpty)
    }
}
