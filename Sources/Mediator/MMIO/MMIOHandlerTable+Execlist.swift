import GPUModel

/// Execlist registers: ELSP collection, HWS_PGA audit, execlist status, context control,
/// PDPs and the context status buffer (GVT: `elsp_mmio_write`, `hws_pga_write` and the
/// BDW+ execlist rows of `handlers.c`). Turning a submission into a workload is the
/// submission half's job: the MMIO path only queues complete ELSP submissions.
extension MMIOHandlerTable {
    /// Execlist rows for every engine.
    static func execlistRows() -> [MMIOInfo] {
        var rows: [MMIOInfo] = []
        for engine in EngineID.allCases {
            func at(_ register: RingRegister) -> MMIOOffset { .ring(register, engine) }
            rows += [
                // GVT: MMIO_RING_GM (F_GMADR only): not command-accessible, so an LRI of it
                // fails the scan instead of moving the host's status page.
                MMIOInfo(at(.hwsPGA), flags: [.graphicsAddress], addressMask: 0xFFFF_F000,
                         write: { $0.hwsPGAWrite($1, $2, $4) }),
                MMIOInfo(at(.elsp), write: { $0.elspWrite($1, $2, $4) }),
                MMIOInfo(at(.execlistStatusLo), size: 8, flags: [.readOnly], readOnlyMask: ~0),
                MMIOInfo(at(.contextControl), flags: [.modeMask, .commandAccess]),
                MMIOInfo(at(.pdp0LDW), size: 32, flags: [.commandAccess]),
                MMIOInfo(.csb(engine, entry: 0), size: 8 * csbEntryCount, flags: [.readOnly], readOnlyMask: ~0),
                MMIOInfo(at(.csbPointer), flags: [.modeMask]),
            ]
        }
        return rows
    }
}

extension Mediator {
    /// ELSP write (GVT: `elsp_mmio_write`): the four dwords of a submission are collected in
    /// the vGPU's per-engine port; the fourth queues the submission in
    /// `vgpu.pendingSubmissions[engine]`. The virtual register is not written.
    func elspWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        guard let engine = EngineID.owning(offset) else { return }
        if let submission = vgpu.elspPorts[engine.index].write(UInt32(truncatingIfNeeded: value)) {
            vgpu.pendingSubmissions[engine.index].append(submission)
        }
    }

    /// HWS_PGA write (GVT: `hws_pga_write`): the address must be 0 or a 4 KiB page lying in
    /// one of the vGPU's graphics-memory slices; anything else is ignored and reported. The
    /// accepted value is kept in `vgpu.hwsPGA[engine]` (CSB emulation and index-mode
    /// patching use it) and in the virtual register.
    func hwsPGAWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        let data = UInt32(truncatingIfNeeded: value)
        guard let engine = EngineID.owning(offset) else { return }
        guard data == 0 || vgpu.slices.containsPage(at: UInt64(data)) else {
            mmioError(vgpu, offset, isWrite: true, "HWS_PGA \(hex(data)) outside the vGPU's graphics memory")
            return
        }
        vgpu.hwsPGA[engine.index] = GraphicsAddress(UInt64(data))
        vgpu.vregs[offset] = data
    }
}

extension GraphicsMemorySlices {
    /// True if the 4 KiB page starting at `address` lies wholly inside one slice (GVT:
    /// `intel_gvt_ggtt_validate_range(vgpu, address, I915_GTT_PAGE_SIZE)`).
    func containsPage(at address: UInt64) -> Bool {
        let end = address &+ 4095
        guard end > address else { return false }
        return (aperture.contains(address) && aperture.contains(end)) || (hidden.contains(address) && hidden.contains(end))
    }
}
