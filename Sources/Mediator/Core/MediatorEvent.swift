import GPUModel

/// One observation of the mediator: an input it consumed or an output it produced, in the
/// order its state changed. The recorder journals these; replay compares the outputs.
public enum MediatorEvent: Hashable, Sendable {
    // MARK: Inputs (with the value returned, for reads)
    /// A trapped MMIO read of BAR0 (`offset` from BAR0), the value returned, and the guest
    /// instruction behind it (nil when the caller is not a trapping vCPU).
    case mmioRead(VGPUID, offset: UInt64, size: Int, value: UInt64, origin: TrapOrigin?)
    /// A trapped MMIO write of BAR0.
    case mmioWrite(VGPUID, offset: UInt64, size: Int, value: UInt64, origin: TrapOrigin?)
    /// A PCI config space read and the value returned.
    case configRead(VGPUID, offset: Int, size: Int, value: UInt32)
    /// A PCI config space write.
    case configWrite(VGPUID, offset: Int, size: Int, value: UInt32)
    /// A guest write to a write-protected (tracked) page.
    case pageTrackWrite(VGPUID, GuestPhysicalAddress, bytes: [UInt8])
    /// Guest memory the mediator read through the MPT port.
    case guestMemoryRead(VGPUID, GuestPhysicalAddress, bytes: [UInt8])
    /// A clock reading the mediator took.
    case clock(VirtualTime)
    /// A timer expired.
    case timer(TimerKind, VirtualTime)
    /// vGPU lifecycle requests.
    case vgpuCreated(VGPUID, type: String)
    case vgpuDestroyed(VGPUID)
    case vgpuReset(VGPUID, deviceModelLevel: Bool, engines: EngineMask)

    // MARK: Outputs
    /// A guest GGTT PTE write: guest entry and the host entry written.
    case ggttWrite(VGPUID, index: Int, guest: UInt64, host: UInt64)
    /// A guest GGTT PTE write that changed nothing on the host, and why.
    case ggttWriteIgnored(VGPUID, index: Int, guest: UInt64, reason: String)
    /// A shadow PPGTT entry changed: the guest entry and the shadow entry written.
    case shadowPPGTTWrite(VGPUID, table: PhysicalAddress, index: Int, guest: UInt64, shadow: UInt64)
    /// A host register the mediator wrote on a guest's behalf (fences, context switch).
    case hostRegisterWrite(VGPUID, MMIOOffset, value: UInt32)
    /// A virtual interrupt raised in a vGPU's registers.
    case virtualInterrupt(VGPUID, InterruptEvent)
    /// An MSI injected into a guest.
    case msiInjected(VGPUID, address: UInt64, data: UInt32)
    /// A vGPU entered failsafe.
    case failsafe(VGPUID, FailsafeReason, detail: String)
    /// A PVINFO g2v notification handled.
    case g2vNotification(VGPUID, code: UInt32)

    // MARK: MMIO concern
    /// A guest register access the mediator refused, dropped or only logged, and why (GVT:
    /// `gvt_vgpu_err` in the MMIO path: unaligned read, read-only register, fence index
    /// beyond the vGPU's fences, invalid HWS_PGA, non-whitelisted FORCE_TO_NONPRIV, invalid
    /// PVINFO read or write, unknown g2v code...).
    case mmioAccessError(VGPUID, MMIOOffset, size: Int, isWrite: Bool, reason: String)
    /// A PCI config space access refused (bad size or offset), and why.
    case configAccessError(VGPUID, offset: Int, size: Int, reason: String)
    /// The guest wrote PVINFO display_ready (GVT: uevent `GVT_DISPLAY_READY=<0/1>`).
    case displayReady(VGPUID, ready: Bool)
    // MARK: Graphics memory (GTT concern)
    /// A guest PPGTT entry (or root pointer) the mediator would not shadow, and why: a 1 GiB
    /// page, a table outside guest memory, no host page left. The shadow entry written is
    /// not present or scratch (reported by `shadowPPGTTWrite`). For a root pointer,
    /// `guestTable` is the pointer itself and `index` its PDP slot.
    case shadowPPGTTRefused(VGPUID, guestTable: GuestPhysicalAddress, index: Int, guest: UInt64, reason: String)
    /// A shadow PPGTT (GVT: `intel_vgpu_mm`) was built: the guest root pointers and the host
    /// root pointers that go into a shadow context (0 = not present).
    case shadowPPGTTCreated(VGPUID, guestRoots: [UInt64], shadowRoots: [UInt64])
    /// A shadow PPGTT's shadow tables were freed: "destroyed" (last reference dropped),
    /// "reclaimed" (LRU, host out of pages) or "invalidated" (vGPU reset or destroy).
    case shadowPPGTTReleased(VGPUID, guestRoots: [UInt64], reason: String)
    /// A shadow PPGTT request that did nothing, and why (destroy of an unknown root,
    /// creation failed for lack of host pages).
    case shadowPPGTTRequestIgnored(VGPUID, guestRoots: [UInt64], reason: String)
    // MARK: Interrupts and display
    /// Vblank emulation started or stopped needing its timer: some vGPU has (or none has) an
    /// enabled pipe (GVT ≤5.x: `intel_gvt_check_vblank_emulation` arming/cancelling the hrtimer).
    case vblankTimer(armed: Bool)
    /// A guest display register write refused or left incomplete, and why (plane scaling,
    /// an oversized DP AUX header, an unsupported AUX request); the guest is not stopped.
    case displayWriteRefused(VGPUID, MMIOOffset, value: UInt32, reason: String)
    // MARK: Command parser
    /// A workload's command scan failed and the workload was failed (GVT: "scan workload
    /// error" / "VM unhealthy"); -EBADRQC and -EFAULT also put the vGPU in failsafe.
    case workloadScanFailed(VGPUID, AuditFailure)
    /// The per-engine switch to scan non-privileged (PPGTT) batches changed (GVT: debugfs
    /// `scan_nonprivbb`).
    case scanNonPrivilegedBatchesSet(VGPUID, EngineMask)

