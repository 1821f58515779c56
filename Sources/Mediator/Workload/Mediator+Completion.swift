import GPUModel

/// Workload completion (GVT: `complete_current_workload`, `update_guest_context`,
/// `complete_execlist_workload`) and the host hardware events that drive it.
extension Mediator {
    /// Takes one hardware event from the host GPU (the live GPU thread and the replayer
    /// call this in the engine's order).
    public func handleHardwareEvent(_ event: GPUEvent) {
        emit(.hardwareEvent(event))
        switch event {
        case let .contextStatus(engine, status, _):
            guard status.flags.contains(.complete), let current = currentWorkloads[engine.index],
                  current.hostDescriptor?.contextID == status.contextID else { return }
            completeCurrent(engine, failure: nil)
        case let .hang(report):
            // The engine hung on a vGPU's workload: reset the host engine; the workload ends
            // with -EIO, the vGPU's queued work on that engine is dropped, nothing injected.
            guard currentWorkloads[report.engine.index] != nil else { return }
            resetHostEngine(report.engine)
            completeCurrent(report.engine, failure: "-EIO: engine hang (\(report.reason.rawValue)) at \(report.acthd)")
        case let .reset(mask):
            for engine in mask.engines where currentWorkloads[engine.index] != nil {
                completeCurrent(engine, failure: "-EIO: host engine reset")
            }
        default:
            break
        }
        dispatchReadyWorkloads()
    }

    /// After a workload ends: a pending switch happens once every engine has drained.
    func rescheduleAfterCompletion(_ engine: EngineID) {
        scheduleAfterCompletion(&scheduler, engine: engine, pendingWork: hasPendingWork, enginesBusy: busyEngines)
    }

    /// Resets a host engine through GDRST (its status page is re-programmed at next dispatch).
    func resetHostEngine(_ engine: EngineID) {
        let bit: UInt32
        switch engine {
        case .rcs: bit = GPU.ResetBit.render
        case .bcs: bit = GPU.ResetBit.blitter
        case .vcs: bit = GPU.ResetBit.media
        case .vecs: bit = GPU.ResetBit.vecs
        }
        host.hostWriteRegister(Reg.gdrst, bit)
    }

    /// Ends the workload executing on `engine`.
    func completeCurrent(_ engine: EngineID, failure: String?) {
        guard let workload = currentWorkloads[engine.index] else { return }
        currentWorkloads[engine.index] = nil
        defer { rescheduleAfterCompletion(engine) }
        guard let vgpu = vgpu(workload.vgpu) else { return }
        if let handle = workload.ppgtt { unpinPPGTT(vgpu, handle) }
        if let index = vgpu.workloadQueues[engine.index].firstIndex(where: { $0.id == workload.id }) {
            vgpu.workloadQueues[engine.index].remove(at: index)
        }
        if failure != nil {
            // GVT: on failure or engine reset drop every queued workload of that engine.
            let dropped = vgpu.workloadQueues[engine.index]
            vgpu.workloadQueues[engine.index].removeAll()
            finish(vgpu, workload, failure: failure)
            for other in dropped { finish(vgpu, other, failure: "dropped after a failed workload on \(engine)") }
            return
        }
        updateGuestContext(vgpu, workload)
        for flip in workload.scan?.displayFlips ?? [] { applyDisplayFlip(vgpu, flip) }
        for event in workload.scan?.pendingEvents ?? [] { triggerVirtualInterrupt(vgpu, event) }
        // Schedule-out, unless the next queued workload is the same context (lite restore).
        let next = vgpu.workloadQueues[engine.index].first
        let sameContext = next.map { $0.descriptor.lrca == workload.descriptor.lrca
            && $0.descriptor.contextID == workload.descriptor.contextID } ?? false
        if !sameContext {
            emulateContextStatus(vgpu, engine, vgpu.execlists[engine.index].scheduleOut(workload.descriptor))
        }
        finish(vgpu, workload, failure: nil)
    }

    /// Writes the completed state back into the guest context (ring head := tail).
    func updateGuestContext(_ vgpu: VGPU, _ workload: Workload) {
        let headSlot = workload.stateGPA.advanced(by: ContextImage.Slot.ringHead.valueByteOffset)
        writeGuest(vgpu, headSlot, dwords: [workload.tail])
    }

    /// Reports a workload's end and releases what it held.
    func finish(_ vgpu: VGPU, _ workload: Workload, failure: String?) {
        if let handle = workload.ppgtt { releasePPGTT(vgpu, handle) }
        for handle in workload.scan?.loadedPPGTTs ?? [] { releasePPGTT(vgpu, handle) }
        for object in workload.shadowBatches { freeHostObject(object) }
        emit(.workloadCompleted(vgpu.id, workload.engine, id: workload.id, failure: failure))
    }
}
