import GPUModel
import Mediator
import Testing
@testable import Hypervisor

/// The trap path end to end: guest instruction bytes → capstone → I/O request → mediator →
/// result in the destination register.
@Suite struct TrapPathTests {
    struct Rig {
        let gpu = GPU()
        let hypervisor: Hypervisor
        let engine: Engine
        var mediator: Mediator { engine.mediator }
        let vm: VirtualMachine
        let vcpu: VCPU

        init() throws {
            hypervisor = try Hypervisor(gpu: gpu)
            engine = Engine(gpu: gpu, mpt: hypervisor, timeSource: ManualClock())
            hypervisor.engine = engine
            let id = try engine.mediator.createVGPU(type: .v5_4)
            vm = try hypervisor.createVM(vgpu: id, ramPages: 64)
            hypervisor.setTrapArea(id, start: GuestPhysicalAddress(vm.bar0Base),
                                   end: GuestPhysicalAddress(vm.bar0Base + BARLayout.gttmmadrSize), map: true)
            vcpu = VCPU(id: 0, vm: vm, hypervisor: hypervisor)
        }
    }

    @Test func writelThenReadlRoundTripThroughTheMediator() throws {
        let rig = try Rig()
        let register: UInt64 = 0xB118  // a plain register the mediator keeps in its vregs
        rig.vcpu.registers[.rdi] = rig.vm.bar0Base + register
        rig.vcpu.registers[.rsi] = 0xCAFE_F00D
        guard case .trapped(let write) = try rig.vcpu.access([0x89, 0x37]) else {  // mov [rdi], esi
            Issue.record("BAR0 write must trap")
            return
        }
        #expect(write.kind == .mmio && write.direction == .write && write.size == 4 && write.value == 0xCAFE_F00D)
        #expect(write.instruction == [0x89, 0x37])
        rig.vcpu.registers[.rax] = 0xFFFF_FFFF_FFFF_FFFF
        guard case .trapped(let read) = try rig.vcpu.access([0x8B, 0x07]) else {  // mov eax, [rdi]
            Issue.record("BAR0 read must trap")
            return
        }
        #expect(read.value == 0xCAFE_F00D)
        #expect(rig.vcpu.registers[.rax] == 0xCAFE_F00D)  // 32-bit load zero-extends
        #expect(rig.vcpu.registers.rip == 4)
        #expect(rig.hypervisor.trapCount == 2)
    }

