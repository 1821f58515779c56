import Foundation
import GPUModel
import Hypervisor
import Mediator

// Workloads per second through the whole submission path, one and two vGPUs:
//   ELSP write → workload creation → scan/audit → shadowing → scheduler dispatch →
//   GPU model run → completion → CSB emulation
//   swift run -c release gvtrr-bench workloads
// Each workload is a short ring: a GGTT store into the guest's own page, a PIPE_CONTROL
// with notify and a user interrupt. The guest driver below follows i915's vGPU steps the
// way the tests' TestGuest does (PVINFO read, PPGTT via g2v, HWS_PGA, execlists, ELSP).

/// A guest driver reduced to what the bench needs; its RAM is mapped at the start of its
/// aperture slice (GGTT page k of the slice → guest frame k).
struct BenchGuest {
    let mediator: Mediator
    let hypervisor: Hypervisor
    let id: VGPUID
    /// First graphics address of the aperture slice.
    let base: UInt64
    var descriptor = ContextDescriptor(rawValue: 0)
    var ringGMA: UInt64 = 0
    var tail: UInt32 = 0
    static let ringSize: UInt32 = 4 * 4096
    static let ramPages: UInt64 = 64

    init(_ mediator: Mediator, _ hypervisor: Hypervisor, type: VGPUType, engine: EngineID) {
        self.mediator = mediator
        self.hypervisor = hypervisor
        id = try! mediator.createVGPU(type: type)
        _ = try! hypervisor.createVM(vgpu: id, ramPages: Int(Self.ramPages))
        base = mediator.vgpu(id)!.slices.aperture.lowerBound
        _ = mediator.emulateMMIORead(id, offset: 0x78000, size: 8)  // PVINFO: a GVT-aware guest
        for page in 0..<Self.ramPages {
            mediator.emulateMMIOWrite(id, offset: BARLayout.ggttOffset + ((base >> 12) + page) * 8, size: 8,
                                      value: page << 12 | 1)
        }
        // An empty 4-level PPGTT at frame 1, announced through PVINFO (g2v L4 create).
        mediator.emulateMMIOWrite(id, offset: 0x78838, size: 4, value: 1 << 12)
        mediator.emulateMMIOWrite(id, offset: 0x7883C, size: 4, value: 0)
        mediator.emulateMMIOWrite(id, offset: 0x78818, size: 4, value: 4)
        // HWSP at page 2, execlists on.
        mediator.emulateMMIOWrite(id, offset: UInt64(MMIOOffset.ring(.hwsPGA, engine).rawValue), size: 4,
                                  value: base + 2 * 4096)
        mediator.emulateMMIOWrite(id, offset: UInt64(MMIOOffset.ring(.mode, engine).rawValue), size: 4,
                                  value: 0x8000_8000)
        // Context image from page 8, ring at pages 4...7.
        let lrca = GraphicsAddress(base + 8 * 4096)
        ringGMA = base + 4 * 4096
        let state = ContextImage.initialStatePage(engine: engine, ringStart: GraphicsAddress(ringGMA),
                                                  ringSize: Self.ringSize, pdps: [1 << 12, 0, 0, 0])
        write(state, at: lrca.rawValue + 4096)
        descriptor = ContextDescriptor(lrca: lrca, contextID: 1, addressingMode: .legacy64, privileged: true)
    }

    /// Writes dwords at a graphics address of the mapped RAM.
    func write(_ dwords: [UInt32], at gma: UInt64) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(dwords.count * 4)
        for dword in dwords { withUnsafeBytes(of: dword.littleEndian) { bytes += $0 } }
        _ = hypervisor.writeGuest(id, GuestPhysicalAddress(gma - base), bytes: bytes)
    }

    /// Appends one workload to the ring, updates RING_TAIL in the image and writes ELSP.
    mutating func submit(engine: EngineID, value: UInt32) {
        var commands = CommandEncoder.storeDataImmediate(GraphicsAddress(base + 3 * 4096), value, ggtt: true)
            + CommandEncoder.pipeControl(notify: true) + CommandEncoder.userInterrupt
        if commands.count % 2 == 1 { commands.append(0) }
        for dword in commands {
            write([dword], at: ringGMA + UInt64(tail))
            tail = (tail + 4) % Self.ringSize
        }
        write([tail], at: descriptor.lrca.rawValue + 4096 + UInt64(ContextImage.Slot.ringTail.valueByteOffset))
        let submission = ExeclistSubmission(element0: descriptor, element1: ContextDescriptor(rawValue: 0))
        let elsp = UInt64(MMIOOffset.ring(.elsp, engine).rawValue)
        for dword in submission.elspDwords { mediator.emulateMMIOWrite(id, offset: elsp, size: 4, value: UInt64(dword)) }
    }

    /// True while the guest has a workload queued or running on `engine`.
    func busy(_ engine: EngineID) -> Bool { !(mediator.vgpu(id)?.workloadQueues[engine.index].isEmpty ?? true) }
}

/// Workloads completed and the time taken, with `guests` vGPUs on the render engine. Each
/// round every idle guest submits one workload, then the host GPU runs and its events are
/// fed back; every 4 rounds the 1 ms scheduler timer fires (so two vGPUs take turns).
func workloadThroughput(guests count: Int, rounds: Int) -> (workloads: Int, seconds: Double) {
    let gpu = GPU()
    let hypervisor = try! Hypervisor(gpu: gpu)
    let clock = ManualClock()
    let mediator = Mediator(host: gpu, mpt: hypervisor, clock: clock)
    let engine = EngineID.rcs
    var guests = (0..<count).map { _ in BenchGuest(mediator, hypervisor, type: .v5_8, engine: engine) }
    var submitted = 0
    let seconds = measure {
        for round in 0..<rounds {
            for k in guests.indices where !guests[k].busy(engine) {
                submitted += 1
                guests[k].submit(engine: engine, value: UInt32(truncatingIfNeeded: submitted))
            }
            for _ in 0..<8 {
                _ = gpu.run(engine, until: .never)
                let events = gpu.drainEvents()
                if events.isEmpty { break }
                for event in events { mediator.handleHardwareEvent(event) }
            }
            for guest in guests { _ = hypervisor.takeMSIs(guest.id) }
            if round % 4 == 3 {
                clock.advance(by: 1_000_000)
                mediator.schedulerTimerFired()
            }
        }
    }
    let pending = guests.filter { $0.busy(engine) }.count
    return (submitted - pending, seconds)
}

/// Prints the workload figures.
func runWorkloadBench() {
    print("gvtrr-bench workloads (release build, one core, no observer)")
    for count in [1, 2] {
        _ = workloadThroughput(guests: count, rounds: 200)  // warm-up
        let w = workloadThroughput(guests: count, rounds: 40_000)
        precondition(w.workloads > 1_000, "only \(w.workloads) workloads completed")
        print(pad("workloads, \(count) vGPU\(count == 1 ? "" : "s") (full path)", 34)
              + String(format: "%.1f k workloads/s (%d workloads, %.3f s)",
                       Double(w.workloads) / w.seconds / 1e3, w.workloads, w.seconds))
    }
}
