import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// ELSP collection and the HWS_PGA audit.
@Suite struct ExeclistHandlerTests {
    @Test func fourELSPWritesQueueOneSubmission() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        let elsp = MMIOOffset.ring(.elsp, .vcs).rawValue
        let submission = ExeclistSubmission(element0: ContextDescriptor(rawValue: 0x0000_0005_1000_1019),
                                            element1: ContextDescriptor(rawValue: 0))
        for dword in submission.elspDwords.prefix(3) { f.write(id, elsp, UInt64(dword)) }
        #expect(vgpu.pendingSubmissions[EngineID.vcs.index].isEmpty)
        // The fourth write completes the submission; the trap path hands it to the submission
        // half at once (this context is not in guest memory, so it is rejected there).
        f.mediator.mmioRegisterWrite(vgpu, MMIOOffset(elsp), size: 4, value: UInt64(submission.elspDwords[3]))
        #expect(vgpu.pendingSubmissions[EngineID.vcs.index] == [submission])
        #expect(vgpu.pendingSubmissions[EngineID.rcs.index].isEmpty)
        #expect(vgpu.elspPorts[EngineID.vcs.index].writeIndex == 0)
        #expect(f.host.registerWrites.isEmpty)
        f.mediator.processPendingSubmissions(vgpu)
        #expect(vgpu.pendingSubmissions[EngineID.vcs.index].isEmpty)
    }

    @Test func engineResetDropsAHalfWrittenSubmission() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        let elsp = MMIOOffset.ring(.elsp, .rcs).rawValue
        f.write(id, elsp, 1)
        f.write(id, elsp, 2)
        f.write(id, Reg.gdrst.rawValue, 1 << 1)  // RENDER reset
        #expect(vgpu.elspPorts[0].writeIndex == 0)
    }

    @Test func hwsPGAMustLieInTheVGPUsSlices() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        let reg = MMIOOffset.ring(.hwsPGA, .rcs).rawValue
        let inAperture = vgpu.slices.aperture.lowerBound + 0x3000
        f.write(id, reg, inAperture)
        #expect(vgpu.hwsPGA[0] == GraphicsAddress(inAperture) && f.read(id, reg) == inAperture)
        let inHidden = vgpu.slices.hidden.upperBound - 0x1000
        f.write(id, MMIOOffset.ring(.hwsPGA, .bcs).rawValue, inHidden)
        #expect(vgpu.hwsPGA[1] == GraphicsAddress(inHidden))
        // Hostile: the host's own graphics memory, another slice's last byte, the page
        // straddling the slice end.
        for bad in [UInt64(0x1000), vgpu.slices.aperture.upperBound, vgpu.slices.aperture.upperBound - 0x800] {
            f.write(id, reg, bad)
            #expect(vgpu.hwsPGA[0] == GraphicsAddress(inAperture) && f.read(id, reg) == inAperture)
        }
        #expect(f.accessErrors.count == 3 && f.accessErrors.allSatisfy { $0.2.contains("HWS_PGA") })
        f.write(id, reg, 0)  // 0 (disable) is accepted
        #expect(vgpu.hwsPGA[0] == 0)
        #expect(vgpu.failsafe == nil)
    }

    @Test func contextStatusPointerIsMaskedAndStartsEmpty() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let ptr = MMIOOffset.ring(.csbPointer, .rcs).rawValue
        #expect(f.read(id, ptr) == 0x7)
        f.write(id, ptr, 0x0700_0300)  // guest moves its read pointer to 3
        #expect(f.read(id, ptr) == 0x0307)
    }
}
