import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Forcewake: masked request, instant ack, hardware untouched.
@Suite struct ForcewakeHandlerTests {
    @Test func everyPairAcknowledgesAtOnceWithoutTouchingTheHost() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        for pair in MMIOHandlerTable.forcewakePairs {
            #expect(f.read(id, pair.ack.rawValue) == 0)
            f.write(id, pair.request.rawValue, 0x0001_0001)
            #expect(f.read(id, pair.request.rawValue) == 0x1)
            #expect(f.read(id, pair.ack.rawValue) == 0x1)
            f.write(id, pair.request.rawValue, 0x0004_0004)
            #expect(f.read(id, pair.ack.rawValue) == 0x5)
            f.write(id, pair.request.rawValue, 0x0001_0000)
            #expect(f.read(id, pair.ack.rawValue) == 0x4)
            f.write(id, pair.request.rawValue, 0x0000_FFFF)  // no mask bits: no change
            #expect(f.read(id, pair.ack.rawValue) == 0x4)
        }
        #expect(f.host.registerWrites.isEmpty)
        #expect(f.host.gpu.readRegister(Reg.forcewakeAckRender) == 0)
    }

    @Test func acknowledgementsAreReadOnly() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, Reg.forcewakeAckMedia.rawValue, 0xFFFF)
        #expect(f.read(id, Reg.forcewakeAckMedia.rawValue) == 0)
        #expect(f.accessErrors.count == 1)
    }
}
