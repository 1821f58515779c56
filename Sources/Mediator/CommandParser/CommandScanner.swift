import GPUModel

/// One scan of one workload (GVT: `struct parser_exec_state` with `command_scan`,
/// `cmd_parser_exec`, `find_bb_size` and `perform_bb_shadow`).
///
/// The ring copy is scanned from HEAD to TAIL. A MI_BATCH_BUFFER_START that needs a scan
/// (GGTT, or PPGTT with `scanNonPrivilegedBatches`) has its batch copied into a shadow while
/// its length is found (the walk reads the copy, never the guest again), then the shadow is
/// scanned; a chained start continues with the next batch, a second-level start returns to
/// the instruction after it. Every patch is made in the shadow; the guest's buffers are
/// never written. The first violation stops the scan.
struct CommandScanner {
    /// What `scanBuffer` stopped at.
    enum BufferExit {
        /// MI_BATCH_BUFFER_END (or the end of the ring).
        case end
        /// A chained MI_BATCH_BUFFER_START at this dword index ends the batch.
        case chain(Int)
        /// A violation (in `failure`).
        case failed
    }

    let mediator: Mediator
    let vgpu: VGPU
    let table: CommandAuditTable
    let request: ScanRequest
    let engine: EngineID
    let revision: MediatorRevision
    var result = ScanResult()
    var failure: AuditFailure?

    // The command being handled, for failure reports (GVT: `ip_gma`, `buf_type`, `buf_addr_type`).
    var ip: GraphicsAddress = 0
    var header: UInt32 = 0
    var commandName = "unknown"
    /// The entry of the command being handled (its name is looked up only on failure), or -1.
    var entryIndex = -1
    var kind: CommandBufferType = .ring
    var space: BufferAddressSpace = .ggtt

    init(mediator: Mediator, vgpu: VGPU, request: ScanRequest, table: CommandAuditTable = .gen9) {
        self.mediator = mediator
        self.vgpu = vgpu
        self.table = table
        self.request = request
        self.engine = request.engine
        self.revision = mediator.configuration.revision
    }

    /// Runs the scan (GVT: `scan_workload`).
    mutating func run() -> ScanResult {
        var ring = request.ring
        ip = request.ringStart.advanced(by: request.head)
        if let problem = requestProblem() {
            fail(.malformedRequest, problem)
        } else if !mediator.validateGraphicsRange(vgpu, request.ringStart, size: request.ringSize) {
            fail(.ringOutOfRange, "ring \(request.ringStart)+\(hex(request.ringSize)) is not the vGPU's graphics memory")
        } else {
            _ = scanBuffer(&ring, ref: .ring, kind: .ring, space: .ggtt, base: request.ringStart)
        }
        result.shadowRing = ring
        if let failure { result.verdict = .rejected(failure) }
        return result
    }

    /// Why the request cannot describe a ring, or nil.
    func requestProblem() -> String? {
        let size = request.ringSize
        guard size >= 4096, size % 4096 == 0, request.ringStart.pageOffset == 0 else {
            return "ring start \(request.ringStart) / size \(hex(size)) not page aligned"
        }
        guard request.head < size, request.tail < size, request.head % 4 == 0, request.tail % 4 == 0 else {
            return "HEAD \(hex(request.head)) / TAIL \(hex(request.tail)) outside the ring or unaligned"
        }
        let bytes = (request.tail &+ size &- request.head) % size
        guard UInt64(request.ring.count) * 4 == bytes else {
            return "ring copy has \(request.ring.count) dwords, HEAD..TAIL spans \(bytes / 4)"
        }
        return nil
    }

    // MARK: Failures

    /// Records the first violation at the current command.
    mutating func fail(_ reason: AuditReason, _ detail: String) {
        guard failure == nil else { return }
        if entryIndex >= 0 { commandName = table.entries[entryIndex].name }
        failure = AuditFailure(reason: reason, engine: engine, address: ip, header: header, command: commandName,
                               buffer: kind, addressSpace: space, detail: detail)
    }

    /// Graphics address of dword `index` of a buffer starting at `base` (the ring wraps).
    @inline(__always) func address(of index: Int, kind: CommandBufferType, base: GraphicsAddress) -> GraphicsAddress {
        if kind == .ring {
            return base.advanced(by: (request.head &+ UInt64(index) &* 4) % request.ringSize)
        }
        return base.advanced(by: UInt64(index) &* 4)
    }

    // MARK: The scan loop

