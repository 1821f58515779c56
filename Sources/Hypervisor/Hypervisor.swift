import GPUModel
import Mediator

/// ACRN-style mediated pass-through plumbing: VMs whose RAM is host frames of the GPU
/// model's memory, vCPUs whose MMIO accesses trap and are decoded with capstone, and the
/// MPT port the mediator uses (guest memory, page tracking, aperture mapping, MSI).
///
/// Not thread-safe: the live bench serialises every call behind the engine's lock.
public final class Hypervisor: MPTPort {
    /// The physical GPU (its memory backs guest RAM; its aperture backs BAR2).
    public let gpu: GPU
    /// The engine trapped accesses enter (set after both are built); without one, traps
    /// complete as unclaimed (reads all ones).
    public weak var engine: Engine?
    /// VMs by vGPU id.
    public private(set) var vms: [VGPUID: VirtualMachine] = [:]
    /// Instruction decoding with a cache keyed by instruction bytes.
    public let decoder: InstructionDecodeCache
    /// MSIs injected and not yet taken by the guest, per vGPU.
    public private(set) var pendingMSIs: [VGPUID: [(address: UInt64, data: UInt32)]] = [:]
    /// Trapped requests handled (statistics).
    public internal(set) var trapCount = 0
    /// Per host frame, the vGPU whose VM RAM it backs (0 = none): the reverse of the VMs'
    /// `ram`, kept for `MemoryOwnership`; sized on first use.
    var frameOwners = ContiguousArray<UInt8>()

    /// Guest-physical placement of the vGPU BARs (above 4 GiB of RAM, as a BIOS would).
    public static let defaultBAR0Base: UInt64 = 0x1_0000_0000 * 4
    public static let defaultBAR2Base: UInt64 = 0x1_0000_0000 * 5

    public init(gpu: GPU) throws(X86DecodeError) {
        self.gpu = gpu
        self.decoder = try InstructionDecodeCache()
    }

    /// Creates a VM for `vgpu` with `ramPages` pages of RAM allocated here from host memory
    /// (tests and micro-benchmarks; a bench gets the RAM from `Engine`'s `createVGPU` input
    /// so that replay allocates the same frames, and calls `createVM(vgpu:frames:)`).
    public func createVM(vgpu: VGPUID, ramPages: Int) throws(MediatorError) -> VirtualMachine {
        guard let frames = gpu.memory.allocateFrames(count: ramPages) ?? Optional((0..<ramPages).compactMap { _ in
            gpu.memory.allocateFrame()
        }), frames.count == ramPages else { throw .hostOutOfMemory }
        return createVM(vgpu: vgpu, frames: frames)
    }

    /// Creates a VM for `vgpu` whose RAM is `frames` (guest frame k → `frames[k]`).
    @discardableResult
    public func createVM(vgpu: VGPUID, frames: [PageFrameNumber]) -> VirtualMachine {
        let vm = VirtualMachine(id: vms.count + 1, vgpu: vgpu, ram: frames, bar0Base: Self.defaultBAR0Base,
                                bar2Base: Self.defaultBAR2Base, bar2Size: gpu.configuration.apertureSize)
        vms[vgpu] = vm
        setOwner(of: frames, to: vgpu)
        return vm
    }

    /// Removes a VM; `freeRAM` returns its RAM to the host (false when the engine owns it).
    public func destroyVM(_ vgpu: VGPUID, freeRAM: Bool = true) {
        guard let vm = vms.removeValue(forKey: vgpu) else { return }
        setOwner(of: vm.ram, to: nil)
        if freeRAM { for frame in vm.ram { gpu.memory.freeFrame(frame) } }
    }

    // MARK: Guest stores (untrapped)

    /// A guest's plain store to its RAM (no trap): the bytes land in the host frames behind
    /// `address`, and the engine hears which frames changed (their content is an input).
    /// False if the range is not all RAM of the VM.
    @discardableResult
    public func guestStore(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, bytes: [UInt8]) -> Bool {
        guard let vm = vms[vgpu], !bytes.isEmpty else { return false }
        guard writeGuest(vgpu, address, bytes: bytes) else { return false }
        if let engine {
            let first = address.rawValue >> 12, last = (address.rawValue + UInt64(bytes.count) - 1) >> 12
            for gfn in first...last {
                if let frame = vm.hostFrame(GuestFrameNumber(gfn)) { engine.noteGuestStore(frame, writer: vgpu) }
            }
        }
        return true
    }

