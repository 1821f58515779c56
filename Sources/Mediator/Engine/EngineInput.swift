import GPUModel

/// One input of the engine (Mediator + GPU model): everything the engine consumes that it
/// did not produce itself (architecture.md, "The event model"). Live capture and replay both
/// drive the engine only through `Engine.perform(_:at:)` with these values, so replay calls
/// the same code in the same order with the same inputs.
public enum EngineInput: Hashable, Sendable {
    /// A trapped MMIO read of BAR0 (GVT: `intel_vgpu_emulate_mmio_read`).
    case mmioRead(VGPUID, offset: UInt64, size: Int, origin: TrapOrigin?)
    /// A trapped MMIO write of BAR0 (GVT: `intel_vgpu_emulate_mmio_write`).
    case mmioWrite(VGPUID, offset: UInt64, size: Int, value: UInt64, origin: TrapOrigin?)
    /// A PCI configuration read (GVT: `intel_vgpu_emulate_cfg_read`).
    case configRead(VGPUID, offset: Int, size: Int, origin: TrapOrigin?)
    /// A PCI configuration write (GVT: `intel_vgpu_emulate_cfg_write`).
    case configWrite(VGPUID, offset: Int, size: Int, value: UInt32, origin: TrapOrigin?)
    /// A guest store to a write-protected page (ACRN: REQ_WP; GVT: `intel_vgpu_page_track_handler`).
    /// If the mediator does not track the page, the store lands in guest memory as is.
    case pageTrackWrite(VGPUID, GuestPhysicalAddress, bytes: [UInt8], origin: TrapOrigin?)
    /// The content of a host page a guest wrote (plain, untrapped stores to its RAM or through
    /// the aperture) since the engine last ran: the engine reads it, so it is an input.
    case guestPage(PageFrameNumber, writer: VGPUID, bytes: [UInt8])
    /// Create a vGPU of a type and give its VM `ramPages` pages of host memory as RAM
    /// (GVT: `intel_gvt_create_vgpu`; ACRN: the VM's memory map).
    case createVGPU(type: String, ramPages: Int)
    /// Destroy a vGPU and return its VM's RAM (GVT: `intel_gvt_destroy_vgpu`).
    case destroyVGPU(VGPUID)
    /// A device-model-level reset of a vGPU (GVT: `intel_gvt_reset_vgpu`).
    case resetVGPU(VGPUID)
    /// GVT's 1 ms scheduler tick (`tbs_sched_func`).
    case schedulerTick
    /// The vblank emulation timer (fires the vblank if some pipe needs it).
    case vblankTick
    /// The hangcheck timer: the GPU checks its engines and reports hangs.
    case hangcheckTick
    /// The GPU thread's slice: busy engines run up to the entry's time, the GPU's clock
    /// catches up, and the GPU's events are delivered to the mediator.
    case gpuSlice

    /// The vGPU this input concerns (nil for timers and the GPU).
    public var vgpu: VGPUID? {
        switch self {
        case .mmioRead(let id, _, _, _), .mmioWrite(let id, _, _, _, _), .configRead(let id, _, _, _),
             .configWrite(let id, _, _, _, _), .pageTrackWrite(let id, _, _, _), .destroyVGPU(let id), .resetVGPU(let id):
            return id
        case .guestPage(_, let writer, _): return writer
        case .createVGPU, .schedulerTick, .vblankTick, .hangcheckTick, .gpuSlice: return nil
        }
    }
}

/// What performing an input gave back to its caller.
public enum EngineResult: Hashable, Sendable {
    /// Nothing (writes, timers).
    case none
    /// The value a read returned to the guest.
    case value(UInt64)
    /// A vGPU created, with the host frames of its VM's RAM (guest frame k → `frames[k]`).
    case created(VGPUID, frames: [PageFrameNumber])
    /// The input was refused (e.g. no resources for a vGPU), and why.
    case refused(String)

    /// The value of a read, or nil.
    public var value: UInt64? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// Watches the engine's inputs (the recorder). Called inside the engine's order: first
/// `willPerform`, then every mediator event the input causes (through `MediatorObserver`),
/// then `didPerform` with the result.
public protocol EngineInputObserver: AnyObject {
    /// An input is about to be performed at `time` (the entry's clock reading).
    func engine(_ engine: Engine, willPerform input: EngineInput, at time: VirtualTime)
    /// The input was performed and gave `result`.
    func engine(_ engine: Engine, didPerform input: EngineInput, result: EngineResult)
}
