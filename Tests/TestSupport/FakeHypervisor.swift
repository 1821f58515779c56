import GPUModel
import Mediator

/// A test hypervisor (the MPT port's second implementation beside the real one): guest
/// memory is a map of guest frames to host frames of the GPU model's memory; page
/// tracking, MSIs and aperture mappings are recorded for inspection.
public final class FakeHypervisor: MPTPort {
    public let memory: PhysicalMemory
    /// Guest frame → host frame, per vGPU.
    public private(set) var guestFrames: [VGPUID: [GuestFrameNumber: PageFrameNumber]] = [:]
    /// Tracked (write-protected) guest frames, per vGPU.
    public private(set) var tracked: [VGPUID: Set<GuestFrameNumber>] = [:]
    /// MSIs injected, in order.
    public private(set) var msis: [(VGPUID, UInt64, UInt32)] = []
    /// Aperture mappings requested, in order.
    public private(set) var apertureMappings: [(VGPUID, GuestFrameNumber, PageFrameNumber, Int, Bool)] = []
    /// Trap areas requested, in order.
    public private(set) var trapAreas: [(VGPUID, GuestPhysicalAddress, GuestPhysicalAddress, Bool)] = []
    /// Host frame → the vGPU whose guest memory it backs (the reverse of `guestFrames`).
    public private(set) var frameOwners: [PageFrameNumber: VGPUID] = [:]

    public init(memory: PhysicalMemory) { self.memory = memory }

    /// Gives `vgpu` `count` guest frames starting at `first`, backed by fresh host frames.
    public func addGuestMemory(_ vgpu: VGPUID, first: GuestFrameNumber = 0, count: Int) {
        var map = guestFrames[vgpu, default: [:]]
        for k in 0..<count {
            let frame = memory.allocateFrame()!
            map[GuestFrameNumber(first.rawValue + UInt64(k))] = frame
            frameOwners[frame] = vgpu
        }
        guestFrames[vgpu] = map
    }

    /// Gives `vgpu` guest memory backed by `frames` (guest frame k → `frames[k]`), e.g. the
    /// RAM an `Engine` allocated for it.
    public func adoptGuestMemory(_ vgpu: VGPUID, frames: [PageFrameNumber]) {
        var map = guestFrames[vgpu, default: [:]]
        for (k, frame) in frames.enumerated() {
            map[GuestFrameNumber(UInt64(k))] = frame
            frameOwners[frame] = vgpu
        }
        guestFrames[vgpu] = map
    }

    /// Host frame of a guest frame (test helper).
    public func backing(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> PageFrameNumber? { guestFrames[vgpu]?[gfn] }

    /// Writes guest memory directly, as the guest CPU does (no trap).
    public func guestWrite(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, bytes: [UInt8]) {
        precondition(writeGuest(vgpu, address, bytes: bytes), "guest write outside guest memory")
    }

    /// Writes a little-endian qword of guest memory directly.
    public func guestWrite64(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, _ value: UInt64) {
        guestWrite(vgpu, address, bytes: withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }

    public func readGuest(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, count: Int) -> [UInt8]? {
        let map = guestFrames[vgpu]
        return memory.readScattered(address.rawValue, count: count) { map?[GuestFrameNumber($0)] }
    }

    public func writeGuest(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, bytes: [UInt8]) -> Bool {
        let map = guestFrames[vgpu]
        return memory.writeScattered(address.rawValue, bytes: bytes) { map?[GuestFrameNumber($0)] }
    }

    public func isValidGuestFrame(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> Bool { guestFrames[vgpu]?[gfn] != nil }
    public func hostFrame(_ vgpu: VGPUID, for gfn: GuestFrameNumber) -> PageFrameNumber? { guestFrames[vgpu]?[gfn] }

    public func enablePageTracking(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> Bool {
        guard isValidGuestFrame(vgpu, gfn) else { return false }
        tracked[vgpu, default: []].insert(gfn)
        return true
    }

    public func disablePageTracking(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) { tracked[vgpu]?.remove(gfn) }

    /// True if `gfn` is write-protected for `vgpu`.
    public func isTracked(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> Bool { tracked[vgpu]?.contains(gfn) ?? false }

    public func injectMSI(_ vgpu: VGPUID, address: UInt64, data: UInt32) { msis.append((vgpu, address, data)) }

    public func mapAperture(_ vgpu: VGPUID, guestFrame: GuestFrameNumber, hostFrame: PageFrameNumber, count: Int, map: Bool) {
        apertureMappings.append((vgpu, guestFrame, hostFrame, count, map))
    }

    public func setTrapArea(_ vgpu: VGPUID, start: GuestPhysicalAddress, end: GuestPhysicalAddress, map: Bool) {
        trapAreas.append((vgpu, start, end, map))
    }
}

/// Ownership from the guest-frame map (the isolation oracle's independent source).
extension FakeHypervisor: MemoryOwnership {
    /// `.guest` for a frame backing guest memory, `.host` for other allocated frames,
    /// `.free` otherwise (and beyond memory).
    public func owner(of frame: PageFrameNumber) -> FrameOwner {
        guard frame.rawValue < memory.frameCount else { return .free }
        if let vgpu = frameOwners[frame] { return .guest(vgpu) }
        return memory.isAllocated(frame) ? .host : .free
    }
}

/// An observer that keeps every mediator event (tests).
public final class EventLog: MediatorObserver {
    public private(set) var events: [MediatorEvent] = []
    public init() {}
    public func mediator(_ mediator: Mediator, observed event: MediatorEvent) { events.append(event) }
    /// Forgets what was seen.
    public func clear() { events.removeAll() }
}

/// A GPU, a fake hypervisor, a manual clock and a mediator over them.
public struct MediatorFixture {
    public let gpu: GPU
    public let hypervisor: FakeHypervisor
    public let clock: ManualClock
    public let mediator: Mediator
    public let log = EventLog()

    public init(configuration: MediatorConfiguration = MediatorConfiguration(), gpu: GPUConfiguration = .apolloLake) {
        self.gpu = GPU(configuration: gpu)
        hypervisor = FakeHypervisor(memory: self.gpu.memory)
        clock = ManualClock()
        mediator = Mediator(configuration: configuration, host: self.gpu, mpt: hypervisor, clock: clock)
        mediator.observer = log
    }

    /// Creates a vGPU of `type` with `guestPages` pages of guest memory at gfn 0.
    public func makeVGPU(_ type: VGPUType = .v5_4, guestPages: Int = 256) throws -> VGPUID {
        let id = try mediator.createVGPU(type: type)
        hypervisor.addGuestMemory(id, count: guestPages)
        return id
    }
}
