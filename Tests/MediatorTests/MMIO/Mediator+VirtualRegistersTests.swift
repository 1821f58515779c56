import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Virtual register reset from the firmware snapshot.
@Suite struct VirtualRegistersTests {
    @Test func snapshotHoldsTheModelsResetValuesAndGVTsDefaults() {
        let snapshot = MMIOHandlerTable.firmwareRegisters
        let model = RegisterFile(catalogue: .gen9)
        #expect(snapshot[MMIOOffset.ring(.imr, .rcs)] == model[MMIOOffset.ring(.imr, .rcs)])
        for engine in EngineID.allCases {
            #expect(snapshot[.ring(.csbPointer, engine)] == 0x7)
            #expect(snapshot[.ring(.mode, engine)] == 0)
        }
        for pair in MMIOHandlerTable.forcewakePairs { #expect(snapshot[pair.ack] == 0) }
    }

    @Test func gtResetRestoresOnlyOffsetsBelow0x44200() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        vgpu.vregs[0x2030] = 0x1234  // RCS RING_TAIL
        vgpu.vregs[0x441FC] = 5  // last dword below the limit
        vgpu.vregs[0x44200] = 0x8000_0000  // master IRQ
        vgpu.vregs[0x70008] = 0x8000_0000  // PIPECONF_A
        f.mediator.resetVirtualRegisters(vgpu, deviceModelLevel: false)
        #expect(vgpu.vregs[0x2030] == 0 && vgpu.vregs[0x441FC] == 0)
        #expect(vgpu.vregs[0x44200] == 0x8000_0000 && vgpu.vregs[0x70008] == 0x8000_0000)
        f.mediator.resetVirtualRegisters(vgpu, deviceModelLevel: true)
        #expect(vgpu.vregs == MMIOHandlerTable.firmwareRegisters)
    }

    @Test func createStartsFromTheSnapshotPlusPVINFO() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        #expect(vgpu.vregs[MMIOOffset.ring(.csbPointer, .vcs)] == 0x7)
        #expect(vgpu.vregs.qword(PVInfo.magic) == PVInfo.magicValue)
        #expect(vgpu.untrackedAccesses == 0)
    }
}
