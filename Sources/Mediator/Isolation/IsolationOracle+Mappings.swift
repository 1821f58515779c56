import GPUModel

/// The mapping checks: the host GGTT read from the GPU model, the shadow PPGTTs walked in
/// host memory (GVT's invariant: a vGPU's GGTT slice and its shadow page tables map only
/// its own pages or its scratch pages; the host's GGTT ranges map no guest page).
extension IsolationOracle {
    /// Every violation of the mapping invariants, in a deterministic order (GGTT by index,
    /// then shadow PPGTTs by vGPU id and root):
    /// - two vGPUs' slices overlap, or a declared scratch page is not a host page or is
    ///   declared by two vGPUs;
    /// - a present host GGTT entry in vGPU X's slices maps a frame that is neither X's nor
    ///   X's GGTT scratch page;
    /// - a present host GGTT entry outside every slice (the host's ranges) maps a guest's
    ///   frame or a free frame;
    /// - a present shadow PPGTT leaf of X (4 KiB, 64 KiB, 2 MiB or 1 GiB, every frame of it)
    ///   maps a frame that is neither X's nor X's PPGTT scratch data page;
    /// - a present shadow table pointer of X reaches a frame that is not a host page, or a
    ///   shadow table that another vGPU's tables also reach.
    /// Entries the hardware would fault on (reserved address bits, beyond physical memory)
    /// map nothing and are skipped. Cost: one scan of the 1 Mi GGTT entries for present ones
    /// (inside the GPU model), plus 512 entries per distinct shadow table; owners are looked
    /// up for present entries only.
    public func checkMappings(mediator: Mediator, gpu: GPU, ownership: any MemoryOwnership) -> [IsolationFinding] {
        lastStatistics = Statistics()
        _ = gpu.ggtt.takeChangedIndices()  // all of them are checked now
        return withUnobservedReads(gpu) {
            var findings = checkDeclarations(mediator: mediator, ownership: ownership)
            findings += checkGGTTEntries(0..<GGTT.entryCount, mediator: mediator, gpu: gpu, ownership: ownership)
            var tableOwners: [UInt64: VGPUID] = [:]
            for vgpu in mediator.vgpus.compactMap({ $0 }) {
                findings += walkShadowPPGTTs(vgpu, mediator: mediator, gpu: gpu, ownership: ownership, tableOwners: &tableOwners)
            }
            return findings
        }
    }

    /// The GGTT part of `checkMappings` alone.
    public func checkGGTTMappings(mediator: Mediator, gpu: GPU, ownership: any MemoryOwnership) -> [IsolationFinding] {
        withUnobservedReads(gpu) {
            checkDeclarations(mediator: mediator, ownership: ownership)
                + checkGGTTEntries(0..<GGTT.entryCount, mediator: mediator, gpu: gpu, ownership: ownership)
        }
    }

    /// The GGTT entries written since the last call (the GPU model keeps the record), with
    /// the same rules as `checkMappings`: replay's cheap check after each dispatch.
    public func checkChangedGGTTEntries(mediator: Mediator, gpu: GPU, ownership: any MemoryOwnership) -> [IsolationFinding] {
        let changed = gpu.ggtt.takeChangedIndices()
        guard !changed.isEmpty else { return [] }
        return withUnobservedReads(gpu) {
            var findings: [IsolationFinding] = []
            var start = 0
            while start < changed.count {
                var end = start + 1
                while end < changed.count && changed[end] == changed[end - 1] + 1 { end += 1 }
                findings += checkGGTTEntries(changed[start]..<(changed[end - 1] + 1), mediator: mediator, gpu: gpu,
                                             ownership: ownership)
                start = end
            }
            return findings
        }
    }

    /// The PPGTT part of `checkMappings` for one vGPU (shared tables are not detected).
    public func checkPPGTTMappings(of id: VGPUID, mediator: Mediator, gpu: GPU,
                                   ownership: any MemoryOwnership) -> [IsolationFinding] {
        guard let vgpu = mediator.vgpu(id) else { return [] }
        var tableOwners: [UInt64: VGPUID] = [:]
        return withUnobservedReads(gpu) {
            walkShadowPPGTTs(vgpu, mediator: mediator, gpu: gpu, ownership: ownership, tableOwners: &tableOwners)
        }
    }

    // MARK: Declarations

