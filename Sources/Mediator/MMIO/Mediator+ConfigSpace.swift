import GPUModel

/// What a vGPU's BARs currently map in the hypervisor (GVT: `cfg_space.bar[].tracked`).
/// The guest-physical base that was mapped is kept, so an unmap always names exactly what
/// was mapped (GVT re-reads the BAR, which after a sizing write holds the size mask).
public struct VirtualBARState: Hashable, Sendable {
    /// BAR0 base whose MMIO + GGTT range is trapped; nil when not trapped.
    public internal(set) var trappedMMIOBase: UInt64?
    /// BAR2 base at which the vGPU's aperture slice is mapped; nil when not mapped.
    public internal(set) var mappedApertureBase: UInt64?

    /// Nothing mapped.
    public init() {}
}

/// The vGPU's virtual PCI configuration space (GVT: `cfg_space.c`).
///
/// Aperture mapping choice: `MPTPort.mapAperture` receives, as host frames, the pages of
/// the host aperture (GMADR) that hold the vGPU's slice, i.e. `slice.lowerBound >> 12`
/// onward — GVT's `vgpu_aperture_pa_base >> PAGE_SHIFT` with the model's aperture at
/// "physical" 0. The hypervisor resolves those frames through the GPU's aperture window
/// (which translates through the GGTT on every access), exactly as BAR2 does on hardware;
/// snapshotting the GGTT's current frames instead would go stale on the next PTE write.
extension Mediator {
    /// The config space a new vGPU starts with (GVT: `intel_vgpu_init_cfg_space`): the
    /// Gen9 device with BAR2 sized like the host aperture, memory/IO/bus-master decoding
    /// off, stolen memory hidden (GMCH control GMS = 0), OpRegion ASLS 0 until the guest
    /// firmware places the OpRegion, and the MSI capability.
    func initialConfigSpace(type: VGPUType) -> PCIConfigSpace {
        var space = PCIConfigSpace(apertureSize: host.hostApertureSize)
        let gmch = space.read(offset: PCIConfigRegister.gmchControl, size: 2) & ~0xFF00
        space.setRaw(offset: PCIConfigRegister.gmchControl, bytes: [UInt8(gmch & 0xFF), UInt8(gmch >> 8)])
        space.setRaw(offset: PCIConfigRegister.asls, bytes: [0, 0, 0, 0])
        return space
    }

    /// Restores the initial config space, first unmapping what the old one had mapped
    /// (GVT: `intel_vgpu_reset_cfg_space`).
    func resetConfigSpace(_ vgpu: VGPU) {
        trapMMIO(vgpu, false)
        mapAperture(vgpu, false)
        vgpu.config = initialConfigSpace(type: vgpu.type)
    }

    /// Config space read (GVT: `intel_vgpu_emulate_cfg_read`): all ones for a bad access.
    func configRead(_ vgpu: VGPU, offset: Int, size: Int) -> UInt32 {
        guard Self.isValidConfigAccess(offset: offset, size: size) else {
            emit(.configAccessError(vgpu.id, offset: offset, size: size, reason: "bad config read"))
            return size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFF_FFFF
        }
        return vgpu.config.read(offset: offset, size: size)
    }

    /// Config space write (GVT: `intel_vgpu_emulate_cfg_write`): the command register's
    /// memory-enable bit traps BAR0 and maps BAR2 (or undoes both); BAR writes size (all
    /// ones) or move a BAR; everything else, MSI included, is stored as the masks allow.
    func configWrite(_ vgpu: VGPU, offset: Int, size: Int, value: UInt32) {
        guard Self.isValidConfigAccess(offset: offset, size: size) else {
            emit(.configAccessError(vgpu.id, offset: offset, size: size, reason: "bad config write"))
            return
        }
        typealias R = PCIConfigRegister
        if offset == R.command {
            guard size <= 2 else {
                emit(.configAccessError(vgpu.id, offset: offset, size: size, reason: "command write wider than 2 bytes"))
                return
            }
            let wasEnabled = vgpu.config.memorySpaceEnabled
            vgpu.config.write(offset: offset, size: size, value: value)
            let enabled = vgpu.config.memorySpaceEnabled
            if enabled != wasEnabled {
                trapMMIO(vgpu, enabled)
                mapAperture(vgpu, enabled)
            }
            return
        }
        guard offset >= R.bar0 && offset < R.bar5 + 4 else {
            vgpu.config.write(offset: offset, size: size, value: value)
            return
        }
        guard offset & 3 == 0 && size == 4 else {
            emit(.configAccessError(vgpu.id, offset: offset, size: size, reason: "partial BAR write"))
            return
        }
        let enabled = vgpu.config.memorySpaceEnabled
        switch offset {
        case R.bar0, R.bar1:
            trapMMIO(vgpu, false)
            vgpu.config.write(offset: offset, size: 4, value: value)
            if value != ~0 { trapMMIO(vgpu, enabled) }  // all ones = sizing: leave untrapped
        case R.bar2, R.bar3:
            mapAperture(vgpu, false)
            vgpu.config.write(offset: offset, size: 4, value: value)
            if value != ~0 { mapAperture(vgpu, enabled) }
        default:
            vgpu.config.write(offset: offset, size: 4, value: value)
        }
    }

    static func isValidConfigAccess(offset: Int, size: Int) -> Bool {
        (size == 1 || size == 2 || size == 4) && offset >= 0 && offset + size <= PCIConfigSpace.size
    }

    /// Traps (or stops trapping) BAR0's MMIO + GGTT range (GVT: `trap_gttmmio`). The end
    /// passed to the hypervisor is inclusive, as GVT's `set_trap_area` takes it.
    func trapMMIO(_ vgpu: VGPU, _ map: Bool) {
        if map {
            guard vgpu.bars.trappedMMIOBase == nil else { return }
            let base = vgpu.config.bar0Base
            mpt.setTrapArea(vgpu.id, start: GuestPhysicalAddress(base),
                            end: GuestPhysicalAddress(base &+ vgpu.config.barSize(0) &- 1), map: true)
            vgpu.bars.trappedMMIOBase = base
        } else {
            guard let base = vgpu.bars.trappedMMIOBase else { return }
            mpt.setTrapArea(vgpu.id, start: GuestPhysicalAddress(base),
                            end: GuestPhysicalAddress(base &+ vgpu.config.barSize(0) &- 1), map: false)
            vgpu.bars.trappedMMIOBase = nil
        }
    }

    /// Maps (or unmaps) the vGPU's aperture slice at its host-identical place in BAR2 (GVT:
    /// `map_aperture`): guest frames from `(BAR2 + slice start) >> 12`, host aperture frames
    /// from `slice start >> 12`, one per page of the slice.
    func mapAperture(_ vgpu: VGPU, _ map: Bool) {
        let slice = vgpu.slices.aperture
        let count = Int(UInt64(slice.count) >> 12)
        let hostFrame = PageFrameNumber(slice.lowerBound >> 12)
        if map {
            guard vgpu.bars.mappedApertureBase == nil else { return }
            let base = vgpu.config.bar2Base
            mpt.mapAperture(vgpu.id, guestFrame: GuestFrameNumber((base &+ slice.lowerBound) >> 12),
                            hostFrame: hostFrame, count: count, map: true)
            vgpu.bars.mappedApertureBase = base
        } else {
            guard let base = vgpu.bars.mappedApertureBase else { return }
            mpt.mapAperture(vgpu.id, guestFrame: GuestFrameNumber((base &+ slice.lowerBound) >> 12),
                            hostFrame: hostFrame, count: count, map: false)
            vgpu.bars.mappedApertureBase = nil
        }
    }
}