    /// Scans one buffer in place (GVT: `command_scan` + `cmd_parser_exec`).
    mutating func scanBuffer(_ dwords: inout [UInt32], ref: ShadowBufferRef, kind: CommandBufferType,
                             space: BufferAddressSpace, base: GraphicsAddress) -> BufferExit {
        let count = dwords.count
        var i = 0
        var commands = 0
        defer { result.commands += commands }
        while i < count {
            let dw0 = dwords[i]
            if dw0 == 0 {  // MI_NOOP fast path
                commands += 1
                result.dwords += 1
                i += 1
                continue
            }
            self.kind = kind
            self.space = space
            ip = address(of: i, kind: kind, base: base)
            header = dw0
            guard let e = table.entryIndex(for: dw0, engine: engine) else {
                entryIndex = -1
                commandName = table.commands.lookupAnyEngine(dw0)?.name ?? "unknown"
                fail(.unknownCommand, "opcode \(hex(dw0 & (CommandClass(header: dw0)?.opcodeMask ?? 0xE000_0000))) "
                        + "is not a command GVT accepts on \(engine)")
                return .failed
            }
            let entry = table.hot[e]
            entryIndex = e
            let length = entry.length.length(header: dw0)
            if entry.validLength != 0 && length != entry.validLength {
                fail(.invalidLength, "length \(length), the only valid length is \(entry.validLength)")
                return .failed
            }
            guard length <= count - i else {
                fail(.truncatedCommand, "\(length) dwords but only \(count - i) left in the \(kind) "
                        + (kind == .ring ? "before TAIL" : "copy"))
                return .failed
            }
            commands += 1
            result.dwords += length
            switch entry.handler {
            case .none:
                break
            case .batchBufferEnd:
                if kind == .ring {
                    fail(.instructionPointerOutOfRing, "MI_BATCH_BUFFER_END in the ring returns to no batch")
                    return .failed
                }
                return .end
            case .batchBufferStart:
                if kind == .secondLevelBatch {
                    fail(.batchStartInSecondLevel, "MI_BATCH_BUFFER_START inside a second-level batch")
                    return .failed
                }
                let secondLevel = dw0 & (1 << 22) != 0
                if kind == .ring {
                    if secondLevel {
                        fail(.secondLevelFromRing, "second-level MI_BATCH_BUFFER_START in the ring")
                        return .failed
                    }
                    guard runBatchChain(from: ref, at: i, in: dwords, kind: .batch) else { return .failed }
                } else if secondLevel {
                    guard runBatchChain(from: ref, at: i, in: dwords, kind: .secondLevelBatch) else { return .failed }
                } else {
                    return .chain(i)
                }
            default:
                guard handle(entry.handler, &dwords, at: i, length: length) else { return .failed }
            }
            i += length
        }
        if kind != .ring {
            fail(.badBatchEnd, "the shadow batch does not end with MI_BATCH_BUFFER_END or a chained start")
            return .failed
        }
        return .end
    }

    // MARK: Batch buffers

    /// Shadows and scans the batch started by the MI_BATCH_BUFFER_START at `dwords[index]`,
    /// following chained starts (GVT: `cmd_handler_mi_batch_buffer_start` →
    /// `batch_buffer_needs_scan` → `perform_bb_shadow`). Returns false on a violation.
    mutating func runBatchChain(from ref: ShadowBufferRef, at index: Int, in dwords: [UInt32],
                                kind batchKind: CommandBufferType) -> Bool {
        var ref = ref
        var start = index
        var command = (dwords[index], index + 1 < dwords.count ? dwords[index + 1] : 0,
                       index + 2 < dwords.count ? dwords[index + 2] : 0)
        while true {
            let target = GraphicsAddress(UInt64(command.1 & ~3) | UInt64(command.2 & 0xFFFF) << 32)
            let ppgtt = command.0 & (1 << 8) != 0
            if ppgtt && !vgpu.scanNonPrivilegedBatches.contains(engine) {
                return true  // GVT emulates a batch end: the hardware enforces non-privilege
            }
            guard result.batches.count < request.limits.maxBatchBuffers else {
                fail(.resourceLimit, "more than \(request.limits.maxBatchBuffers) batch buffers in one workload")
                return false
            }
            let batchSpace: BufferAddressSpace = ppgtt ? .ppgtt : .ggtt
            guard var copy = copyBatch(at: target, space: batchSpace, kind: batchKind) else { return false }
            let b = result.batches.count
            let pageOffset = ppgtt ? target.pageOffset : 0
            result.batches.append(ShadowBatchBuffer(
                guestAddress: target, level: batchKind == .secondLevelBatch ? .second : .first,
                addressSpace: batchSpace, pageOffset: pageOffset, dwords: [], startedFrom: ref))
            result.batchStarts.append(BatchStartPatch(buffer: ref, dword: start + 1, batch: b, pageOffset: pageOffset,
                                                      retarget: !ppgtt))
            let exit = scanBuffer(&copy, ref: .batch(b), kind: batchKind, space: batchSpace, base: target)
            result.batches[b].dwords = copy
            switch exit {
            case .failed: return false
            case .end: return true
            case .chain(let j):
                ref = .batch(b)
                start = j
                command = (copy[j], j + 1 < copy.count ? copy[j + 1] : 0, j + 2 < copy.count ? copy[j + 2] : 0)
            }
        }
    }

