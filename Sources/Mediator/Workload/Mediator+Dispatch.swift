import GPUModel

/// Dispatching workloads to the host GPU (GVT: `dispatch_workload`,
/// `populate_shadow_context`, `intel_gvt_scan_and_shadow_workload`): the shadow context
/// gets the guest's state with the shadow ring and the shadow PPGTT root, the scanned ring
/// is copied into the shadow ring, and the shadow context is submitted through the host
/// engine's ELSP.
extension Mediator {
    /// Shadow ring size per vGPU and engine.
    static let shadowRingPages = 8

    /// Starts the next workload on every idle host engine (GVT: `pick_next_workload`: only
    /// from the scheduler's current vGPU, never while a reschedule is pending). A workload
    /// dropped at dispatch (rejected scan, no memory) lets the next one try.
    public func dispatchReadyWorkloads() {
        guard let current = scheduler.currentVGPU, scheduler.mayDispatch(current), let vgpu = vgpu(current) else { return }
        for engine in EngineID.allCases where currentWorkloads[engine.index] == nil {
            while !vgpu.workloadQueues[engine.index].isEmpty, !dispatch(vgpu, engine) {}
        }
    }

    /// True if the vGPU has queued or running workloads (GVT: `vgpu_has_pending_workload`).
    func hasPendingWork(_ id: VGPUID) -> Bool {
        vgpu(id)?.workloadQueues.contains { !$0.isEmpty } ?? false
    }

    /// Engines running a workload.
    var busyEngines: EngineMask {
        var mask: EngineMask = []
        for engine in EngineID.allCases where currentWorkloads[engine.index] != nil { mask.insert(EngineMask(engine)) }
        return mask
    }

    /// The 1 ms scheduler timer fired: balance, charge, pick, switch when drained, dispatch.
    public func schedulerTimerFired() {
        schedulerTick(&scheduler, pendingWork: hasPendingWork, enginesBusy: busyEngines)
        dispatchReadyWorkloads()
    }

    /// Dispatches the head of the vGPU's queue on `engine`; false if it was dropped instead.
    func dispatch(_ vgpu: VGPU, _ engine: EngineID) -> Bool {
        var workload = vgpu.workloadQueues[engine.index][0]
        if workload.scan == nil { scan(vgpu, &workload) }
        if case .rejected(let failure)? = workload.scan?.verdict {
            vgpu.workloadQueues[engine.index].removeFirst()
            finish(vgpu, workload, failure: "scan rejected: \(failure)")
            failWorkloadScan(vgpu, failure)
            return false
        }
        flushPostShadow(vgpu)
        guard let handle = workload.ppgtt, pinPPGTT(vgpu, handle) else {
            vgpu.workloadQueues[engine.index].removeFirst()
            finish(vgpu, workload, failure: "shadow PPGTT could not be pinned")
            return false
        }
        guard prepareHostEngine(engine), var shadow = shadowContext(vgpu, engine),
              let scan = workload.scan else {
            unpinPPGTT(vgpu, handle)
            vgpu.workloadQueues[engine.index].removeFirst()
            finish(vgpu, workload, failure: "no host memory for the shadow context")
            return false
        }
        // Privileged batches run from their scanned shadow copies, placed in host GM.
        guard let (ringDwords, batchObjects) = placeShadowBatches(scan) else {
            unpinPPGTT(vgpu, handle)
            vgpu.workloadQueues[engine.index].removeFirst()
            finish(vgpu, workload, failure: "no host memory for shadow batch buffers")
            return false
        }
        workload.shadowBatches = batchObjects
        // The scanned ring goes into the shadow ring, qword aligned, wrapping.
        var dwords = ringDwords
        if dwords.count % 2 == 1 { dwords.append(0) }
        let ringSize = UInt32(shadow.ring.size)
        guard dwords.count * 4 < Int(ringSize) - 8 else {
            for object in batchObjects { freeHostObject(object) }
            workload.shadowBatches = []
            unpinPPGTT(vgpu, handle)
            vgpu.workloadQueues[engine.index].removeFirst()
            finish(vgpu, workload, failure: "workload larger than the shadow ring")
            return false
        }
        let head = shadow.ringTail
        var offset = head
        for dword in dwords {
            writeHostObject(shadow.ring, at: UInt64(offset), [dword])
            offset = (offset + 4) % ringSize
        }
        shadow.ringTail = offset
        vgpu.shadowContexts[engine.index] = shadow
        populateShadowContext(vgpu, workload, shadow: shadow, head: head, tail: offset, root: shadowRoot(handle))

        if engineOwners[engine.index] != vgpu.id {
            // Lazy per-engine MMIO context switch at the first dispatch of this vGPU.
            switchEngineMMIO(engine: engine, to: vgpu.id,
                             restoreInhibit: workload.contextControl & ContextImage.restoreInhibit != 0)
        }
        if let submission = workload.submission {
            let entries = vgpu.execlists[engine.index].scheduleIn(submission.elements)
            emulateContextStatus(vgpu, engine, entries)
        }
        let descriptor = ContextDescriptor(
            lrca: shadow.image.address, contextID: UInt32(vgpu.id.rawValue) << 8 | UInt32(engine.index),
            addressingMode: workload.descriptor.addressingMode, privileged: true)
        workload.hostDescriptor = descriptor
        workload.state = .dispatched
        vgpu.workloadQueues[engine.index][0] = workload
        currentWorkloads[engine.index] = workload
        emit(.workloadDispatched(vgpu.id, engine, id: workload.id, host: descriptor))
        let elsp = MMIOOffset.ring(.elsp, engine)
        for dword in ExeclistSubmission(element0: descriptor).elspDwords { host.hostWriteRegister(elsp, dword) }
        return true
    }

