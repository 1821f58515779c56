import GPUModel

/// ELSP submissions → workloads (GVT: `intel_vgpu_submit_execlist`,
/// `intel_vgpu_create_workload`, `prepare_mm`).
extension Mediator {
    /// Takes the complete ELSP submissions the MMIO handlers collected and makes workloads.
    /// Called after every trapped MMIO write.
    func processPendingSubmissions(_ vgpu: VGPU) {
        for engine in EngineID.allCases where !vgpu.pendingSubmissions[engine.index].isEmpty {
            let submissions = vgpu.pendingSubmissions[engine.index]
            vgpu.pendingSubmissions[engine.index].removeAll()
            for submission in submissions { submitExeclist(vgpu, engine, submission) }
        }
        kickSchedule(&scheduler, pendingWork: hasPendingWork, enginesBusy: busyEngines)
        dispatchReadyWorkloads()
    }

    /// One ELSP pair: element 0 must be valid and every valid element privileged.
    func submitExeclist(_ vgpu: VGPU, _ engine: EngineID, _ submission: ExeclistSubmission) {
        guard vgpu.failsafe == nil else {
            emit(.workloadRejected(vgpu.id, engine, id: nil, reason: "vGPU is in failsafe mode"))
            return
        }
        guard submission.element0.isValid else {
            emit(.workloadRejected(vgpu.id, engine, id: nil, reason: "ELSP element 0 is not valid"))
            return
        }
        for element in submission.elements where !element.isPrivileged {
            emit(.workloadRejected(vgpu.id, engine, id: nil,
                                   reason: "unexpected GGTT elsp submission: descriptor \(hex(element.rawValue, width: 16)) lacks the privilege bit"))
            enterFailsafe(vgpu, .guestError, detail: "ELSP submission without the privilege bit on \(engine)")
            return
        }
        if !vgpu.scheduled {
            vgpu.scheduled = true
            startSchedule(&scheduler, vgpu: vgpu.id)
        }
        for (k, element) in submission.elements.enumerated() {
            guard var workload = createWorkload(vgpu, engine, element, submission: k == 0 ? submission : nil) else { return }
            if vgpu.workloadQueues[engine.index].isEmpty || vgpu.workloadQueues[engine.index].allSatisfy({ $0.scan != nil }) {
                // Scan and shadow at ELSP time when the queue has nothing unscanned (GVT since 2017).
                scan(vgpu, &workload)
            }
            vgpu.workloadQueues[engine.index].append(workload)
        }
    }