    @Test func theMediatorObservesTheGuestInstructionBehindATrap() throws {
        let rig = try Rig()
        final class Log: MediatorObserver {
            var events: [MediatorEvent] = []
            func mediator(_ mediator: Mediator, observed event: MediatorEvent) { events.append(event) }
        }
        let log = Log()
        rig.mediator.observer = log
        rig.vcpu.registers.rip = 0xFFFF_FFFF_8100_0000
        rig.vcpu.registers[.rdi] = rig.vm.bar0Base + 0x2030
        _ = try rig.vcpu.access([0x8B, 0x07, 0x90])
        let origin = TrapOrigin(vcpu: 0, rip: 0xFFFF_FFFF_8100_0000, instruction: [0x8B, 0x07])
        #expect(log.events.contains { event in
            if case let .mmioRead(_, offset, 4, _, o) = event { offset == 0x2030 && o == origin } else { false }
        })
    }

    @Test func immediateStoreAndByteLoadWithExtension() throws {
        let rig = try Rig()
        rig.vcpu.registers[.rax] = rig.vm.bar0Base
        _ = try rig.vcpu.access([0xC7, 0x80, 0x18, 0xB1, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00])  // mov dword [rax+0xb118], 0x80
        rig.vcpu.registers[.rdi] = rig.vm.bar0Base + 0xB118
        _ = try rig.vcpu.access([0x48, 0x63, 0x07])  // movsxd rax, dword [rdi]
        #expect(rig.vcpu.registers[.rax] == 0x80)
        _ = try rig.vcpu.access([0x0F, 0xB6, 0x07])  // movzx eax, byte [rdi]
        #expect(rig.vcpu.registers[.rax] == 0x80)
    }

    @Test func ramAccessesDoNotTrapUnlessWriteProtected() throws {
        let rig = try Rig()
        rig.vcpu.registers[.rdi] = 0x3000
        rig.vcpu.registers[.rsi] = 0x1234_5678_9ABC_DEF0
        #expect(try rig.vcpu.access([0x48, 0x89, 0x37]) == .direct)  // mov [rdi], rsi
        #expect(rig.hypervisor.readGuest(rig.vm.vgpu, 0x3000, count: 8) == [0xF0, 0xDE, 0xBC, 0x9A, 0x78, 0x56, 0x34, 0x12])
        #expect(rig.hypervisor.enablePageTracking(rig.vm.vgpu, 3))
        guard case .trapped(let request) = try rig.vcpu.access([0x48, 0x89, 0x37]) else {
            Issue.record("a write to a tracked page must trap")
            return
        }
        #expect(request.kind == .writeProtect)
        // Not handled by the mediator (no shadow table there): the hypervisor completes the write.
        #expect(rig.hypervisor.readGuest(rig.vm.vgpu, 0x3000, count: 1) == [0xF0])
        rig.hypervisor.disablePageTracking(rig.vm.vgpu, 3)
        #expect(try rig.vcpu.access([0x48, 0x89, 0x37]) == .direct)
    }

    @Test func untrappedBARAndUnmappedSpaceAreHarmless() throws {
        let rig = try Rig()
        rig.hypervisor.setTrapArea(rig.vm.vgpu, start: 0, end: 0, map: false)
        rig.vcpu.registers[.rdi] = rig.vm.bar0Base
        #expect(try rig.vcpu.access([0x8B, 0x07]) == .unmapped(rig.vm.bar0Base))
        #expect(rig.vcpu.registers[.rax] == 0xFFFF_FFFF)
        rig.vcpu.registers[.rdi] = 0x7_0000_0000
        #expect(try rig.vcpu.access([0x89, 0x37]) == .unmapped(0x7_0000_0000))
        #expect(throws: X86DecodeError.self) { try rig.vcpu.access([0x01, 0xC3]) }
    }

    @Test func guestMemoryBoundsAreEnforced() throws {
        let rig = try Rig()
        #expect(rig.hypervisor.readGuest(rig.vm.vgpu, GuestPhysicalAddress(64 << 12), count: 1) == nil)
        #expect(!rig.hypervisor.writeGuest(rig.vm.vgpu, GuestPhysicalAddress((64 << 12) - 2), bytes: [1, 2, 3, 4]))
        #expect(rig.hypervisor.readGuest(rig.vm.vgpu, GuestPhysicalAddress((64 << 12) - 2), count: 2) == [0, 0])
        #expect(!rig.hypervisor.isValidGuestFrame(rig.vm.vgpu, 64))
        #expect(rig.hypervisor.hostFrame(rig.vm.vgpu, for: 63) == rig.vm.ram[63])
    }

    @Test func msisQueueForTheGuest() throws {
        let rig = try Rig()
        rig.hypervisor.injectMSI(rig.vm.vgpu, address: 0xFEE0_0000, data: 0x41)
        #expect(rig.hypervisor.takeMSIs(rig.vm.vgpu).map(\.data) == [0x41])
        #expect(rig.hypervisor.takeMSIs(rig.vm.vgpu).isEmpty)
    }
}

/// The hypervisor's ownership answers for the isolation oracle.
@Suite struct HypervisorOwnershipTests {
    @Test func framesBelongToTheirVMUntilDestroyed() throws {
        let rig = try TrapPathTests.Rig()
        let frame = rig.vm.ram[5]
        #expect(rig.hypervisor.owner(of: frame) == .guest(rig.vm.vgpu))
        let hostFrame = rig.gpu.memory.allocateFrame()!
        #expect(rig.hypervisor.owner(of: hostFrame) != .guest(rig.vm.vgpu))
        rig.hypervisor.destroyVM(rig.vm.vgpu)
        #expect(rig.hypervisor.owner(of: frame) != .guest(rig.vm.vgpu))
    }
}
