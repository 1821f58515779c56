import GPUModel

/// Bounds on one scan, so that a hostile ring or batch chain costs a bounded amount of work.
/// GVT has none (it runs until an allocation fails); exceeding one is `.resourceLimit` (-ENOMEM).
public struct ScanLimits: Hashable, Sendable {
    /// Largest batch buffer copied, in bytes.
    public var maxBatchBytes: Int
    /// Most batch buffers shadowed in one scan (chains count each link).
    public var maxBatchBuffers: Int

    /// Limits; the defaults allow 16 MiB per batch and 4096 batches.
    public init(maxBatchBytes: Int = 16 << 20, maxBatchBuffers: Int = 4096) {
        self.maxBatchBytes = maxBatchBytes
        self.maxBatchBuffers = maxBatchBuffers
    }
}

/// What dispatch hands the parser for one workload (GVT: the fields of
/// `intel_vgpu_workload` that `scan_workload` reads, plus the shadow ring copy).
public struct ScanRequest: Sendable {
    /// The engine the workload runs on.
    public var engine: EngineID
    /// The guest ring's dwords from HEAD to TAIL, copied, with the wrap already unrolled.
    public var ring: [UInt32]
    /// RING_START: graphics address of the ring (page aligned).
    public var ringStart: GraphicsAddress
    /// Ring size in bytes (from RING_CTL).
    public var ringSize: UInt64
    /// HEAD, a byte offset into the ring.
    public var head: UInt64
    /// TAIL, a byte offset into the ring.
    public var tail: UInt64
    /// The context descriptor's privilege bit (GVT refuses submissions without it before the
    /// scan; carried for the record).
    public var privileged: Bool
    /// The context's guest PPGTT root, for PPGTT batches and PDP loads; nil when unknown.
    public var ppgttRoot: GuestPPGTTRoot?
    /// The guest context's CONTEXT_CONTROL restore-inhibit bit: LRIs to in-context registers
    /// then update the vregs (GVT, Gen9 only).
    public var restoreInhibit: Bool
    /// Work bounds.
    public var limits: ScanLimits

    /// A request.
    public init(engine: EngineID, ring: [UInt32], ringStart: GraphicsAddress, ringSize: UInt64, head: UInt64,
                tail: UInt64, privileged: Bool = true, ppgttRoot: GuestPPGTTRoot? = nil, restoreInhibit: Bool = false,
                limits: ScanLimits = ScanLimits()) {
        self.engine = engine
        self.ring = ring
        self.ringStart = ringStart
        self.ringSize = ringSize
        self.head = head
        self.tail = tail
        self.privileged = privileged
        self.ppgttRoot = ppgttRoot
        self.restoreInhibit = restoreInhibit
        self.limits = limits
    }
}

/// Which shadow buffer a dword lives in.
public enum ShadowBufferRef: Hashable, Sendable {
    /// The shadow ring (`ScanResult.shadowRing`).
    case ring
    /// A shadow batch (`ScanResult.batches[index]`).
    case batch(Int)
}

/// Whether a batch is first-level (or chained from one) or second-level.
public enum BatchLevel: Int, Hashable, Sendable {
    /// Started from the ring, or chained from such a batch (BATCH_BUFFER_INSTRUCTION).
    case first = 1
    /// Started by a second-level MI_BATCH_BUFFER_START in a first-level batch.
    case second = 2
}

/// A batch buffer copied to the shadow before it was scanned (GVT: `intel_vgpu_shadow_bb`).
public struct ShadowBatchBuffer: Hashable, Sendable {
    /// Guest graphics address the batch starts at.
    public var guestAddress: GraphicsAddress
    /// First or second level.
    public var level: BatchLevel
    /// GGTT (privileged) or PPGTT (non-privileged, scanned only with `scanNonPrivilegedBatches`).
    public var addressSpace: BufferAddressSpace
    /// Where the copy starts within its first page (GVT `start_offset`): the guest page offset
    /// for PPGTT batches, so the shadow keeps the page layout; 0 for GGTT batches.
    public var pageOffset: UInt64
    /// The copied and patched dwords, up to and including the ending command.
    public var dwords: [UInt32]
    /// The buffer holding the MI_BATCH_BUFFER_START that started this batch.
    public var startedFrom: ShadowBufferRef
}

/// A MI_BATCH_BUFFER_START to retarget at a shadow batch (GVT: `bb_start_cmd_va` patched in
/// `prepare_shadow_batch_buffer`).
///
/// Dispatch places `batches[batch]` in host GGTT space at some address `A` (page aligned)
/// and writes `A + pageOffset` into dwords `dword` (bits 31:2) and `dword + 1` (bits 15:0)
/// of `buffer`. GVT does this for GGTT batches only (`retarget`); a scanned PPGTT batch runs
/// from the guest's own pages, its shadow served the scan alone.
public struct BatchStartPatch: Hashable, Sendable {
    /// The buffer holding the MI_BATCH_BUFFER_START.
    public var buffer: ShadowBufferRef
    /// Index of the dword holding the address's low bits (the command's dword 1).
    public var dword: Int
    /// Index into `ScanResult.batches` of the batch it starts.
    public var batch: Int
    /// Page offset to add to the shadow's placement.
    public var pageOffset: UInt64
    /// True when dispatch must retarget the command (GGTT batches).
    public var retarget: Bool
}

/// A decoded MI_DISPLAY_FLIP (GVT: `struct mi_display_flip_command_info`), applied by
/// `Mediator.applyDisplayFlip`.
public struct DisplayFlip: Hashable, Sendable {
    /// The pipe.
    public var pipe: Pipe
    /// Universal plane 1 (primary) or 2 (sprite).
    public var plane: Int
    /// New surface address (PLANE_SURF bits 31:12).
    public var surface: UInt32
    /// Stride field (dword 1 bits 15:6 → PLANE_STRIDE bits 9:0).
    public var stride: UInt32
    /// Tiling (dword 1 bits 2:0 → PLANE_CTL bits 12:10).
    public var tiling: UInt32
    /// Asynchronous flip (dword 2 bits 1:0 == 1): flip-done at once, else at the next vblank.
    public var async: Bool
}

/// Everything a scan produced (GVT: the workload's scanned ring, `shadow_bb` list and
/// `pending_events`).
public struct ScanResult: Hashable, Sendable {
    /// `.ok`, or the first violation (the scan stops there).
    public var verdict: AuditVerdict = .ok
    /// The patched copy of the ring (HEAD..TAIL).
    public var shadowRing: [UInt32] = []
    /// Shadow batches, in the order they were found.
    public var batches: [ShadowBatchBuffer] = []
    /// MI_BATCH_BUFFER_STARTs to retarget at shadow batches.
    public var batchStarts: [BatchStartPatch] = []
    /// Virtual interrupts to inject when the workload completes (GVT `pending_events`),
    /// each once, in first-seen order.
    public var pendingEvents: [InterruptEvent] = []
    /// MI_DISPLAY_FLIPs found (NOOP-ed in the shadow), in order.
    public var displayFlips: [DisplayFlip] = []
    /// Shadow PPGTTs referenced by PDP loads (GVT `lri_shadow_mm`): dispatch keeps them pinned
    /// while the workload runs.
    public var loadedPPGTTs: [ShadowPPGTTHandle] = []
    /// Commands scanned.
    public var commands = 0
    /// Dwords scanned.
    public var dwords = 0

    /// A result with nothing in it.
    public init() {}
}
