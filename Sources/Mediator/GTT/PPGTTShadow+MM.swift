import GPUModel

/// Shadow PPGTTs: lookup by guest root, references, pins, LRU reclaim (GVT:
/// `intel_vgpu_get_ppgtt_mm`, `intel_vgpu_create_ppgtt_mm`, `intel_vgpu_mm_get/put`,
/// `intel_vgpu_pin_mm`, `reclaim_one_ppgtt_mm`, `shadow_ppgtt_mm`, `invalidate_ppgtt_mm`).
extension Mediator {
    /// The shadow PPGTT for `root`, with a new reference taken; built (shadow tables, guest
    /// tables write-protected) if none exists yet. Nil when the host has no pages for it even
    /// after reclaiming (reported as `shadowPPGTTRequestIgnored`). Root pointers outside
    /// guest memory give a not-present shadow root (reported as `shadowPPGTTRefused`).
    public func findOrCreatePPGTT(_ vgpu: VGPU, root: GuestPPGTTRoot) -> ShadowPPGTTHandle? {
        let root = root.normalized
        if let slot = vgpu.ppgtt.findMM(root) {
            vgpu.ppgtt.mms[slot]!.refs += 1
            vgpu.ppgtt.mms[slot]!.lastUsed = vgpu.ppgtt.tick()
            return handle(vgpu, slot)
        }
        let slot: Int
        if let free = vgpu.ppgtt.mms.firstIndex(where: { $0 == nil }) {
            slot = free
            vgpu.ppgtt.mms[slot] = ShadowMM(root: root)
        } else {
            slot = vgpu.ppgtt.mms.count
            vgpu.ppgtt.mms.append(ShadowMM(root: root))
            vgpu.ppgtt.mmGenerations.append(0)
        }
        vgpu.ppgtt.mms[slot]!.lastUsed = vgpu.ppgtt.tick()
        guard shadowMM(vgpu, slot: slot) else {
            removeMM(vgpu, slot: slot)
            emit(.shadowPPGTTRequestIgnored(vgpu.id, guestRoots: root.pointers.map(\.rawValue),
                                            reason: "no host pages left for the shadow page tables"))
            return nil
        }
        return handle(vgpu, slot)
    }

    /// The shadow PPGTT for `root`, if one exists (no reference taken).
    public func findPPGTT(_ vgpu: VGPU, root: GuestPPGTTRoot) -> ShadowPPGTTHandle? {
        vgpu.ppgtt.findMM(root.normalized).map { handle(vgpu, $0) }
    }

    /// Drops a reference (GVT: `intel_vgpu_mm_put`); the last one frees the shadow tables
    /// and makes the handle stale.
    public func releasePPGTT(_ vgpu: VGPU, _ handle: ShadowPPGTTHandle) {
        guard handle.vgpu == vgpu.id, let slot = vgpu.ppgtt.slot(of: handle) else { return }
        vgpu.ppgtt.mms[slot]!.refs -= 1
        guard vgpu.ppgtt.mms[slot]!.refs <= 0 else { return }
        if vgpu.ppgtt.mms[slot]!.shadowed { unshadowMM(vgpu, slot: slot, reason: "destroyed") }
        removeMM(vgpu, slot: slot)
    }

    /// Pins a shadow PPGTT for a workload (GVT: `intel_vgpu_pin_mm`), re-shadowing it if it
    /// was reclaimed; false if that fails (stale handle, host out of pages).
    public func pinPPGTT(_ vgpu: VGPU, _ handle: ShadowPPGTTHandle) -> Bool {
        guard handle.vgpu == vgpu.id, let slot = vgpu.ppgtt.slot(of: handle) else { return false }
        if !vgpu.ppgtt.mms[slot]!.shadowed {
            guard shadowMM(vgpu, slot: slot) else { return false }
        }
        vgpu.ppgtt.mms[slot]!.pins += 1
        vgpu.ppgtt.mms[slot]!.lastUsed = vgpu.ppgtt.tick()
        return true
    }

    /// Unpins (GVT: `intel_vgpu_unpin_mm`); an unpinned shadow PPGTT may be reclaimed.
    public func unpinPPGTT(_ vgpu: VGPU, _ handle: ShadowPPGTTHandle) {
        guard handle.vgpu == vgpu.id, let slot = vgpu.ppgtt.slot(of: handle), vgpu.ppgtt.mms[slot]!.pins > 0 else { return }
        vgpu.ppgtt.mms[slot]!.pins -= 1
    }

    /// True while `handle` names a live shadow PPGTT whose shadow tables exist.
    public func isShadowed(_ handle: ShadowPPGTTHandle) -> Bool {
        guard let vgpu = vgpu(handle.vgpu), let slot = vgpu.ppgtt.slot(of: handle) else { return false }
        return vgpu.ppgtt.mms[slot]!.shadowed
    }