    /// A guest's store through its aperture mapping to graphics address `gma` (BAR2 →
    /// GMADR → host GGTT): lands where the host GGTT points; the engine hears of the frame.
    @discardableResult
    public func guestApertureStore(_ vgpu: VGPUID, gma: UInt64, bytes: [UInt8]) -> Bool {
        guard case .success = gpu.apertureWrite(gma, bytes: bytes) else { return false }
        if let engine, !bytes.isEmpty {
            for page in (gma >> 12)...((gma + UInt64(bytes.count) - 1) >> 12) {
                if case .success(let address) = gpu.graphicsMemory.translate(GraphicsAddress(page << 12), in: .ggtt, write: true) {
                    engine.noteGuestStore(address.frame, writer: vgpu)
                }
            }
        }
        return true
    }

    /// Takes the MSIs pending for a guest (its interrupt handler runs for each).
    public func takeMSIs(_ vgpu: VGPUID) -> [(address: UInt64, data: UInt32)] {
        pendingMSIs.removeValue(forKey: vgpu) ?? []
    }

    // MARK: MPTPort

    public func readGuest(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, count: Int) -> [UInt8]? {
        guard let vm = vms[vgpu] else { return nil }
        return gpu.memory.readScattered(address.rawValue, count: count) { vm.hostFrame(GuestFrameNumber($0)) }
    }

    public func writeGuest(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, bytes: [UInt8]) -> Bool {
        guard let vm = vms[vgpu] else { return false }
        return gpu.memory.writeScattered(address.rawValue, bytes: bytes) { vm.hostFrame(GuestFrameNumber($0)) }
    }

    public func isValidGuestFrame(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> Bool { vms[vgpu]?.hostFrame(gfn) != nil }

    public func hostFrame(_ vgpu: VGPUID, for gfn: GuestFrameNumber) -> PageFrameNumber? { vms[vgpu]?.hostFrame(gfn) }

    public func enablePageTracking(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> Bool {
        guard let vm = vms[vgpu], vm.hostFrame(gfn) != nil else { return false }
        vm.trackedFrames.insert(gfn)
        return true
    }

    public func disablePageTracking(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) { vms[vgpu]?.trackedFrames.remove(gfn) }

    public func injectMSI(_ vgpu: VGPUID, address: UInt64, data: UInt32) {
        pendingMSIs[vgpu, default: []].append((address, data))
    }

    /// Maps guest BAR2 frames to host aperture pages. `hostFrame` is the page number of the
    /// host aperture (a graphics page number: the aperture is GMADR, reached through the GGTT).
    public func mapAperture(_ vgpu: VGPUID, guestFrame: GuestFrameNumber, hostFrame: PageFrameNumber, count: Int, map: Bool) {
        guard let vm = vms[vgpu], count > 0 else { return }
        for k in 0..<UInt64(count) {
            let gfn = GuestFrameNumber(guestFrame.rawValue + k)
            if map { vm.apertureMap[gfn] = PageFrameNumber(hostFrame.rawValue + k) } else { vm.apertureMap[gfn] = nil }
        }
    }

    public func setTrapArea(_ vgpu: VGPUID, start: GuestPhysicalAddress, end: GuestPhysicalAddress, map: Bool) {
        guard let vm = vms[vgpu] else { return }
        if map { vm.bar0Base = start.rawValue }
        vm.bar0Trapped = map
    }
}

/// Host memory ownership from the VMs' RAM (the isolation oracle's independent source).
extension Hypervisor: MemoryOwnership {
    /// `.guest` for a frame of a VM's RAM, `.host` for any other frame the host allocator
    /// holds, `.free` for the rest and for frames beyond physical memory.
    public func owner(of frame: PageFrameNumber) -> FrameOwner {
        guard frame.rawValue < gpu.memory.frameCount else { return .free }
        if frame.rawValue < UInt64(frameOwners.count), frameOwners[Int(frame.rawValue)] != 0 {
            return .guest(VGPUID(Int(frameOwners[Int(frame.rawValue)])))
        }
        return gpu.memory.isAllocated(frame) ? .host : .free
    }

    /// Records `frames` as RAM of `vgpu` (nil: of nobody).
    func setOwner(of frames: [PageFrameNumber], to vgpu: VGPUID?) {
        if frameOwners.isEmpty { frameOwners = ContiguousArray(repeating: 0, count: Int(gpu.memory.frameCount)) }
        let value = UInt8(truncatingIfNeeded: vgpu?.rawValue ?? 0)
        for frame in frames where frame.rawValue < UInt64(frameOwners.count) { frameOwners[Int(frame.rawValue)] = value }
    }
}
