import GPUModel

/// One guest's virtual GPU (GVT: `struct intel_vgpu`): its virtual registers, config
/// space, graphics-memory slices, fences and the per-concern state the folders keep.
/// A class: it has identity, and every concern mutates it in place.
public final class VGPU {
    public let id: VGPUID
    public let type: VGPUType
    /// The vGPU's graphics memory.
    public let slices: GraphicsMemorySlices
    /// Host fence ids reserved for guest fences 0..<count.
    public let hostFences: [Int]
    /// Virtual registers (GVT: vreg, the 2 MiB array); raw storage, no hardware semantics.
    public internal(set) var vregs: RegisterFile
    /// Virtual PCI config space.
    public internal(set) var config: PCIConfigSpace
    /// What the config space's BARs map in the hypervisor (trap area, aperture).
    public internal(set) var bars = VirtualBARState()
    /// Set once the guest entered failsafe; cleared only by a device-model-level reset.
    public internal(set) var failsafe: FailsafeReason?
    /// The guest has read PVINFO (GVT: `pv_notified`).
    public internal(set) var pvNotified = false
    /// Per-engine HWS_PGA the guest programmed (GVT: `hws_pga[]`).
    public internal(set) var hwsPGA: [GraphicsAddress] = Array(repeating: 0, count: EngineID.count)
    /// Per-engine ELSP dword collectors (GVT: `execlist[ring].elsp_dwords`).
    public internal(set) var elspPorts: [ExeclistSubmitPort] = Array(repeating: ExeclistSubmitPort(), count: EngineID.count)
    /// Complete ELSP submissions not yet turned into workloads (the submission half takes them).
    public internal(set) var pendingSubmissions: [[ExeclistSubmission]] = Array(repeating: [], count: EngineID.count)
    /// Engines whose TLB invalidation is pending until the next switch to this vGPU.
    public internal(set) var pendingTLBInvalidate: EngineMask = []
    /// Engines being reset (GVT: `resetting_eng`).
    public internal(set) var resettingEngines: EngineMask = []
    /// Registers touched by this guest (GVT: F_ACCESSED), one bit per dword (128-byte leaves,
    /// 16 per group: the bitmap is small and its writes are scattered).
    public internal(set) var accessed = ChunkedArray<UInt64>(repeating: 0, count: Int(BARLayout.mmioSize) / 4 / 64,
                                                             chunkShift: 4, groupShift: 4)
    /// Accesses to offsets no handler row tracks (handled by the default vreg handlers).
    public internal(set) var untrackedAccesses = 0
    /// The guest's view of its GGTT and partial PTE writes.
    public internal(set) var ggtt = GuestGGTT()
    /// Shadow PPGTTs and the guest page tables they track.
    public internal(set) var ppgtt = PPGTTShadow()
    /// On the scheduler's run queue (GVT: `intel_vgpu_start_schedule` ran).
    public internal(set) var scheduled = false
    /// Emulated execlists, per engine.
    public internal(set) var execlists = [VirtualExeclist](repeating: VirtualExeclist(), count: EngineID.count)
    /// Workloads created from ELSP submissions and not yet completed, per engine (GVT:
    /// `workload_q_head`); the head may be executing on the host.
    public internal(set) var workloadQueues = [[Workload]](repeating: [], count: EngineID.count)
    /// The vGPU's shadow context and shadow ring per engine (host objects).
    public internal(set) var shadowContexts = [ShadowContext?](repeating: nil, count: EngineID.count)
    /// Virtual display state (monitor, pipes, vblank).
    public internal(set) var display = VirtualDisplay()
    /// Engines whose non-privileged (PPGTT) batch buffers the command parser scans too
    /// (GVT: `scan_nonprivbb`, set through debugfs; off by default).
    public internal(set) var scanNonPrivilegedBatches: EngineMask = []

    init(id: VGPUID, type: VGPUType, slices: GraphicsMemorySlices, hostFences: [Int], config: PCIConfigSpace) {
        self.id = id
        self.type = type
        self.slices = slices
        self.hostFences = hostFences
        self.vregs = RegisterFile(catalogue: .gen9)
        self.config = config
    }

    /// Marks a dword as touched by the guest. Only a first touch writes: a write to the
    /// copy-on-write bitmap costs uniqueness checks on every trap, and after a checkpoint
    /// copies its leaf.
    @inline(__always) func markAccessed(_ offset: MMIOOffset) {
        let dword = offset.dwordIndex
        let bit: UInt64 = 1 << UInt64(dword & 63)
        if accessed[dword >> 6] & bit == 0 { accessed[dword >> 6] |= bit }
    }

    /// True if the guest touched the dword at `offset`.
    public func wasAccessed(_ offset: MMIOOffset) -> Bool {
        let dword = offset.dwordIndex
        return accessed[dword >> 6] & (1 << UInt64(dword & 63)) != 0
    }
}
