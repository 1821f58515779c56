import GPUModel
import Mediator

/// The hypervisor as replay sees it: no guests and no vCPUs, only what the mediator asks of
/// its MPT port. Guest RAM is the host frames the engine allocated for each vGPU (rebuilt
/// from the journal's create requests), so guest-memory reads and writes land where they
/// did live; page tracking, aperture mappings and trap areas are kept for inspection; MSIs
/// are counted (the mediator reports them as outputs).
///
/// It is also the isolation oracle's ownership source in replay: a frame of a vGPU's RAM
/// belongs to that vGPU, any other allocated frame to the host.
public final class ReplayHypervisor: MPTPort, MemoryOwnership {
    /// The GPU model whose memory backs guest RAM.
    public let gpu: GPU
    /// Guest frame k → host frame, per vGPU.
    public private(set) var ram: [VGPUID: [PageFrameNumber]] = [:]
    /// Write-protected guest frames, per vGPU.
    public private(set) var tracked: [VGPUID: Set<GuestFrameNumber>] = [:]
    /// MSIs the mediator injected.
    public private(set) var msiCount = 0
    /// Per host frame: 0 = no VM, else vGPU id + 1.
    private var frameOwners = ContiguousArray<UInt8>()

    /// What changes as replay goes (for checkpoints).
    public struct State: Sendable {
        let ram: [VGPUID: [PageFrameNumber]]
        let tracked: [VGPUID: Set<GuestFrameNumber>]
        let msiCount: Int
        let frameOwners: ContiguousArray<UInt8>
    }

    /// The current state.
    public var state: State { State(ram: ram, tracked: tracked, msiCount: msiCount, frameOwners: frameOwners) }

    /// Puts the state back.
    public func restore(_ state: State) {
        ram = state.ram
        tracked = state.tracked
        msiCount = state.msiCount
        frameOwners = state.frameOwners
    }

    /// A hypervisor over `gpu`'s memory with no VMs.
    public init(gpu: GPU) { self.gpu = gpu }

    /// Gives `vgpu` the RAM `frames` (what `Engine` allocated for it).
    public func addVM(_ vgpu: VGPUID, frames: [PageFrameNumber]) {
        ram[vgpu] = frames
        setOwner(frames, vgpu.rawValue + 1)
    }

    /// Forgets a VM (its frames go back to the host).
    public func removeVM(_ vgpu: VGPUID) {
        guard let frames = ram.removeValue(forKey: vgpu) else { return }
        tracked[vgpu] = nil
        setOwner(frames, 0)
    }

    private func setOwner(_ frames: [PageFrameNumber], _ value: Int) {
        if frameOwners.isEmpty { frameOwners = ContiguousArray(repeating: 0, count: Int(gpu.memory.frameCount)) }
        for frame in frames where frame.rawValue < UInt64(frameOwners.count) {
            frameOwners[Int(frame.rawValue)] = UInt8(truncatingIfNeeded: value)
        }
    }

    @inline(__always) private func frame(_ vgpu: VGPUID, _ gfn: UInt64) -> PageFrameNumber? {
        guard let frames = ram[vgpu], gfn < UInt64(frames.count) else { return nil }
        return frames[Int(gfn)]
    }

    // MARK: MPTPort

    public func readGuest(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, count: Int) -> [UInt8]? {
        guard ram[vgpu] != nil else { return nil }
        return gpu.memory.readScattered(address.rawValue, count: count) { self.frame(vgpu, $0) }
    }

    public func writeGuest(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, bytes: [UInt8]) -> Bool {
        guard ram[vgpu] != nil else { return false }
        return gpu.memory.writeScattered(address.rawValue, bytes: bytes) { self.frame(vgpu, $0) }
    }

    public func isValidGuestFrame(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> Bool { frame(vgpu, gfn.rawValue) != nil }

    public func hostFrame(_ vgpu: VGPUID, for gfn: GuestFrameNumber) -> PageFrameNumber? { frame(vgpu, gfn.rawValue) }

    public func enablePageTracking(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> Bool {
        guard frame(vgpu, gfn.rawValue) != nil else { return false }
        tracked[vgpu, default: []].insert(gfn)
        return true
    }

    public func disablePageTracking(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) { tracked[vgpu]?.remove(gfn) }

    public func injectMSI(_ vgpu: VGPUID, address: UInt64, data: UInt32) { msiCount += 1 }

    public func mapAperture(_ vgpu: VGPUID, guestFrame: GuestFrameNumber, hostFrame: PageFrameNumber, count: Int, map: Bool) {}

    public func setTrapArea(_ vgpu: VGPUID, start: GuestPhysicalAddress, end: GuestPhysicalAddress, map: Bool) {}

    // MARK: MemoryOwnership

    public func owner(of frame: PageFrameNumber) -> FrameOwner {
        guard frame.rawValue < gpu.memory.frameCount else { return .free }
        if frame.rawValue < UInt64(frameOwners.count), frameOwners[Int(frame.rawValue)] != 0 {
            return .guest(VGPUID(Int(frameOwners[Int(frame.rawValue)]) - 1))
        }
        return gpu.memory.isAllocated(frame) ? .host : .free
    }
}
