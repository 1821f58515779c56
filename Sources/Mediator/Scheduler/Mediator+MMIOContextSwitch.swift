import GPUModel

/// Performing the MMIO context switch on the host (GVT: `intel_gvt_switch_mmio`,
/// `handle_tlb_pending_event`, and the engine loop of `intel_vgpu_stop_schedule`).
extension Mediator {
    /// Switches `engine`'s MMIO context from its owner (`engineOwners`) to `next` (nil = the
    /// host): saves the engine registers from the hardware into the outgoing owner (its vregs
    /// with the mask bits cleared, or `hostMMIO`), loads the host MOCS once, writes the plan
    /// through `host.hostWriteRegister`, then runs the incoming vGPU's pending TLB
    /// invalidation for the engine (write 1, poll for 0; the vreg reads 0 on success).
    /// Nothing happens when `next` already owns the engine or is not a vGPU.
    /// - Returns: the writes, also observed as `.mmioContextSwitch`.
    @discardableResult
    public func switchEngineMMIO(engine: EngineID, to next: VGPUID?, restoreInhibit: Bool = false,
                                 mode: MMIOContextSwitch.Mode = .gen9) -> [RegisterWrite] {
        let previous = engineOwners[engine.index]
        guard previous != next else { return [] }
        let incoming = next.flatMap { vgpu($0) }
        guard next == nil || incoming != nil else { return [] }
        // An owner destroyed without being switched out saves nothing: the host values stay.
        let outgoing = previous.flatMap { vgpu($0) }
        saveEngineRegisters(engine, into: outgoing, fromHost: previous == nil, mode: mode)
        let snapshot = hostMMIO
        var writes = MMIOContextSwitch.plan(engine: engine, from: outgoing, to: incoming, restoreInhibit: restoreInhibit,
                                            mode: mode, hostValues: { snapshot.value(at: $0) })
        for write in writes { host.hostWriteRegister(write.offset, write.value) }
        if let incoming, incoming.pendingTLBInvalidate.contains(engine) {
            incoming.pendingTLBInvalidate.remove(EngineMask(engine))
            let register = Reg.tlbInvalidate(engine)
            let before = host.hostReadRegister(register)
            host.hostWriteRegister(register, 1)
            if host.hostReadRegister(register) == 0 { incoming.vregs[register] = 0 }
            writes.append(RegisterWrite(offset: register, old: before, value: 1))
        }
        engineOwners[engine.index] = next
        emit(.mmioContextSwitch(engine, from: previous, to: next, writes: writes))
        return writes
    }

    /// Switches every engine `vgpu` owns back to the host (GVT: the tail of
    /// `intel_vgpu_stop_schedule`).
    public func switchEnginesToHost(ownedBy vgpu: VGPUID) {
        for engine in EngineID.allCases where engineOwners[engine.index] == vgpu {
            switchEngineMMIO(engine: engine, to: nil)
        }
    }

    /// GVT's "save" half of `switch_mmio` (and `load_render_mocs`).
    private func saveEngineRegisters(_ engine: EngineID, into outgoing: VGPU?, fromHost: Bool,
                                     mode: MMIOContextSwitch.Mode) {
        for index in MMIOContextSwitch.switchedIndices(for: engine, mode: mode) {
            let entry = MMIOContextSwitch.gen9List[index]
            let value = host.hostReadRegister(entry.offset)
            if let outgoing {
                outgoing.vregs[entry.offset] = entry.mask != 0 ? value & ~(entry.mask << 16) : value
            } else if fromHost {
                hostMMIO.values[index] = value
            }
        }
        guard fromHost, !hostMMIO.mocsLoaded else { return }
        for engine in EngineID.allCases {
            for i in 0..<mocsEntryCount {
                hostMMIO.mocs[engine.index * mocsEntryCount + i] = host.hostReadRegister(.mocs(engine, i))
            }
        }
        for i in 0..<l3ccRegisterCount { hostMMIO.l3cc[i] = host.hostReadRegister(.l3cc(i)) }
        hostMMIO.mocsLoaded = true
    }
}