    /// Reads the guest context and builds a workload; nil (and an event) if it is unusable.
    func createWorkload(_ vgpu: VGPU, _ engine: EngineID, _ descriptor: ContextDescriptor,
                        submission: ExeclistSubmission?) -> Workload? {
        let id = nextWorkloadID
        nextWorkloadID += 1
        func reject(_ reason: String) -> Workload? {
            emit(.workloadRejected(vgpu.id, engine, id: id, reason: reason))
            return nil
        }
        let statePage = descriptor.lrca.advanced(by: ContextImage.registerStatePage << 12)
        guard let stateGPA = guestGGTTTranslate(vgpu, statePage) else {
            return reject("context state page \(statePage) has no guest GGTT mapping")
        }
        guard let bytes = readGuest(vgpu, stateGPA, count: 0x34 * 4) else {
            return reject("context state page at \(stateGPA) is outside guest memory")
        }
        func slot(_ s: ContextImage.Slot) -> UInt32 {
            bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: (s.rawValue + 1) * 4, as: UInt32.self)) }
        }
        var head = slot(.ringHead) & 0x1F_FFFC
        let tail = slot(.ringTail) & 0x1F_FFF8
        // The guest context is not updated yet if the previous queued workload is the same
        // context: continue from that workload's tail.
        if let previous = vgpu.workloadQueues[engine.index].last,
           previous.descriptor.lrca == descriptor.lrca, previous.descriptor.contextID == descriptor.contextID {
            head = previous.tail
        }
        let ctl = slot(.ringCtl)
        let start = GraphicsAddress(UInt64(slot(.ringStart) & 0xFFFF_F000))
        let size = ContextImage.ringSize(ctl: ctl)
        guard ContextImage.ringValid(ctl: ctl), head < size, tail < size else {
            return reject("ring control \(hex(ctl)) or head/tail out of range")
        }
        guard validateGraphicsRange(vgpu, start, size: UInt64(size)) else {
            return reject("ring buffer [\(start), +\(hex(size))) is outside the vGPU's graphics memory")
        }
        let pdps: [UInt64] = [(ContextImage.Slot.pdp0Upper, ContextImage.Slot.pdp0Lower), (.pdp1Upper, .pdp1Lower),
                              (.pdp2Upper, .pdp2Lower), (.pdp3Upper, .pdp3Lower)]
            .map { UInt64(slot($0.0)) << 32 | UInt64(slot($0.1)) }
        let root: GuestPPGTTRoot
        switch descriptor.addressingMode {
        case .legacy64: root = .fourLevel(pml4: GuestPhysicalAddress(pdps[0] & ~0xFFF))
        case .legacy32: root = .threeLevel(pdps: pdps.map { GuestPhysicalAddress($0 & ~0xFFF) })
        case .advanced, .advancedAD: return reject("addressing mode \(descriptor.addressingMode) is not supported")
        }
        guard let ppgtt = findOrCreatePPGTT(vgpu, root: root) else {
            return reject("no shadow PPGTT for the context's page tables")
        }
        var workload = Workload(id: id, vgpu: vgpu.id, engine: engine, descriptor: descriptor, stateGPA: stateGPA,
                                ringStart: start, ringSize: size, head: head, tail: tail,
                                contextControl: slot(.contextControl), guestRoot: root, submission: submission)
        workload.ppgtt = ppgtt
        emit(.workloadCreated(vgpu.id, engine, id: id, context: descriptor, ringStart: start, ringSize: size, head: head,
                              tail: tail))
        return workload
    }

    /// Copies the guest ring HEAD..TAIL (with wrap) and runs the command parser over it
    /// (GVT: `intel_gvt_scan_and_shadow_workload`).
    func scan(_ vgpu: VGPU, _ workload: inout Workload) {
        let count = Int((workload.tail &+ workload.ringSize &- workload.head) % workload.ringSize) / 4
        var ring: [UInt32] = []
        ring.reserveCapacity(count)
        var offset = workload.head
        var unreadable: GraphicsAddress?
        while ring.count < count {
            let chunk = min(count - ring.count, Int(4096 - offset % 4096) / 4, Int(workload.ringSize - offset) / 4)
            let gma = workload.ringStart.advanced(by: UInt64(offset))
            guard let gpa = guestGGTTTranslate(vgpu, gma), let bytes = readGuest(vgpu, gpa, count: chunk * 4) else {
                unreadable = gma
                break
            }
            bytes.withUnsafeBytes { raw in
                for k in 0..<chunk { ring.append(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))) }
            }
            offset = (offset + UInt32(chunk * 4)) % workload.ringSize
        }
        var result: ScanResult
        if let unreadable {
            result = ScanResult()
            result.verdict = .rejected(AuditFailure(
                reason: .unmappedGuestMemory, engine: workload.engine, address: unreadable, header: 0, command: "ring",
                buffer: .ring, addressSpace: .ggtt, detail: "ring page \(unreadable) is not readable guest memory"))
        } else {
            let request = ScanRequest(
                engine: workload.engine, ring: ring, ringStart: workload.ringStart, ringSize: UInt64(workload.ringSize),
                head: UInt64(workload.head), tail: UInt64(workload.tail), privileged: workload.descriptor.isPrivileged,
                ppgttRoot: workload.guestRoot, restoreInhibit: workload.contextControl & ContextImage.restoreInhibit != 0)
            result = scanWorkload(vgpu, request)
        }
        workload.scan = result
        emit(.workloadScanned(vgpu.id, workload.engine, id: workload.id, commands: result.commands,
                              rejection: result.rejection))
    }
}

extension ScanResult {
    /// The rejection as text, or nil when the scan accepted the workload.
    public var rejection: String? {
        if case .rejected(let failure) = verdict { return failure.description }
        return nil
    }
}
