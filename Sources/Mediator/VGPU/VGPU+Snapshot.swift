import GPUModel

/// The whole state of one vGPU at one moment, for replay checkpoints. Every stored property
/// of `VGPU` appears here: a property added there must be added here too (the checkpoint
/// equivalence tests replay past a restore and compare with a straight replay).
public struct VGPUSnapshot: Sendable {
    let id: VGPUID
    let type: VGPUType
    let slices: GraphicsMemorySlices
    let hostFences: [Int]
    let vregs: RegisterFile
    let config: PCIConfigSpace
    let bars: VirtualBARState
    let failsafe: FailsafeReason?
    let pvNotified: Bool
    let hwsPGA: [GraphicsAddress]
    let elspPorts: [ExeclistSubmitPort]
    let pendingSubmissions: [[ExeclistSubmission]]
    let pendingTLBInvalidate: EngineMask
    let resettingEngines: EngineMask
    let accessed: ChunkedArray<UInt64>
    let untrackedAccesses: Int
    let ggtt: GuestGGTT
    let ppgtt: PPGTTShadow
    let scheduled: Bool
    let execlists: [VirtualExeclist]
    let workloadQueues: [[Workload]]
    let shadowContexts: [ShadowContext?]
    let display: VirtualDisplay
    let scanNonPrivilegedBatches: EngineMask
}

extension VGPU {
    /// A snapshot of this vGPU.
    public func snapshot() -> VGPUSnapshot {
        VGPUSnapshot(id: id, type: type, slices: slices, hostFences: hostFences, vregs: vregs, config: config, bars: bars,
                     failsafe: failsafe, pvNotified: pvNotified, hwsPGA: hwsPGA, elspPorts: elspPorts,
                     pendingSubmissions: pendingSubmissions, pendingTLBInvalidate: pendingTLBInvalidate,
                     resettingEngines: resettingEngines, accessed: accessed, untrackedAccesses: untrackedAccesses, ggtt: ggtt,
                     ppgtt: ppgtt, scheduled: scheduled, execlists: execlists, workloadQueues: workloadQueues,
                     shadowContexts: shadowContexts, display: display, scanNonPrivilegedBatches: scanNonPrivilegedBatches)
    }

    /// A vGPU in the state of `snapshot`.
    convenience init(restoring s: VGPUSnapshot) {
        self.init(id: s.id, type: s.type, slices: s.slices, hostFences: s.hostFences, config: s.config)
        vregs = s.vregs
        bars = s.bars
        failsafe = s.failsafe
        pvNotified = s.pvNotified
        hwsPGA = s.hwsPGA
        elspPorts = s.elspPorts
        pendingSubmissions = s.pendingSubmissions
        pendingTLBInvalidate = s.pendingTLBInvalidate
        resettingEngines = s.resettingEngines
        accessed = s.accessed
        untrackedAccesses = s.untrackedAccesses
        ggtt = s.ggtt
        ppgtt = s.ppgtt
        scheduled = s.scheduled
        execlists = s.execlists
        workloadQueues = s.workloadQueues
        shadowContexts = s.shadowContexts
        display = s.display
        scanNonPrivilegedBatches = s.scanNonPrivilegedBatches
    }
}

extension VGPUSnapshot {
    /// Estimated bytes this snapshot holds that `previous` (of the same vGPU) does not share:
    /// register and bitmap chunks, guest GGTT chunks and shadow page tables written since.
    public func bytesNotShared(with previous: VGPUSnapshot?) -> Int {
        let previous = previous?.id == id ? previous : nil
        return vregs.bytesNotShared(with: previous?.vregs) + accessed.bytesNotShared(with: previous?.accessed)
            + ggtt.aperture.bytesNotShared(with: previous?.ggtt.aperture) + ggtt.hidden.bytesNotShared(with: previous?.ggtt.hidden)
            + ppgtt.bytesNotShared(with: previous?.ppgtt)
    }
}

extension PPGTTShadow {
    /// Estimated bytes of shadow tables not shared with `previous`: the table array when it
    /// was written, and each table's child links that changed.
    func bytesNotShared(with previous: PPGTTShadow?) -> Int {
        if let previous, tables.sharesBuffer(with: previous.tables) { return 0 }
        var bytes = tables.count * MemoryLayout<ShadowPageTable?>.stride
        for (slot, table) in tables.enumerated() {
            guard let table else { continue }
            if let previous, slot < previous.tables.count, let old = previous.tables[slot],
               table.children.sharesBuffer(with: old.children) && table.postShadow.sharesBuffer(with: old.postShadow) { continue }
            bytes += table.children.count * 4 + table.postShadow.count * 8
        }
        return bytes
    }
}