    /// The host root of a shadow PPGTT: what goes in the shadow context's PDP slots (GVT:
    /// `update_shadow_pdps`). A stale or reclaimed (unshadowed) handle gives an all-zero,
    /// not-present root, so the GPU faults instead of reading anything; pin first.
    public func shadowRoot(_ handle: ShadowPPGTTHandle) -> PPGTTRoot {
        guard let vgpu = vgpu(handle.vgpu), let slot = vgpu.ppgtt.slot(of: handle) else { return .fourLevel(pml4: 0) }
        let mm = vgpu.ppgtt.mms[slot]!
        let pointers = shadowRootPointers(vgpu, mm)
        if case .fourLevel = mm.root { return .fourLevel(pml4: PhysicalAddress(pointers.first ?? 0)) }
        return .threeLevel(pdps: (0..<4).map { PhysicalAddress($0 < pointers.count ? pointers[$0] : 0) })
    }

    // MARK: Internals

    func handle(_ vgpu: VGPU, _ slot: Int) -> ShadowPPGTTHandle {
        ShadowPPGTTHandle(vgpu: vgpu.id, slot: slot, generation: vgpu.ppgtt.mmGenerations[slot])
    }

    /// Host addresses of the shadow root tables (0 = not present).
    func shadowRootPointers(_ vgpu: VGPU, _ mm: ShadowMM) -> [UInt64] {
        guard mm.shadowed else { return mm.root.pointers.map { _ in 0 } }
        return mm.rootTables.map { $0 >= 0 ? vgpu.ppgtt.tables[Int($0)]!.hostFrame.address.rawValue : 0 }
    }

    /// Builds the shadow tables of shadow PPGTT `slot` (GVT: `shadow_ppgtt_mm`). On lack of
    /// host pages everything built is released and false returned.
    func shadowMM(_ vgpu: VGPU, slot: Int) -> Bool {
        vgpu.ppgtt.mms[slot]!.building = true
        defer { vgpu.ppgtt.mms[slot]?.building = false }
        let root = vgpu.ppgtt.mms[slot]!.root
        let failuresBefore = vgpu.ppgtt.allocationFailures
        var rootTables: [Int32] = []
        for (k, pointer) in root.pointers.enumerated() {
            guard pointer.rawValue != 0 else {
                rootTables.append(-1)
                continue
            }
            switch acquireTable(vgpu, pointer.frame, level: root.rootLevel, ips: false) {
            case .table(let id): rootTables.append(id)
            case .outsideGuestMemory:
                emit(.shadowPPGTTRefused(vgpu.id, guestTable: pointer, index: k, guest: pointer.rawValue,
                                         reason: "root page table outside guest memory: not present"))
                rootTables.append(-1)
            case .outOfHostMemory:
                rootTables.append(-1)
            }
        }
        guard vgpu.ppgtt.allocationFailures == failuresBefore else {
            for id in rootTables where id >= 0 { releaseTable(vgpu, id) }
            return false
        }
        vgpu.ppgtt.mms[slot]!.rootTables = rootTables
        vgpu.ppgtt.mms[slot]!.shadowed = true
        let mm = vgpu.ppgtt.mms[slot]!
        emit(.shadowPPGTTCreated(vgpu.id, guestRoots: root.pointers.map(\.rawValue), shadowRoots: shadowRootPointers(vgpu, mm)))
        return true
    }

    /// Frees the shadow tables of shadow PPGTT `slot`, keeping the mm (GVT: `invalidate_ppgtt_mm`).
    func unshadowMM(_ vgpu: VGPU, slot: Int, reason: String) {
        let rootTables = vgpu.ppgtt.mms[slot]!.rootTables
        vgpu.ppgtt.mms[slot]!.rootTables = []
        vgpu.ppgtt.mms[slot]!.shadowed = false
        for id in rootTables where id >= 0 { releaseTable(vgpu, id) }
        emit(.shadowPPGTTReleased(vgpu.id, guestRoots: vgpu.ppgtt.mms[slot]!.root.pointers.map(\.rawValue), reason: reason))
    }

    /// Forgets shadow PPGTT `slot` (already unshadowed); its handles become stale.
    func removeMM(_ vgpu: VGPU, slot: Int) {
        vgpu.ppgtt.mms[slot] = nil
        vgpu.ppgtt.mmGenerations[slot] &+= 1
    }

    /// Unshadows one unpinned shadow PPGTT, least recently used first: the requesting
    /// vGPU's own, then other vGPUs' in id order (GVT keeps one LRU list for all vGPUs; the
    /// model has no global clock to order them by). False if none can be reclaimed.
    func reclaimOnePPGTT(preferring vgpu: VGPU) -> Bool {
        var order: [VGPU] = [vgpu]
        for case let other? in vgpus where other !== vgpu { order.append(other) }
        for candidate in order {
            var victim: Int?
            for slot in candidate.ppgtt.mms.indices {
                guard let mm = candidate.ppgtt.mms[slot], mm.shadowed, mm.pins == 0, !mm.building else { continue }
                if victim == nil || mm.lastUsed < candidate.ppgtt.mms[victim!]!.lastUsed { victim = slot }
            }
            if let victim {
                unshadowMM(candidate, slot: victim, reason: "reclaimed")
                return true
            }
        }
        return false
    }
}