    /// Slices must not overlap; scratch pages must be host pages of one vGPU.
    func checkDeclarations(mediator: Mediator, ownership: any MemoryOwnership) -> [IsolationFinding] {
        var findings: [IsolationFinding] = []
        let slices = sliceTable(mediator)
        for k in slices.indices.dropFirst() where slices[k].range.lowerBound < slices[k - 1].range.upperBound {
            let (a, b) = (slices[k - 1], slices[k])
            findings.append(IsolationFinding(
                kind: .ggttMapping, responsible: b.id, victim: a.id == b.id ? .host : .vgpu(a.id),
                address: GraphicsAddress(UInt64(b.range.lowerBound) << 12),
                detail: "graphics memory slices overlap: \(a.id) GGTT \(a.range) and \(b.id) GGTT \(b.range)"))
        }
        var declared: [(PageFrameNumber, VGPUID)] = []
        for vgpu in mediator.vgpus.compactMap({ $0 }) {
            for frame in ScratchPages(vgpu).all {
                lastStatistics.ownershipLookups += 1
                let owner = ownership.owner(of: frame)
                if owner != .host {
                    findings.append(IsolationFinding(
                        kind: .ggttMapping, responsible: vgpu.id, victim: IsolationParty(owner), owner: owner, frame: frame,
                        detail: "\(vgpu.id) declares a \(owner) frame as its scratch page"))
                }
                if let other = declared.first(where: { $0.0 == frame }), other.1 != vgpu.id {
                    findings.append(IsolationFinding(
                        kind: .ggttMapping, responsible: vgpu.id, victim: .vgpu(other.1), owner: owner, frame: frame,
                        detail: "\(vgpu.id) and \(other.1) declare the same scratch page"))
                }
                declared.append((frame, vgpu.id))
            }
        }
        return findings
    }

    /// The vGPUs' GGTT index ranges, sorted by start (then id).
    func sliceTable(_ mediator: Mediator) -> [(range: Range<Int>, id: VGPUID)] {
        var table: [(range: Range<Int>, id: VGPUID)] = []
        for vgpu in mediator.vgpus.compactMap({ $0 }) {
            for bytes in [vgpu.slices.aperture, vgpu.slices.hidden] {
                let lower = Int(min(bytes.lowerBound >> 12, UInt64(GGTT.entryCount)))
                let upper = Int(min(bytes.upperBound >> 12, UInt64(GGTT.entryCount)))
                if lower < upper { table.append((lower..<upper, vgpu.id)) }
            }
        }
        return table.sorted { ($0.range.lowerBound, $0.id) < ($1.range.lowerBound, $1.id) }
    }

    // MARK: GGTT

    /// Checks the host GGTT entries at `indices` against the slice that holds each.
    func checkGGTTEntries(_ indices: Range<Int>, mediator: Mediator, gpu: GPU,
                          ownership: any MemoryOwnership) -> [IsolationFinding] {
        var findings: [IsolationFinding] = []
        let slices = sliceTable(mediator)
        var scratch: [VGPUID: [PageFrameNumber]] = [:]
        for vgpu in mediator.vgpus.compactMap({ $0 }) { scratch[vgpu.id] = ScratchPages(vgpu).dataPages }
        let frameCount = gpu.memory.frameCount
        let ggtt = gpu.ggtt
        var cursor = 0
        var index = indices.lowerBound
        while index < indices.upperBound {
            // The slice holding `index`, if any, and where the run of this owner ends.
            while cursor < slices.count && slices[cursor].range.upperBound <= index { cursor += 1 }
            let owner: VGPUID?
            let runEnd: Int
            if cursor < slices.count && slices[cursor].range.contains(index) {
                owner = slices[cursor].id
                runEnd = min(indices.upperBound, slices[cursor].range.upperBound)
            } else {
                owner = nil
                runEnd = min(indices.upperBound, cursor < slices.count ? slices[cursor].range.lowerBound : GGTT.entryCount)
            }
            let allowed = owner.flatMap { scratch[$0] } ?? []
            lastStatistics.ggttEntries += runEnd - index
            for i in ggtt.presentIndices(in: index..<runEnd) {
                let entry = ggtt[i]
                lastStatistics.presentGGTTEntries += 1
                let frame = entry.frame
                guard frame.rawValue < frameCount else { continue }  // the access would fault
                lastStatistics.ownershipLookups += 1
                let frameOwner = ownership.owner(of: frame)
                let gma = GraphicsAddress(UInt64(i) << 12)
                if let owner {
                    if frameOwner == .guest(owner) || allowed.contains(frame) { continue }
                    findings.append(IsolationFinding(
                        kind: .ggttMapping, responsible: owner, victim: IsolationParty(frameOwner), owner: frameOwner,
                        address: gma, frame: frame,
                        detail: "host GGTT entry \(i) in \(owner)'s slice maps a \(frameOwner) frame (\(entry))"))
                } else if frameOwner != .host {
                    findings.append(IsolationFinding(
                        kind: .ggttMapping, responsible: nil, victim: .host, owner: frameOwner, address: gma, frame: frame,
                        detail: "host GGTT entry \(i) outside every vGPU slice maps a \(frameOwner) frame (\(entry))"))
                }
            }
            index = runEnd
        }
        return findings
    }