    /// Copies the batch at `target` into a new shadow, finding its end by walking the copy
    /// (GVT: `find_bb_size` + `copy_gma_to_hva`): the end is the first MI_BATCH_BUFFER_END or
    /// first-level MI_BATCH_BUFFER_START. Guest pages are read one at a time as the walk needs
    /// them, so what is scanned is exactly what was read. Nil on a violation.
    mutating func copyBatch(at target: GraphicsAddress, space batchSpace: BufferAddressSpace,
                            kind batchKind: CommandBufferType) -> [UInt32]? {
        var copy: [UInt32] = []
        let maxDwords = request.limits.maxBatchBytes / 4
        var i = 0
        while true {
            guard fetch(&copy, upTo: i + 1, from: target, space: batchSpace, kind: batchKind, max: maxDwords) else {
                return nil
            }
            let dw0 = copy[i]
            guard let e = table.entryIndex(for: dw0, engine: engine) else {
                position(at: i, of: target, header: dw0, kind: batchKind, space: batchSpace)
                entryIndex = -1
                commandName = table.commands.lookupAnyEngine(dw0)?.name ?? "unknown"
                fail(.unknownCommand, "unknown command while sizing the batch at \(target)")
                return nil
            }
            let entry = table.hot[e]
            let length = entry.length.length(header: dw0)
            let ends = entry.handler == .batchBufferEnd || (entry.handler == .batchBufferStart && dw0 & (1 << 22) == 0)
            i += length
            if ends {
                guard fetch(&copy, upTo: i, from: target, space: batchSpace, kind: batchKind, max: maxDwords) else {
                    return nil
                }
                copy.removeLast(copy.count - i)
                return copy
            }
        }
    }

    /// Extends `copy` with guest dwords until it holds `count` (page by page), or fails:
    /// unmapped memory (-EFAULT) or the size limit (-ENOMEM).
    mutating func fetch(_ copy: inout [UInt32], upTo count: Int, from target: GraphicsAddress,
                        space batchSpace: BufferAddressSpace, kind batchKind: CommandBufferType, max: Int) -> Bool {
        while copy.count < count {
            let at = target.advanced(by: UInt64(copy.count) * 4)
            guard copy.count < max else {
                position(at: copy.count, of: target, header: 0, kind: batchKind, space: batchSpace)
                entryIndex = -1
                commandName = "batch buffer"
                fail(.resourceLimit, "batch at \(target) longer than \(request.limits.maxBatchBytes) bytes without an end")
                return false
            }
            let chunk = min(Int(4096 - at.pageOffset) / 4, max - copy.count)
            guard let gpa = translate(at, batchSpace), let bytes = mediator.readGuest(vgpu, gpa, count: chunk * 4) else {
                position(at: copy.count, of: target, header: 0, kind: batchKind, space: batchSpace)
                entryIndex = -1
                commandName = "batch buffer"
                fail(.unmappedGuestMemory, "\(at) (\(batchSpace)) does not map readable guest memory")
                return false
            }
            bytes.withUnsafeBytes { raw in
                for k in 0..<chunk { copy.append(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: k * 4, as: UInt32.self))) }
            }
        }
        return true
    }

    /// Sets the failure position to dword `index` of the batch at `target`.
    mutating func position(at index: Int, of target: GraphicsAddress, header: UInt32, kind: CommandBufferType,
                           space: BufferAddressSpace) {
        ip = target.advanced(by: UInt64(index) * 4)
        self.header = header
        self.kind = kind
        self.space = space
    }

    /// Guest-physical address of `gma` in `space` (GVT: `intel_vgpu_gma_to_gpa`).
    func translate(_ gma: GraphicsAddress, _ space: BufferAddressSpace) -> GuestPhysicalAddress? {
        switch space {
        case .ggtt: mediator.guestGGTTTranslate(vgpu, gma)
        case .ppgtt: request.ppgttRoot.flatMap { mediator.guestPPGTTTranslate(vgpu, root: $0, gma) }
        }
    }
}
