import GPUModel

/// The whole state of an engine at one moment: the GPU, the mediator, the entry clock, the
/// VM RAM given out and the guest stores not yet reported. Restoring it and performing the
/// same inputs gives exactly what performing them after the original moment gave.
public struct EngineSnapshot: Sendable {
    /// The GPU's state.
    public let gpu: GPUSnapshot
    /// The mediator's state.
    public let mediator: MediatorSnapshot
    let time: VirtualTime
    let entries: UInt64
    let guestRAM: [VGPUID: [PageFrameNumber]]
    let stores: GuestStoreLog
}

extension EngineSnapshot {
    /// Estimated bytes this snapshot holds that `previous` does not share: the GPU's and the
    /// mediator's large tables and memory pages written since (small state not counted).
    public func bytesNotShared(with previous: EngineSnapshot?) -> Int {
        gpu.bytesNotShared(with: previous?.gpu) + mediator.bytesNotShared(with: previous?.mediator)
    }
}

extension Engine {
    /// A snapshot of the engine; memory pages equal to those of `previous` share its storage.
    public func snapshot(reusing previous: EngineSnapshot? = nil) -> EngineSnapshot {
        EngineSnapshot(gpu: gpu.snapshot(reusing: previous?.gpu), mediator: mediator.snapshot(), time: clock.time, entries: entries,
                       guestRAM: guestRAM, stores: stores)
    }

    /// Puts the engine back to `snapshot` (taken from an engine of the same configuration).
    public func restore(_ snapshot: EngineSnapshot) {
        gpu.restore(snapshot.gpu)
        mediator.restore(snapshot.mediator)
        clock.reset(to: snapshot.time)
        entries = snapshot.entries
        guestRAM = snapshot.guestRAM
        stores = snapshot.stores
    }
}
