import GPUModel
import Mediator

/// A guest vCPU: registers and the trap path for memory accesses that leave guest RAM.
///
/// `access(_:)` plays one guest instruction that touches memory: BAR0 traps (EPT
/// violation → capstone decode → MMIO request → mediator → result written back into the
/// destination register), writes to write-protected pages trap as write-protect requests,
/// RAM and the mapped aperture are accessed directly, as on hardware.
public final class VCPU {
    public let id: Int
    public let vm: VirtualMachine
    public var registers = VCPURegisters()
    unowned let hypervisor: Hypervisor

    public init(id: Int, vm: VirtualMachine, hypervisor: Hypervisor) {
        self.id = id
        self.vm = vm
        self.hypervisor = hypervisor
    }

    /// What one access did.
    public enum Outcome: Equatable {
        /// Trapped and emulated; the request as completed (reads carry the value).
        case trapped(IORequest)
        /// Went straight to RAM or the aperture.
        case direct
        /// Hit unmapped guest-physical space (reads return all ones, writes are dropped).
        case unmapped(UInt64)
    }

    /// Executes the memory-accessing instruction `bytes` at the current RIP and advances RIP.
    public func access(_ bytes: [UInt8]) throws(X86DecodeError) -> Outcome {
        let instruction = try hypervisor.decoder.decode(bytes)
        let address = instruction.memory.address(registers: registers, instructionLength: instruction.length)
        let outcome = perform(instruction, address: address, bytes: Array(bytes.prefix(instruction.length)))
        registers.rip &+= UInt64(instruction.length)
        return outcome
    }

    func perform(_ instruction: MMIOInstruction, address: UInt64, bytes: [UInt8]) -> Outcome {
        let size = instruction.size
        var value: UInt64 = 0
        if instruction.direction == .write { value = storedValue(instruction) }
        switch vm.region(of: address) {
        case .bar0(let offset) where vm.bar0Trapped:
            var request = IORequest(kind: .mmio, address: address, size: size, direction: instruction.direction,
                                    value: value, vcpu: id, rip: registers.rip, instruction: bytes)
            hypervisor.trap(&request, offset: offset, vm: vm)
            if instruction.direction == .read { complete(instruction, with: request.value) }
            return .trapped(request)
        case .bar0:
            if instruction.direction == .read { complete(instruction, with: ~0) }
            return .unmapped(address)
        case .aperture(let offset):
            guard let host = vm.apertureMap[GuestFrameNumber(offset >> 12)] else {
                if instruction.direction == .read { complete(instruction, with: ~0) }
                return .unmapped(address)
            }
            let gma = host.rawValue << 12 | (offset & 0xFFF)
            if instruction.direction == .read {
                let bytes = (try? hypervisor.gpu.apertureRead(gma, count: size).get()) ?? Array(repeating: 0xFF, count: size)
                complete(instruction, with: Self.littleEndian(bytes))
            } else {
                _ = hypervisor.guestApertureStore(vm.vgpu, gma: gma, bytes: Self.bytes(value, count: size))
            }
            return .direct
        case .ram:
            let gpa = GuestPhysicalAddress(address)
            if instruction.direction == .write, vm.trackedFrames.contains(gpa.frame) {
                var request = IORequest(kind: .writeProtect, address: address, size: size, direction: .write,
                                        value: value, vcpu: id, rip: registers.rip, instruction: bytes)
                hypervisor.trap(&request, offset: 0, vm: vm)
                return .trapped(request)
            }
            if instruction.direction == .read {
                let bytes = hypervisor.readGuest(vm.vgpu, gpa, count: size) ?? Array(repeating: 0xFF, count: size)
                complete(instruction, with: Self.littleEndian(bytes))
            } else {
                _ = hypervisor.guestStore(vm.vgpu, gpa, bytes: Self.bytes(value, count: size))
            }
            return .direct
        case .unmapped:
            if instruction.direction == .read { complete(instruction, with: ~0) }
            return .unmapped(address)
        }
    }

    /// The value a store writes (register or immediate), truncated to the access size.
    func storedValue(_ instruction: MMIOInstruction) -> UInt64 {
        let raw: UInt64
        switch instruction.source {
        case .register(let reg): raw = registers.read(reg)
        case .immediate(let imm): raw = imm
        case nil: raw = 0
        }
        return instruction.size == 8 ? raw : raw & ((1 << UInt64(instruction.size * 8)) - 1)
    }

    /// Writes a load's result into the destination register (with MOVZX/MOVSX widening).
    func complete(_ instruction: MMIOInstruction, with raw: UInt64) {
        guard let destination = instruction.destination else { return }
        let bits = UInt64(instruction.size * 8)
        var value = instruction.size == 8 ? raw : raw & ((1 << bits) - 1)
        if instruction.extension_ == .sign, instruction.size < 8, value & (1 << (bits - 1)) != 0 {
            value |= ~((1 << bits) - 1)
        }
        registers.write(destination, value)
    }

    static func littleEndian(_ bytes: [UInt8]) -> UInt64 {
        bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << UInt64($1.offset * 8) }
    }

    static func bytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64($0 * 8)) }
    }
}

extension Hypervisor {
    /// Hands a trapped request to the device model and completes it (ACRN: the emulation
    /// kthread's dispatch, then `acrn_ioreq_complete_request`).
    func trap(_ request: inout IORequest, offset: UInt64, vm: VirtualMachine) {
        trapCount += 1
        guard let engine else {
            if request.direction == .read { request.value = ~0 }
            return
        }
        let origin = TrapOrigin(vcpu: request.vcpu, rip: request.rip, instruction: request.instruction)
        switch request.kind {
        case .mmio:
            if request.direction == .read {
                request.value = engine.perform(.mmioRead(vm.vgpu, offset: offset, size: request.size, origin: origin)).value ?? ~0
            } else {
                engine.perform(.mmioWrite(vm.vgpu, offset: offset, size: request.size, value: request.value, origin: origin))
            }
        case .writeProtect:
            let gpa = GuestPhysicalAddress(request.address)
            engine.perform(.pageTrackWrite(vm.vgpu, gpa, bytes: VCPU.bytes(request.value, count: request.size), origin: origin))
        case .pciConfig:
            if request.direction == .read {
                let value = engine.perform(.configRead(vm.vgpu, offset: Int(request.address), size: request.size, origin: origin))
                request.value = value.value ?? 0xFFFF_FFFF
            } else {
                engine.perform(.configWrite(vm.vgpu, offset: Int(request.address), size: request.size,
                                            value: UInt32(truncatingIfNeeded: request.value), origin: origin))
            }
        case .portIO:
            break
        }
    }

    /// A PCI config access of device 0:2.0 (ACRN intercepts the BDF's config cycles).
    public func configAccess(_ vcpu: VCPU, offset: Int, size: Int, write value: UInt32? = nil) -> UInt32 {
        var request = IORequest(kind: .pciConfig, address: UInt64(offset), size: size,
                                direction: value == nil ? .read : .write, value: UInt64(value ?? 0),
                                vcpu: vcpu.id, rip: vcpu.registers.rip, instruction: [])
        trap(&request, offset: 0, vm: vcpu.vm)
        return UInt32(truncatingIfNeeded: request.value)
    }
}
