import Foundation
import GPUModel
import Hypervisor
import Mediator

/// Trapped MMIO accesses per second through the full path a guest's access takes: the
/// faulting x86 instruction decoded (capstone behind the hypervisor's decode cache), the
/// hypervisor's I/O request, the mediator's MMIO emulation, and the result written back
/// into the vCPU's register. One VM on one thread, then four VMs on four threads entering
/// one engine lock (as the live bench does); plus the decode cache's hit rate.
enum TrapBench {
    /// One access of the mix: the instruction bytes, and the value register's content.
    struct Access {
        var bytes: [UInt8]
        var value: UInt64
    }

    /// `mov dword [rdi+disp32], esi` / `mov eax, dword [rdi+disp32]` / the qword forms.
    static func encode(offset: UInt32, size: Int, write: Bool) -> [UInt8] {
        var bytes: [UInt8] = size == 8 ? [0x48] : []
        bytes += write ? [0x89, 0xB7] : [0x8B, 0x87]
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: offset >> UInt32(8 * k))) }
        return bytes
    }

    /// The guest-driver-like mix of `mmioTraps` (ring, forcewake, masked, fence, untracked,
    /// PVINFO, timestamp, context control, TLB invalidate), as instructions.
    static let mix: [Access] = [
        (0x2030, 4, 0x40), (0x2034, 4, nil), (0xA278, 4, 0x0001_0001), (0x0D84, 4, nil), (0x209C, 4, 0x0100_0100),
        (0x229C, 4, nil), (0x100000, 8, 0x0000_1FFF_0000_1001), (0x9420, 4, 0x1), (0x9420, 4, nil), (0x78010, 4, nil),
        (0x2358, 4, nil), (0x2244, 4, 0x0001_0001), (0x4260, 4, 1),
    ].map { (offset: UInt32, size: Int, value: UInt64?) in
        Access(bytes: encode(offset: offset, size: size, write: value != nil), value: value ?? 0)
    }

    /// A GPU, hypervisor and mediator with `vms` VMs whose BAR0 is placed and decoded, each
    /// with a vCPU that has read PVINFO.
    static func machine(vms: Int) -> (Engine, Hypervisor, [VCPU]) {
        let gpu = GPU()
        let hypervisor = try! Hypervisor(gpu: gpu)
        let engine = Engine(gpu: gpu, mpt: hypervisor, timeSource: ManualClock())
        hypervisor.engine = engine
        let mediator = engine.mediator
        var vcpus: [VCPU] = []
        for k in 0..<vms {
            let id = try! mediator.createVGPU(type: .v5_8)
            let vm = try! hypervisor.createVM(vgpu: id, ramPages: 64)
            let vcpu = VCPU(id: k, vm: vm, hypervisor: hypervisor)
            let base = vm.bar0Base
            _ = hypervisor.configAccess(vcpu, offset: PCIConfigRegister.bar0, size: 4, write: UInt32(truncatingIfNeeded: base) | 0x4)
            _ = hypervisor.configAccess(vcpu, offset: PCIConfigRegister.bar0 + 4, size: 4, write: UInt32(truncatingIfNeeded: base >> 32))
            _ = hypervisor.configAccess(vcpu, offset: PCIConfigRegister.command, size: 2, write: 0x6)
            vcpu.registers[.rdi] = base
            _ = try! vcpu.access([0x48, 0x8B, 0x87, 0x00, 0x80, 0x07, 0x00])  // readq PVINFO magic
            vcpus.append(vcpu)
        }
        return (engine, hypervisor, vcpus)
    }

    /// Runs `rounds` of the mix on `vcpu`, each access inside `lock`; returns the traps taken.
    static func drive(_ vcpu: VCPU, rounds: Int, lock: NSLock) -> Int {
        var sink: UInt64 = 0
        var traps = 0
        for _ in 0..<rounds {
            for access in mix {
                lock.lock()
                vcpu.registers[.rsi] = access.value
                if case .trapped = try! vcpu.access(access.bytes) { traps += 1 }
                sink &+= vcpu.registers[.rax]
                lock.unlock()
            }
        }
        precondition(sink != 42 || traps >= 0)
        return traps
    }

    /// Prints the figures.
    static func run() {
        print("gvtrr-bench traps (release build; decode -> hypervisor -> mediator -> register)")
        let rounds = 100_000
        do {
            let (engine, hypervisor, vcpus) = machine(vms: 1)
            defer { withExtendedLifetime(engine) {} }  // the hypervisor holds it weakly
            let lock = NSLock()
            _ = drive(vcpus[0], rounds: 1_000, lock: lock)  // warm-up
            var traps = 0
            let seconds = measure { traps = drive(vcpus[0], rounds: rounds, lock: lock) }
            print(pad("1 VM, 1 thread", 34) + String(format: "%.2f M traps/s (%d traps, %.3f s)",
                  Double(traps) / seconds / 1e6, traps, seconds))
            print(pad("decode cache", 34) + String(format: "hit rate %.4f%% (%d hits, %d misses)",
                  hypervisor.decoder.hitRate * 100, hypervisor.decoder.hits, hypervisor.decoder.misses))
        }
        do {
            let (engine, hypervisor, vcpus) = machine(vms: 4)
            defer { withExtendedLifetime(engine) {} }
            let lock = NSLock()
            let counter = Counter()
            let seconds = measure {
                let group = DispatchGroup()
                for vcpu in vcpus {
                    group.enter()
                    let box = VCPUBox(vcpu: vcpu)
                    Thread {
                        let n = drive(box.vcpu, rounds: rounds / 4, lock: lock)
                        counter.add(n)
                        group.leave()
                    }.start()
                }
                group.wait()
            }
            print(pad("4 VMs, 4 threads, one lock", 34) + String(format: "%.2f M traps/s (%d traps, %.3f s)",
                  Double(counter.value) / seconds / 1e6, counter.value, seconds))
            print(pad("decode cache (4 VMs)", 34) + String(format: "hit rate %.4f%% (%d misses)",
                  hypervisor.decoder.hitRate * 100, hypervisor.decoder.misses))
        }
    }

    /// Hands a vCPU to its thread.
    final class VCPUBox: @unchecked Sendable {
        let vcpu: VCPU
        init(vcpu: VCPU) { self.vcpu = vcpu }
    }

    /// Traps counted by the threads.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var total = 0
        func add(_ n: Int) { lock.lock(); total += n; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return total }
    }
}

func runTrapBench() { TrapBench.run() }
