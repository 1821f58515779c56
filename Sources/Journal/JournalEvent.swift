/// One input or output of the engine (Mediator + GPUModel), as a plain value.
///
/// The journal knows nothing of mediator types: vGPUs are numbers, engines are the GPU
/// model's engine index (0 rcs, 1 bcs, 2 vcs, 3 vecs), reasons are numeric codes the
/// recorder defines. Each case has exactly one record encoding (`EventCodec`) and a stable
/// kind id (`JournalEventKind`, listed in docs/journal-format.md).
///
/// To add a kind: add a case here, a `JournalEventKind` case with a new id, its encoding in
/// `EventCodec`, a row in the format document, and a round-trip test. Old readers see the
/// new kind as `.extension(kind:bytes:)`; no format version bump is needed.
public enum JournalEvent: Sendable, Hashable {
    /// A trapped MMIO read and the value the mediator returned (GVT: intel_vgpu_emulate_mmio_read).
    case mmioRead(MMIOTrap)
    /// A trapped MMIO write (GVT: intel_vgpu_emulate_mmio_write).
    case mmioWrite(MMIOTrap)
    /// A PCI configuration space read and the value returned (GVT: intel_vgpu_emulate_cfg_read).
    case pciConfigRead(vgpu: UInt32, offset: UInt16, size: UInt8, value: UInt32)
    /// A PCI configuration space write (GVT: intel_vgpu_emulate_cfg_write).
    case pciConfigWrite(vgpu: UInt32, offset: UInt16, size: UInt8, value: UInt32)
    /// A guest GGTT PTE write and the host PTE written for it (GVT: emulate_ggtt_mmio_write).
    case ggttWrite(vgpu: UInt32, index: UInt64, guestPTE: UInt64, hostPTE: UInt64)
    /// A guest GGTT PTE write the mediator ignored, with its reason code.
    case ggttWriteIgnored(vgpu: UInt32, index: UInt64, guestPTE: UInt64, reason: UInt32)
    /// A guest write to a write-protected (PPGTT table) page (GVT: ppgtt_write_protection_handler).
    case protectedPageWrite(vgpu: UInt32, gpa: UInt64, bytes: [UInt8])
    /// A shadow PPGTT entry the mediator changed (GVT: ppgtt_set_shadow_entry).
    case shadowEntryChanged(vgpu: UInt32, table: UInt64, index: UInt32, guest: UInt64, shadow: UInt64)
    /// An ELSP submission: the four dwords written to the execlist submit port, in order.
    case elspSubmission(vgpu: UInt32, engine: UInt8, dwords: ELSPDwords)
    /// A workload made from a submission, with its scan/audit result (GVT: intel_vgpu_create_workload).
    case workloadCreated(Workload)
    /// A workload handed to the GPU (GVT: dispatch_workload).
    case workloadDispatched(vgpu: UInt32, engine: UInt8, workload: UInt64)
    /// A workload the GPU finished, with its status (GVT: complete_current_workload).
    case workloadCompleted(vgpu: UInt32, engine: UInt8, workload: UInt64, status: UInt32)
    /// Guest memory the mediator or the GPU read; the content lives in the page store.
    case guestMemoryRead(vgpu: UInt32, gpa: UInt64, length: UInt32, content: PageReference)
    /// A reading of the injected clock (an input: replay returns the recorded value).
    case clockReading(value: UInt64)
    /// A timer expiry (scheduler tick, vblank, hangcheck…), by kind code.
    case timerExpiry(kind: UInt32)
    /// A hardware context-status event (CSB entry: flags and context id).
    case contextStatus(engine: UInt8, flags: UInt32, context: UInt32)
    /// A hardware completion (breadcrumb / user interrupt) on an engine.
    case completion(engine: UInt8, context: UInt32)
    /// The hardware declared an engine hung.
    case hang(engine: UInt8, reason: UInt32, acthd: UInt64, instruction: UInt32, head: UInt32, tail: UInt32)
    /// An engine stalled (waiting on a semaphore or an event) with a reason code.
    case engineStall(engine: UInt8, reason: UInt32)
    /// A hardware engine reset (GEN6_GDRST engine mask).
    case engineReset(engines: UInt32)
    /// A privileged command the auditor or hardware refused.
    case privilegeViolation(vgpu: UInt32, engine: UInt8, instruction: UInt32, address: UInt64)
    /// A virtual interrupt raised in a vGPU's interrupt registers (bank, bit).
    case virtualInterrupt(vgpu: UInt32, bank: UInt8, bit: UInt8)
    /// An MSI injected into a guest (address, data).
    case msiInjected(vgpu: UInt32, address: UInt64, data: UInt32)
    /// A scheduler decision: engine (nil = all), from/to vGPU (nil = idle), reason, budgets.
    case schedulerDecision(engine: UInt8?, from: UInt32?, to: UInt32?, reason: UInt32, budgets: [Int64])
    /// An MMIO context switch: the registers written when switching owners of an engine.
    case mmioContextSwitch(engine: UInt8, from: UInt32?, to: UInt32?, registers: [RegisterWrite])
    /// A vGPU entered failsafe mode (GVT: enter_failsafe_mode).
    case failsafe(vgpu: UInt32, reason: UInt32, detail: String)
    /// A finding of the isolation oracle.
    case isolationFinding(vgpu: UInt32, kind: UInt32, address: UInt64, detail: String)
    /// A vGPU was created with this type name (GVT: intel_gvt_create_vgpu).
    case vgpuCreated(vgpu: UInt32, type: String)
    /// A vGPU was destroyed (GVT: intel_gvt_destroy_vgpu).
    case vgpuDestroyed(vgpu: UInt32)
    /// A vGPU was reset (GVT: intel_gvt_reset_vgpu_locked; dmlr = device-model-level reset).
    case vgpuReset(vgpu: UInt32, dmlr: Bool, engines: UInt32)
    /// A register write the mediator made on the host GPU.
    case hostRegisterWrite(offset: UInt32, value: UInt32)
    /// A guest-to-vGPU notification through PVINFO (GVT: handle_g2v_notification).
    case g2vNotification(vgpu: UInt32, notification: UInt32)
    /// A host page a guest wrote with plain stores since the engine last ran (an input: replay
    /// puts the content back before the next input). `frame` is the host page frame number,
    /// `vgpu` the writer; the content lives in the page store.
    case guestPageWritten(vgpu: UInt32, frame: UInt64, page: PageKey)
    /// A request to create a vGPU of `type` with `ramPages` pages of VM RAM (an input), and
    /// its result: the vGPU id (0 = refused) and the first host frame of the VM's RAM.
    case vgpuCreateRequest(type: String, ramPages: UInt32, vgpu: UInt32, firstFrame: UInt64)
    /// A request to destroy a vGPU (an input).
    case vgpuDestroyRequest(vgpu: UInt32)
    /// A request for a device-model-level reset of a vGPU (an input).
    case vgpuResetRequest(vgpu: UInt32)
    /// Any other output of the engine, as a topic code the recorder defines and a stable
    /// text (refusals, shadow PPGTT life cycle, CSB entries emulated, scan results …).
    case note(vgpu: UInt32?, engine: UInt8?, topic: UInt32, text: String)
    /// Guest memory the mediator wrote (CSB entries and pointers in the guest's status page,
    /// the ring head written back into the guest context).
    case guestMemoryWrite(vgpu: UInt32, gpa: UInt64, bytes: [UInt8])
    /// A context-status entry the mediator emulated into the guest's CSB (index 0...5,
    /// flags and context id as the hardware writes them).
    case guestContextStatus(vgpu: UInt32, engine: UInt8, index: UInt8, flags: UInt32, context: UInt32)
    /// An event of a kind this build does not know: kind id and its encoded payload.
    case `extension`(kind: UInt32, bytes: [UInt8])
}