    // MARK: Shadow PPGTT

    /// Where a shadow walk is and what it may reach.
    struct WalkContext {
        let vgpu: VGPUID
        let scratch: ScratchPages
        let memory: PhysicalMemory
        let ownership: any MemoryOwnership
        var root: String
    }

    /// Walks every shadow PPGTT of `vgpu` from its roots: the roots of its shadow PPGTTs and
    /// of the contexts engines are running for it.
    func walkShadowPPGTTs(_ vgpu: VGPU, mediator: Mediator, gpu: GPU, ownership: any MemoryOwnership,
                          tableOwners: inout [UInt64: VGPUID]) -> [IsolationFinding] {
        var roots: [PPGTTRoot] = []
        for case let mm? in vgpu.ppgtt.mms where mm.shadowed {
            let pointers = mediator.shadowRootPointers(vgpu, mm)
            let root: PPGTTRoot
            if case .fourLevel = mm.root {
                root = .fourLevel(pml4: PhysicalAddress(pointers.first ?? 0))
            } else {
                root = .threeLevel(pdps: pointers.map { PhysicalAddress($0) })
            }
            if !roots.contains(root) { roots.append(root) }
        }
        for engine in EngineID.allCases where mediator.currentWorkloads[engine.index]?.vgpu == vgpu.id {
            if case .ppgtt(let root)? = gpu.engine(engine).context?.ppgtt, !roots.contains(root) { roots.append(root) }
        }
        var findings: [IsolationFinding] = []
        var context = WalkContext(vgpu: vgpu.id, scratch: ScratchPages(vgpu), memory: gpu.memory, ownership: ownership, root: "")
        for root in roots {
            switch root {
            case .fourLevel(let pml4):
                context.root = "L4 root \(pml4)"
                visitTable(pml4.frame, level: 4, ips: false, base: 0, pointer: pml4.rawValue & ~0xFFF, context,
                           tableOwners: &tableOwners, findings: &findings)
            case .threeLevel(let pdps):
                context.root = "L3 root"
                for (k, pdp) in pdps.enumerated() {
                    visitTable(pdp.frame, level: 2, ips: false, base: UInt64(k) << 30, pointer: pdp.rawValue & ~0xFFF,
                               context, tableOwners: &tableOwners, findings: &findings)
                }
            }
        }
        return findings
    }

    /// Checks the table pointer to `frame` and, if it is a host page not walked yet, walks it.
    func visitTable(_ frame: PageFrameNumber, level: Int, ips: Bool, base: UInt64, pointer: UInt64, _ context: WalkContext,
                    tableOwners: inout [UInt64: VGPUID], findings: inout [IsolationFinding]) {
        guard pointer != 0, frame.rawValue < context.memory.frameCount else { return }  // not present / faults
        lastStatistics.ownershipLookups += 1
        let owner = context.ownership.owner(of: frame)
        guard owner == .host, !context.scratch.dataPages.contains(frame) else {
            findings.append(IsolationFinding(
                kind: .ppgttMapping, responsible: context.vgpu, victim: IsolationParty(owner), owner: owner,
                address: GraphicsAddress(base), frame: frame,
                detail: "\(context.root): level-\(level) table pointer for gma \(hex(base, width: 12)) reaches a "
                    + (owner == .host ? "scratch data page" : "\(owner) frame")
                    + (owner == .guest(context.vgpu) ? " (the guest could rewrite its own mappings)" : "")))
            return
        }
        let key = frame.rawValue << 4 | UInt64(level) << 1 | (ips ? 1 : 0)
        if let other = tableOwners[key] {
            if other != context.vgpu {
                findings.append(IsolationFinding(
                    kind: .ppgttMapping, responsible: context.vgpu, victim: .vgpu(other), owner: owner,
                    address: GraphicsAddress(base), frame: frame,
                    detail: "\(context.root): level-\(level) shadow table is also reached from \(other)'s shadow PPGTT"))
            }
            return
        }
        tableOwners[key] = context.vgpu
        walkTable(frame, level: level, ips: ips, base: base, context, tableOwners: &tableOwners, findings: &findings)
    }

