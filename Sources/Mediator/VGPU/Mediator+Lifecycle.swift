import GPUModel

/// vGPU create, destroy and reset (GVT: `vgpu.c`).
extension Mediator {
    /// Creates a vGPU of `type` (GVT: `intel_gvt_create_vgpu`): allocates graphics memory
    /// and fences, builds its config space and registers, populates PVINFO.
    @discardableResult
    public func createVGPU(type: VGPUType) throws(MediatorError) -> VGPUID {
        guard let slot = (1..<VGPUID.limit).first(where: { vgpus[$0] == nil }) else {
            throw .tooManyVGPUs(limit: VGPUID.limit - 1)
        }
        let (slices, fences) = try resources.allocate(type)
        let id = VGPUID(slot)
        let vgpu = VGPU(id: id, type: type, slices: slices, hostFences: fences, config: initialConfigSpace(type: type))
        vgpus[slot] = vgpu
        emit(.vgpuCreated(id, type: type.name))
        resetVirtualRegisters(vgpu, deviceModelLevel: true)
        populatePVInfo(vgpu)
        resetGGTT(vgpu)
        resetFences(vgpu)
        resetDisplay(vgpu)
        return id
    }

    /// Destroys a vGPU (GVT: `intel_gvt_destroy_vgpu`): its shadow page tables, GGTT range
    /// (cleared, so no mapping leaks to the next owner) and fences are released.
    public func destroyVGPU(_ id: VGPUID) throws(MediatorError) {
        guard let vgpu = vgpu(id) else { throw .noSuchVGPU(id) }
        emit(.vgpuDestroyed(id))
        for engine in EngineID.allCases where currentWorkloads[engine.index]?.vgpu == id {
            // Its work is still on the host engine: stop it there (GVT waits for idle first).
            resetHostEngine(engine)
            currentWorkloads[engine.index] = nil
        }
        for engine in EngineID.allCases where engineOwners[engine.index] == id { engineOwners[engine.index] = nil }
        for engine in EngineID.allCases {
            for workload in vgpu.workloadQueues[engine.index] where workload.state != .dispatched {
                finish(vgpu, workload, failure: "vGPU destroyed")
            }
            vgpu.workloadQueues[engine.index].removeAll()
        }
        freeShadowContexts(vgpu)
        if vgpu.scheduled { stopSchedule(&scheduler, vgpu: id) }
        scheduler.removeVGPU(id)
        invalidatePPGTT(vgpu)
        resetGGTT(vgpu)
        resetFences(vgpu)
        resources.free(vgpu.slices, fences: vgpu.hostFences)
        vgpus[id.rawValue] = nil
    }

    /// Resets a vGPU (GVT: `intel_gvt_reset_vgpu_locked`). A device-model-level reset
    /// (`deviceModelLevel`, e.g. VM reboot) restores everything from the firmware snapshot
    /// and clears failsafe; a GT reset (GDRST full) keeps display and interrupt state; an
    /// engine reset only drops that engine's submissions.
    public func resetVGPU(_ id: VGPUID, deviceModelLevel: Bool, engines: EngineMask = .all) throws(MediatorError) {
        guard let vgpu = vgpu(id) else { throw .noSuchVGPU(id) }
        emit(.vgpuReset(id, deviceModelLevel: deviceModelLevel, engines: engines))
        vgpu.resettingEngines = engines
        defer { vgpu.resettingEngines = [] }
        for engine in engines.engines {
            vgpu.elspPorts[engine.index].reset()
            vgpu.pendingSubmissions[engine.index].removeAll()
            vgpu.execlists[engine.index].reset()
            // Queued work is dropped; a workload already on the host completes there and is
            // then found gone (GVT waits for it to finish before resetting).
            let running = currentWorkloads[engine.index]?.vgpu == id ? currentWorkloads[engine.index]?.id : nil
            for workload in vgpu.workloadQueues[engine.index] where workload.id != running {
                finish(vgpu, workload, failure: "dropped by vGPU reset")
            }
            vgpu.workloadQueues[engine.index].removeAll { $0.id != running }
        }
        let full = deviceModelLevel || engines == .all
        guard full else { return }
        if vgpu.scheduled {
            vgpu.scheduled = false
            stopSchedule(&scheduler, vgpu: id)
        }
        invalidatePPGTT(vgpu)
        resetVirtualRegisters(vgpu, deviceModelLevel: deviceModelLevel)
        populatePVInfo(vgpu)
        if deviceModelLevel {
            resetGGTT(vgpu)
            resetFences(vgpu)
            resetConfigSpace(vgpu)
            vgpu.failsafe = nil
            vgpu.pvNotified = false
            resetDisplay(vgpu)
        }
    }
}
