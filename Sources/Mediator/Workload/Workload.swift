import GPUModel

/// One guest context's ring contents between HEAD and TAIL, turned into host work (GVT:
/// `struct intel_vgpu_workload`).
public struct Workload: Hashable, Sendable {
    /// Where the workload is in its life.
    public enum State: Hashable, Sendable {
        case queued
        case dispatched
        case completed
        /// Failed: scan rejected it, dispatch failed, or the engine hung (-EIO).
        case failed(String)
    }

    public let id: UInt64
    public let vgpu: VGPUID
    public let engine: EngineID
    /// The guest's context descriptor (from ELSP).
    public let descriptor: ContextDescriptor
    /// Guest-physical address of the guest context's register-state page.
    public let stateGPA: GuestPhysicalAddress
    /// Guest ring buffer: start (GGTT), size, and the HEAD..TAIL executed.
    public let ringStart: GraphicsAddress
    public let ringSize: UInt32
    public let head: UInt32
    public let tail: UInt32
    /// CONTEXT_CONTROL of the guest context.
    public let contextControl: UInt32
    /// The guest's PPGTT root (from the context's PDP slots).
    public let guestRoot: GuestPPGTTRoot
    /// This workload carries the ELSP submission (element 0) and its schedule-in.
    public let submission: ExeclistSubmission?
    /// The shadow PPGTT (a reference held until completion).
    public internal(set) var ppgtt: ShadowPPGTTHandle?
    /// The command parser's result, once scanned.
    public internal(set) var scan: ScanResult?
    public internal(set) var state: State = .queued
    /// The host descriptor it was submitted with.
    public internal(set) var hostDescriptor: ContextDescriptor?
    /// Host objects holding shadow batch buffers of this workload (freed at completion).
    public internal(set) var shadowBatches: [HostObject] = []
}

/// A vGPU's shadow context on one engine: the host copy of its context image and ring.
public struct ShadowContext: Hashable, Sendable {
    public let image: HostObject
    public let ring: HostObject
    /// Where the next workload's commands go in the shadow ring (bytes).
    public internal(set) var ringTail: UInt32 = 0
}