    /// Checks every present entry of one shadow table (host page `frame`, level `level`).
    func walkTable(_ frame: PageFrameNumber, level: Int, ips: Bool, base: UInt64, _ context: WalkContext,
                   tableOwners: inout [UInt64: VGPUID], findings: inout [IsolationFinding]) {
        lastStatistics.shadowTables += 1
        let shift = UInt64(12 + 9 * (level - 1))
        let step = level == 1 && ips ? 16 : 1
        // The present entries first, read in place; walking them may read other pages.
        var present: [(index: Int, entry: UInt64)] = []
        context.memory.withPageBytes(frame) { page in
            var index = 0
            while index < 512 {
                let entry = UInt64(littleEndian: page.loadUnaligned(fromByteOffset: index << 3, as: UInt64.self))
                if entry & PPGTTEntry.presentBit != 0 && entry & PPGTTEntry.reservedMask == 0 { present.append((index, entry)) }
                index += step
            }
        }
        for (index, entry) in present {
            lastStatistics.shadowEntries += 1
            let va = base | UInt64(index) << shift
            let target = PageFrameNumber((entry & PPGTTEntry.addressMask) >> 12)
            let leafPages: UInt64
            switch level {
            case 1: leafPages = ips ? 16 : 1
            case 2 where entry & PPGTTEntry.pageSizeBit != 0: leafPages = 512
            case 3 where entry & PPGTTEntry.pageSizeBit != 0: leafPages = 1 << 18
            default: leafPages = 0
            }
            if leafPages == 0 {
                visitTable(target, level: level - 1, ips: level == 2 && entry & PPGTTEntry.ipsBit != 0, base: va,
                           pointer: entry & PPGTTEntry.addressMask, context, tableOwners: &tableOwners, findings: &findings)
            } else {
                checkLeaf(GraphicsAddress(va), first: target.rawValue & ~(leafPages - 1), pages: leafPages, entry: entry,
                          level: level, context, findings: &findings)
            }
        }
    }

    /// Every frame of one leaf must be the vGPU's or its scratch data page; the first that is
    /// not is reported (with how many others are not).
    func checkLeaf(_ va: GraphicsAddress, first: UInt64, pages: UInt64, entry: UInt64, level: Int, _ context: WalkContext,
                   findings: inout [IsolationFinding]) {
        var bad: (PageFrameNumber, FrameOwner)?
        var badCount = 0
        let end = min(first + pages, context.memory.frameCount)  // frames beyond memory fault
        var raw = first
        while raw < end {
            let frame = PageFrameNumber(raw)
            lastStatistics.ownershipLookups += 1
            let owner = context.ownership.owner(of: frame)
            if owner != .guest(context.vgpu) && !context.scratch.dataPages.contains(frame) {
                if bad == nil { bad = (frame, owner) }
                badCount += 1
            }
            raw += 1
        }
        guard let (frame, owner) = bad else { return }
        let size = pages == 1 ? "4 KiB" : pages == 16 ? "64 KiB" : pages == 512 ? "2 MiB" : "1 GiB"
        findings.append(IsolationFinding(
            kind: .ppgttMapping, responsible: context.vgpu, victim: IsolationParty(owner), owner: owner, address: va,
            frame: frame,
            detail: "\(context.root): \(size) leaf (L\(level) entry \(hex(entry, width: 16))) maps a \(owner) frame"
                + (badCount > 1 ? " (\(badCount) foreign frames in the page)" : "")))
    }

    /// The cheap check of one shadow entry write (replay, per `.shadowPPGTTWrite`): the target
    /// of a present entry is the vGPU's own frame, one of its scratch pages or a host page
    /// (a shadow table); never another guest's frame or a free frame. Whether a host-page
    /// target is a table or a leaf needs the walk (`checkMappings` at the next dispatch).
    func checkShadowEntry(_ id: VGPUID, table: PhysicalAddress, index: Int, shadow: UInt64, mediator: Mediator, gpu: GPU,
                          ownership: any MemoryOwnership) -> [IsolationFinding] {
        guard shadow & PPGTTEntry.presentBit != 0, shadow & PPGTTEntry.reservedMask == 0 else { return [] }
        let frame = PageFrameNumber((shadow & PPGTTEntry.addressMask) >> 12)
        guard frame.rawValue < gpu.memory.frameCount else { return [] }
        let owner = ownership.owner(of: frame)
        if owner == .guest(id) || owner == .host { return [] }
        return [IsolationFinding(
            kind: .ppgttMapping, responsible: id, victim: IsolationParty(owner), owner: owner, frame: frame,
            detail: "shadow entry \(index) of table \(table) written as \(hex(shadow, width: 16)): a \(owner) frame")]
    }
}