    /// Places the retargeted shadow batches in host GM, patches the MI_BATCH_BUFFER_STARTs
    /// that reach them (GVT: `prepare_shadow_batch_buffer`) and writes them; returns the
    /// patched ring and the host objects (nil when host memory runs out).
    func placeShadowBatches(_ scan: ScanResult) -> ([UInt32], [HostObject])? {
        var ring = scan.shadowRing
        var batches = scan.batches.map(\.dwords)
        var objects = [HostObject?](repeating: nil, count: scan.batches.count)
        let placed = Set(scan.batchStarts.filter(\.retarget).map(\.batch))
        for index in placed.sorted() {
            let batch = scan.batches[index]
            let bytes = batch.pageOffset + UInt64(batch.dwords.count) * 4
            guard let object = allocateHostObject(pages: Int((bytes + 4095) / 4096)) else {
                for case let made? in objects { freeHostObject(made) }
                return nil
            }
            objects[index] = object
        }
        for patch in scan.batchStarts where patch.retarget {
            guard let object = objects[patch.batch] else { continue }
            let target = object.address.rawValue + patch.pageOffset
            let low = UInt32(truncatingIfNeeded: target) & ~3
            let high = UInt32(truncatingIfNeeded: target >> 32) & 0xFFFF
            switch patch.buffer {
            case .ring:
                ring[patch.dword] = low | (ring[patch.dword] & 3)
                ring[patch.dword + 1] = high
            case .batch(let b):
                batches[b][patch.dword] = low | (batches[b][patch.dword] & 3)
                batches[b][patch.dword + 1] = high
            }
        }
        for (index, object) in objects.enumerated() {
            guard let object else { continue }
            writeHostObject(object, at: scan.batches[index].pageOffset, batches[index])
        }
        return (ring, objects.compactMap { $0 })
    }

    /// Writes the shadow context's register-state page: the guest's values with the shadow
    /// ring, its head/tail and the shadow PPGTT root.
    func populateShadowContext(_ vgpu: VGPU, _ workload: Workload, shadow: ShadowContext, head: UInt32, tail: UInt32,
                               root: PPGTTRoot) {
        let pdps: [UInt64]
        switch root {
        case .fourLevel(let pml4): pdps = [pml4.rawValue, 0, 0, 0]
        case .threeLevel(let pointers): pdps = (0..<4).map { $0 < pointers.count ? pointers[$0].rawValue : 0 }
        }
        let control = workload.contextControl & ~ContextImage.restoreInhibit & 0xFFFF
        let page = ContextImage.initialStatePage(
            engine: workload.engine, ringStart: shadow.ring.address, ringSize: UInt32(shadow.ring.size),
            head: head, tail: tail, pdps: pdps, contextControl: control)
        writeHostObject(shadow.image, at: 4096, page)
    }

    /// The vGPU's shadow context on `engine`, created on first use.
    func shadowContext(_ vgpu: VGPU, _ engine: EngineID) -> ShadowContext? {
        if let existing = vgpu.shadowContexts[engine.index] { return existing }
        guard let image = allocateHostObject(pages: ContextImage.pageCount(for: engine)) else { return nil }
        guard let ring = allocateHostObject(pages: Self.shadowRingPages) else {
            freeHostObject(image)
            return nil
        }
        let context = ShadowContext(image: image, ring: ring)
        vgpu.shadowContexts[engine.index] = context
        return context
    }

    /// Gives the host engine a status page (HWS_PGA) once, and again after a host reset.
    func prepareHostEngine(_ engine: EngineID) -> Bool {
        if hostStatusPages[engine.index] == nil {
            guard let page = allocateHostObject(pages: 1) else { return false }
            hostStatusPages[engine.index] = page
        }
        let page = hostStatusPages[engine.index]!
        let hws = MMIOOffset.ring(.hwsPGA, engine)
        if host.hostReadRegister(hws) != UInt32(truncatingIfNeeded: page.address.rawValue) {
            host.hostWriteRegister(hws, UInt32(truncatingIfNeeded: page.address.rawValue))
        }
        return true
    }

    /// Frees a vGPU's shadow contexts (destroy).
    func freeShadowContexts(_ vgpu: VGPU) {
        for engine in EngineID.allCases {
            if let context = vgpu.shadowContexts[engine.index] {
                freeHostObject(context.image)
                freeHostObject(context.ring)
                vgpu.shadowContexts[engine.index] = nil
            }
        }
    }
}