/// A trapped MMIO access: who, where, the trapping instruction and the value.
public struct MMIOTrap: Sendable, Hashable {
    /// Longest x86 instruction.
    public static let maxInstructionLength = 15

    /// The vGPU whose BAR0 was accessed.
    public var vgpu: UInt32
    /// The vCPU that trapped.
    public var vcpu: UInt32
    /// Guest RIP of the trapping instruction.
    public var rip: UInt64
    /// The trapping instruction's bytes (at most 15).
    public var instruction: [UInt8]
    /// BAR0 offset.
    public var offset: UInt32
    /// Access size in bytes (1, 2, 4 or 8).
    public var size: UInt8
    /// The value written, or the value returned for a read.
    public var value: UInt64

    /// A trap; `instruction` must be at most 15 bytes (precondition).
    public init(vgpu: UInt32, vcpu: UInt32, rip: UInt64, instruction: [UInt8], offset: UInt32, size: UInt8, value: UInt64) {
        precondition(instruction.count <= Self.maxInstructionLength, "an x86 instruction is at most 15 bytes")
        self.vgpu = vgpu
        self.vcpu = vcpu
        self.rip = rip
        self.instruction = instruction
        self.offset = offset
        self.size = size
        self.value = value
    }
}

/// The four dwords of one ELSP submission, in write order (PRM: EXECLIST_SUBMITPORT).
public struct ELSPDwords: Sendable, Hashable {
    /// Dwords 0 through 3.
    public var d0, d1, d2, d3: UInt32
    /// The four dwords.
    public init(_ d0: UInt32, _ d1: UInt32, _ d2: UInt32, _ d3: UInt32) {
        (self.d0, self.d1, self.d2, self.d3) = (d0, d1, d2, d3)
    }
    /// The dwords as an array.
    public var array: [UInt32] { [d0, d1, d2, d3] }
}

