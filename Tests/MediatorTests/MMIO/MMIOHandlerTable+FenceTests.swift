import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Fences: guest fence i → the vGPU's host fence, out-of-range indexes refused.
@Suite struct FenceHandlerTests {
    let fence = FenceRegister(start: 0x0800_0000, end: 0x0810_0000, pitch: 4096, tilingY: false)

    @Test func validWriteProgramsTheVGPUsHostFence() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.readPVInfo(id)
        let lo = Reg.fence(2).rawValue
        f.write(id, lo + 4, UInt64(fence.hi))
        f.write(id, lo, UInt64(fence.lo))
        #expect(f.read(id, lo, size: 8) == fence.rawValue)
        let host = Reg.fence(vgpu.hostFences[2])
        #expect(f.host.gpu.registers.qword(host) == fence.rawValue)
        // i915's sequence for the last write: LO = 0, HI, LO.
        let last = f.host.registerWrites.suffix(3).map { $0.1 }
        #expect(last == [0, fence.hi, fence.lo])
        #expect(f.host.registerWrites.allSatisfy { $0.0 == host || $0.0 == host.advanced(by: 4) })
        let observed = f.log.events.filter { if case .hostRegisterWrite = $0 { true } else { false } }
        #expect(observed.count == 6)
        #expect(observed.last == .hostRegisterWrite(id, host, value: fence.lo))
        // Guest fence 2 of another vGPU lands on a different host fence.
        let other = try f.makeVGPU(.v5_8)
        #expect(f.mediator.vgpu(other)!.hostFences[2] != vgpu.hostFences[2])
    }

    @Test func fenceBeyondTheVGPUsCountBeforePVINFOIsAnUnsupportedGuest() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()  // 4 fences
        let lo = Reg.fence(4).rawValue
        f.write(id, lo, UInt64(fence.lo))
        #expect(f.mediator.vgpu(id)?.failsafe == .unsupportedGuest)
        #expect(f.failsafes.count == 1)
        #expect(f.host.registerWrites.isEmpty)
        #expect(f.accessErrors.first?.2.contains("fence 4 beyond") == true)
    }

    @Test func fenceBeyondTheVGPUsCountAfterPVINFOIsOnlyAnError() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.readPVInfo(id)
        let lo = Reg.fence(15).rawValue
        vgpu.vregs[MMIOOffset(lo)] = 0x5000  // whatever the vreg holds, a read gives 0
        #expect(f.read(id, lo) == 0)
        f.write(id, lo + 4, 0xFFFF_F000)
        #expect(vgpu.vregs[MMIOOffset(lo + 4)] == 0)
        #expect(vgpu.failsafe == nil)
        #expect(f.host.registerWrites.isEmpty)
        #expect(f.accessErrors.count == 2)
    }

    @Test func readBeforePVINFOAlsoTripsFailsafe() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        #expect(f.read(id, Reg.fence(9).rawValue + 4) == 0)
        #expect(f.mediator.vgpu(id)?.failsafe == .unsupportedGuest)
    }

    @Test func fencesPast16AreUntrackedVirtualRegisters() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, Reg.fence(20).rawValue, 0x1001)
        #expect(f.read(id, Reg.fence(20).rawValue) == 0x1001)
        #expect(f.host.registerWrites.isEmpty && f.mediator.vgpu(id)?.failsafe == nil)
    }

    @Test func resetFencesClearsGuestAndHostFences() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.readPVInfo(id)
        f.write(id, Reg.fence(1).rawValue, fence.rawValue, size: 8)
        #expect(f.host.gpu.registers.qword(Reg.fence(vgpu.hostFences[1])) == fence.rawValue)
        try f.mediator.resetVGPU(id, deviceModelLevel: true)
        #expect(f.read(id, Reg.fence(1).rawValue, size: 8) == 0)
        #expect(f.host.gpu.registers.qword(Reg.fence(vgpu.hostFences[1])) == 0)
        f.write(id, Reg.fence(3).rawValue, fence.rawValue, size: 8)  // valid index: no failsafe
        let hostFence = Reg.fence(vgpu.hostFences[3])
        #expect(f.host.gpu.registers.qword(hostFence) == fence.rawValue && vgpu.failsafe == nil)
        try f.mediator.destroyVGPU(id)
        #expect(f.host.gpu.registers.qword(hostFence) == 0)
    }
}
