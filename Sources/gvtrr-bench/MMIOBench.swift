import GPUModel
import Hypervisor
import Mediator

/// Trapped MMIO accesses per second through `Mediator.emulateMMIORead/Write` with no
/// observer: a guest-driver-like mix of tracked rows (ring, forcewake, fences, masked
/// registers), a special block (PVINFO) and untracked registers, reads and writes.
func mmioTraps(rounds: Int) -> (traps: Int, seconds: Double) {
    let gpu = GPU()
    let mediator = Mediator(host: gpu, mpt: try! Hypervisor(gpu: gpu), clock: ManualClock())
    let id = try! mediator.createVGPU(type: .v5_4)
    _ = mediator.emulateMMIORead(id, offset: 0x78000, size: 8)  // read PVINFO: a GVT-aware guest
    // (offset, size, write value or nil for a read)
    let mix: [(UInt64, Int, UInt64?)] = [
        (0x2030, 4, 0x40), (0x2034, 4, nil),              // RCS RING_TAIL write, RING_HEAD read
        (0xA278, 4, 0x0001_0001), (0x0D84, 4, nil),       // forcewake request + ack
        (0x209C, 4, 0x0100_0100), (0x229C, 4, nil),       // MI_MODE (masked), GFX_MODE read
        (0x100000, 8, 0x0000_1FFF_0000_1001),             // fence 0 (programs the host fence)
        (0x9420, 4, 0x1), (0x9420, 4, nil),               // untracked
        (0x78010, 4, nil), (0x2358, 4, nil),              // PVINFO caps, RING_TIMESTAMP (from hardware)
        (0x2244, 4, 0x0001_0001), (0x4260, 4, 1),         // CONTEXT_CONTROL, TLB invalidate
    ]
    var sink: UInt64 = 0
    let seconds = measure {
        for _ in 0..<rounds {
            for (offset, size, value) in mix {
                if let value {
                    mediator.emulateMMIOWrite(id, offset: offset, size: size, value: value)
                } else {
                    sink &+= mediator.emulateMMIORead(id, offset: offset, size: size)
                }
            }
        }
    }
    precondition(sink != 42)
    return (rounds * mix.count, seconds)
}