    // MARK: Submission (execlists, workloads)
    /// A workload was made from an ELSP element: id, guest context and ring range.
    case workloadCreated(VGPUID, EngineID, id: UInt64, context: ContextDescriptor, ringStart: GraphicsAddress,
                         ringSize: UInt32, head: UInt32, tail: UInt32)
    /// A submission or workload was refused (no workload runs), and why.
    case workloadRejected(VGPUID, EngineID, id: UInt64?, reason: String)
    /// A workload was scanned: commands and the audit verdict (nil = accepted).
    case workloadScanned(VGPUID, EngineID, id: UInt64, commands: Int, rejection: String?)
    /// A workload was handed to the host GPU with this shadow context descriptor.
    case workloadDispatched(VGPUID, EngineID, id: UInt64, host: ContextDescriptor)
    /// A workload finished: nil status = success, else why it failed (e.g. engine hang → -EIO).
    case workloadCompleted(VGPUID, EngineID, id: UInt64, failure: String?)
    /// A context status entry emulated into the guest (CSB vregs and HWSP).
    case guestContextStatus(VGPUID, EngineID, ContextStatus, index: Int)
    /// Guest memory the mediator wrote (context write-back, HWSP).
    case guestMemoryWrite(VGPUID, GuestPhysicalAddress, bytes: [UInt8])
    /// A guest memory write the mediator had to skip.
    case guestWriteSkipped(VGPUID, GraphicsAddress, reason: String)
    /// A hardware event from the host GPU, as the mediator received it.
    case hardwareEvent(GPUEvent)
    // MARK: Scheduler
    /// A scheduler decision with the run queue and budgets that led to it (GVT logs at most
    /// `gvt_dbg_sched` lines; replay compares these).
    case schedulerDecision(SchedulerDecision)
    /// An engine's MMIO context switched between owners (nil = the host), with the host
    /// registers written (GVT: one `render_mmio(old_id, new_id, "switch", reg, old, new)`
    /// tracepoint per register).
    case mmioContextSwitch(EngineID, from: VGPUID?, to: VGPUID?, writes: [RegisterWrite])
}

/// Where a trapped access came from: the vCPU, its instruction pointer and the faulting
/// instruction's bytes (so a journal can show the exact guest instruction).
public struct TrapOrigin: Hashable, Sendable, Codable {
    public var vcpu: Int
    public var rip: UInt64
    public var instruction: [UInt8]
    public init(vcpu: Int, rip: UInt64, instruction: [UInt8]) {
        self.vcpu = vcpu
        self.rip = rip
        self.instruction = instruction
    }
}

/// The mediator's timers.
public enum TimerKind: String, Hashable, Sendable, Codable {
    /// GVT's scheduler tick (1 ms).
    case schedule
    /// Vblank emulation.
    case vblank
}

/// Watches a mediator. Called inside the engine's order, synchronously, for every event;
/// with no observer attached the mediator builds no events at all.
public protocol MediatorObserver: AnyObject {
    func mediator(_ mediator: Mediator, observed event: MediatorEvent)
}
