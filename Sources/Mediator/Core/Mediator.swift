import GPUModel

/// The GVT-g device model for a Gen9 GPU (GVT: `struct intel_gvt` and the ops the
/// hypervisor calls: `emulate_mmio_read/write`, `emulate_cfg_read/write`,
/// `write_protect_handler`, `vgpu_create/destroy/reset`).
///
/// The mediator is single-threaded: live capture serialises every entry behind one lock,
/// replay calls it from one thread. Concerns live in folders, as in GVT's sources:
/// `MMIO/` (handlers.c, mmio.c), `GTT/` (gtt.c), `Interrupts/` (interrupt.c),
/// `Display/` (display.c), `VGPU/` (vgpu.c, aperture_gm.c, cfg_space.c).
public final class Mediator {
    /// The configuration this mediator was built with.
    public let configuration: MediatorConfiguration
    /// The physical GPU.
    public let host: HostGPUPort
    /// The hypervisor.
    public let mpt: MPTPort
    /// Where time comes from.
    public let clock: MediatorClock
    /// Who watches (the recorder, the replayer's checker); nil costs nothing.
    public var observer: MediatorObserver?
    /// The register catalogue handlers attach to.
    public let catalogue: RegisterCatalogue
    /// The MMIO handler table (GVT: the mmio info hash + attribute array).
    public let handlers: MMIOHandlerTable
    /// vGPUs by id (index 0 is the idle vGPU, never a guest).
    public internal(set) var vgpus: [VGPU?] = Array(repeating: nil, count: VGPUID.limit)
    /// Graphics memory and fence bookkeeping.
    public internal(set) var resources: ResourceAllocator
    /// Per engine (`EngineID.index`), the vGPU whose context currently runs on it, nil = the
    /// host (GVT: `scheduler.engine_owner[]`); set by the submission half.
    public internal(set) var engineOwners = [VGPUID?](repeating: nil, count: EngineID.count)
    /// Host graphics memory for shadow contexts, rings, batches and host status pages.
    public internal(set) var hostArena: HostShadowArena
    /// The workload each host engine is executing (GVT: `scheduler->current_workload[]`).
    public internal(set) var currentWorkloads = [Workload?](repeating: nil, count: EngineID.count)
    /// Host status page per engine, set up at the first dispatch.
    var hostStatusPages = [HostObject?](repeating: nil, count: EngineID.count)
    /// Next workload id (journaled with the workload).
    var nextWorkloadID: UInt64 = 1
    /// GVT's workload scheduler (policy from the configuration).
    public internal(set) var scheduler: Scheduler
    /// The host's engine registers and MOCS saved by the MMIO context switch, restored when an
    /// engine returns to the host (GVT: `engine_mmio.value`, `gen9_render_mocs`).
    public internal(set) var hostMMIO = HostMMIOSnapshot()

    /// Builds a mediator over a host GPU and a hypervisor.
    public init(configuration: MediatorConfiguration = MediatorConfiguration(), host: HostGPUPort, mpt: MPTPort,
                clock: MediatorClock) {
        self.configuration = configuration
        self.host = host
        self.mpt = mpt
        self.clock = clock
        self.catalogue = .gen9
        self.handlers = MMIOHandlerTable.gen9
        self.resources = ResourceAllocator(configuration: configuration, apertureSize: host.hostApertureSize)
        // The host's own hidden reservation holds the mediator's shadow objects.
        let highBase = host.hostApertureSize
        self.hostArena = HostShadowArena(range: highBase..<(highBase + configuration.hostHighGMSize))
        self.scheduler = Scheduler(configuration: configuration)
    }

    /// The vGPU with `id`, if it exists.
    public func vgpu(_ id: VGPUID) -> VGPU? {
        guard id.rawValue > 0 && id.rawValue < vgpus.count else { return nil }
        return vgpus[id.rawValue]
    }

    /// Ids of the existing guest vGPUs, ascending.
    public var vgpuIDs: [VGPUID] { vgpus.compactMap { $0?.id } }

    // MARK: Observation

    /// Reports an event to the observer; the event is only built when one is attached.
    @inline(__always)
    func emit(_ event: @autoclosure () -> MediatorEvent) {
        if let observer { observer.mediator(self, observed: event()) }
    }

    /// Reads the clock; the reading is an input and is observed.
    public func now() -> VirtualTime {
        let time = clock.now()
        emit(.clock(time))
        return time
    }

    // MARK: Guest memory (the only way the mediator reads a guest)

    /// Reads guest memory through the MPT port; the content is observed (it is an input).
    public func readGuest(_ vgpu: VGPU, _ address: GuestPhysicalAddress, count: Int) -> [UInt8]? {
        let bytes = mpt.readGuest(vgpu.id, address, count: count)
        if let bytes { emit(.guestMemoryRead(vgpu.id, address, bytes: bytes)) }
        return bytes
    }

    /// Reads a little-endian qword of guest memory.
    public func readGuest64(_ vgpu: VGPU, _ address: GuestPhysicalAddress) -> UInt64? {
        guard let bytes = readGuest(vgpu, address, count: 8) else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
    }

    /// Reads a little-endian dword of guest memory.
    public func readGuest32(_ vgpu: VGPU, _ address: GuestPhysicalAddress) -> UInt32? {
        guard let bytes = readGuest(vgpu, address, count: 4) else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian
    }

    // MARK: Failsafe

    /// Puts a vGPU into failsafe (GVT: `enter_failsafe_mode`); only a device-model-level
    /// reset clears it.
    public func enterFailsafe(_ vgpu: VGPU, _ reason: FailsafeReason, detail: String) {
        guard vgpu.failsafe == nil else { return }
        vgpu.failsafe = reason
        emit(.failsafe(vgpu.id, reason, detail: detail))
    }
}