/// A workload made from an ELSP submission (GVT: struct intel_vgpu_workload).
public struct Workload: Sendable, Hashable {
    /// Owning vGPU.
    public var vgpu: UInt32
    /// Engine index.
    public var engine: UInt8
    /// Workload id (unique in the capture).
    public var workload: UInt64
    /// Ring buffer start (graphics address).
    public var ringStart: UInt64
    /// Ring head and tail offsets.
    public var head, tail: UInt32
    /// The execlist context descriptor.
    public var contextDescriptor: UInt64
    /// The command scan/audit result.
    public var audit: WorkloadAudit
    /// Number of batch buffers found by the scan.
    public var batchBuffers: UInt32

    /// A workload record.
    public init(vgpu: UInt32, engine: UInt8, workload: UInt64, ringStart: UInt64, head: UInt32, tail: UInt32,
                contextDescriptor: UInt64, audit: WorkloadAudit, batchBuffers: UInt32) {
        self.vgpu = vgpu
        self.engine = engine
        self.workload = workload
        self.ringStart = ringStart
        self.head = head
        self.tail = tail
        self.contextDescriptor = contextDescriptor
        self.audit = audit
        self.batchBuffers = batchBuffers
    }
}

/// The command auditor's verdict on a workload (GVT: intel_gvt_scan_and_shadow_workload).
public enum WorkloadAudit: Sendable, Hashable {
    /// Accepted.
    case ok
    /// Rejected: reason code, offending graphics address and the command's header dword.
    case rejected(reason: UInt32, address: UInt64, header: UInt32)
}

/// One register written during an MMIO context switch.
public struct RegisterWrite: Sendable, Hashable {
    /// MMIO offset.
    public var offset: UInt32
    /// Value written.
    public var value: UInt32
    /// A register write.
    public init(offset: UInt32, value: UInt32) {
        self.offset = offset
        self.value = value
    }
}

/// The key of one page in the content-addressed page store: xxHash64 of its bytes plus a
/// variant number that tells apart different contents with the same hash.
public struct PageKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// xxHash64 (seed 0) of the page's bytes.
    public var hash: UInt64
    /// 0 unless another content with the same hash was stored first.
    public var variant: UInt32
    /// A key.
    public init(hash: UInt64, variant: UInt32) {
        self.hash = hash
        self.variant = variant
    }
    /// Orders by hash, then variant.
    public static func < (a: PageKey, b: PageKey) -> Bool { (a.hash, a.variant) < (b.hash, b.variant) }
    /// "page:0123456789abcdef" (with ".v" if the variant is not 0).
    public var description: String {
        let h = String(hash, radix: 16)
        let padded = String(repeating: "0", count: 16 - h.count) + h
        return variant == 0 ? "page:\(padded)" : "page:\(padded).\(variant)"
    }
}

/// Where some guest memory content lives: a stored page and an offset into it.
public struct PageReference: Sendable, Hashable {
    /// The stored page.
    public var page: PageKey
    /// Offset of the content inside the page.
    public var offset: UInt32
    /// A reference.
    public init(page: PageKey, offset: UInt32) {
        self.page = page
        self.offset = offset
    }
}

/// One journal entry: an event with its global sequence number and timestamp.
public struct JournalRecord: Sendable, Hashable {
    /// Global sequence number (strictly increasing through a journal).
    public var sequence: UInt64
    /// Timestamp in nanoseconds of the engine's clock.
    public var time: UInt64
    /// What happened.
    public var event: JournalEvent
    /// A record.
    public init(sequence: UInt64, time: UInt64, event: JournalEvent) {
        self.sequence = sequence
        self.time = time
        self.event = event
    }
}
