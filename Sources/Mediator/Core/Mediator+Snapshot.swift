import GPUModel

/// The whole state of the mediator at one moment, for replay checkpoints (its vGPUs, the
/// resource allocator, engine owners, the shadow arena, current workloads, host status
/// pages, the scheduler and the saved host MMIO). Every stored `var` of `Mediator` appears
/// here; configuration, ports and tables are fixed at construction.
public struct MediatorSnapshot: Sendable {
    let vgpus: [VGPUSnapshot?]
    let resources: ResourceAllocator
    let engineOwners: [VGPUID?]
    let hostArena: HostShadowArena
    let currentWorkloads: [Workload?]
    let hostStatusPages: [HostObject?]
    let nextWorkloadID: UInt64
    let scheduler: Scheduler
    let hostMMIO: HostMMIOSnapshot
}

extension MediatorSnapshot {
    /// Estimated bytes this snapshot holds that `previous` does not share (the vGPUs' large
    /// tables; see `VGPUSnapshot.bytesNotShared(with:)`).
    public func bytesNotShared(with previous: MediatorSnapshot?) -> Int {
        var bytes = 0
        for (i, vgpu) in vgpus.enumerated() {
            guard let vgpu else { continue }
            let old = previous.flatMap { i < $0.vgpus.count ? $0.vgpus[i] : nil }
            bytes += vgpu.bytesNotShared(with: old)
        }
        return bytes
    }
}

extension Mediator {
    /// A snapshot of the mediator's state.
    public func snapshot() -> MediatorSnapshot {
        MediatorSnapshot(vgpus: vgpus.map { $0?.snapshot() }, resources: resources, engineOwners: engineOwners,
                         hostArena: hostArena, currentWorkloads: currentWorkloads, hostStatusPages: hostStatusPages,
                         nextWorkloadID: nextWorkloadID, scheduler: scheduler, hostMMIO: hostMMIO)
    }

    /// Puts the mediator back to `snapshot` (taken from a mediator of the same configuration).
    /// The observer stays attached; vGPU objects are rebuilt.
    public func restore(_ snapshot: MediatorSnapshot) {
        vgpus = snapshot.vgpus.map { $0.map(VGPU.init(restoring:)) }
        resources = snapshot.resources
        engineOwners = snapshot.engineOwners
        hostArena = snapshot.hostArena
        currentWorkloads = snapshot.currentWorkloads
        hostStatusPages = snapshot.hostStatusPages
        nextWorkloadID = snapshot.nextWorkloadID
        scheduler = snapshot.scheduler
        hostMMIO = snapshot.hostMMIO
    }
}
