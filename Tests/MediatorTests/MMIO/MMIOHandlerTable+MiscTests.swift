import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// CSFE_CHICKEN1, PCODE mailbox, Broxton PPAT and the mirror blocks.
@Suite struct MiscHandlerTests {
    @Test func csfeCrossEngineBitsAreStrippedUnderCurrent() throws {
        let f = MMIOFixture(revision: .current)
        let id = try f.makeVGPU()
        f.write(id, 0x20D4, 0x0019_0019)  // bits 0, 3, 4
        #expect(f.read(id, 0x20D4) == 0x1)
        #expect(f.mediator.vgpu(id)?.failsafe == .unsupportedGuest)
        #expect(f.failsafes.count == 1)
    }

    @Test func csfeCrossEngineBitsPassUnderGVT2018() throws {
        let f = MMIOFixture(revision: .gvt2018)
        let id = try f.makeVGPU()
        f.write(id, 0x20D4, 0x0018_0018)
        #expect(f.read(id, 0x20D4) == 0x18)
        #expect(f.mediator.vgpu(id)?.failsafe == nil)
    }

    @Test func csfeOtherBitsAreFineUnderCurrent() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, 0x20D4, 0x0002_0002)
        f.write(id, 0x20D4, 0x0000_0018)  // bits without their mask: no change, no failsafe
        #expect(f.read(id, 0x20D4) == 0x2 && f.mediator.vgpu(id)?.failsafe == nil)
    }

    @Test func pcodeMemoryLatencyReadGetsBroxtonsCannedValues() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let mailbox = Reg.pcodeMailbox.rawValue
        f.write(id, Reg.pcodeData.rawValue, 0)
        f.write(id, mailbox, 0x8000_0006)
        #expect(f.read(id, Reg.pcodeData.rawValue) == 0x1608_0707)
        #expect(f.read(id, mailbox) & 0x8000_00FF == 0)  // ready, no error
        f.write(id, mailbox, 0x8000_0006)
        #expect(f.read(id, Reg.pcodeData.rawValue) == 0x1616_1616)
        f.write(id, Reg.pcodeData.rawValue, 0x10)
        f.write(id, mailbox, 0x8000_0005)  // RC6 VIDs
        #expect(f.read(id, Reg.pcodeData.rawValue) == 0x11)
        f.write(id, mailbox, 0x8000_0007)  // CDCLK change: ready at once
        #expect(f.read(id, mailbox) == 0)
        #expect(f.host.registerWrites.isEmpty)
    }

    @Test func broxtonPPATLowIsForced() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, Reg.privatePATLo.rawValue, 0x0303_0303)
        #expect(f.read(id, Reg.privatePATLo.rawValue) == 0x4000_0040)
        f.write(id, Reg.privatePATHi.rawValue, 0x0303_0303)
        #expect(f.read(id, Reg.privatePATHi.rawValue) == 0x0303_0303)
    }

    @Test func mirrorBlocksAreDefaultVirtualRegisters() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.write(id, 0x145948, 0x1234)  // an MCHBAR mirror register
        f.write(id, 0x80000, 0xABCD)  // CSR/DMC program
        #expect(f.read(id, 0x145948) == 0x1234 && f.read(id, 0x80000) == 0xABCD)
        #expect(vgpu.untrackedAccesses == 0)
        #expect(vgpu.wasAccessed(0x145948))
        #expect(f.host.registerWrites.isEmpty)
    }
}
