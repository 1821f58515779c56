import GPUModel

/// The entry points the hypervisor calls (GVT: `intel_gvt_ops`). Each observes its input
/// and result; the work is done by the concern folders.
extension Mediator {
    /// A trapped read of the vGPU's BAR0 at `offset` (GVT: `intel_vgpu_emulate_mmio_read`).
    /// Unknown vGPUs and bad sizes read as all ones, never a crash.
    public func emulateMMIORead(_ id: VGPUID, offset: UInt64, size: Int, origin: TrapOrigin? = nil) -> UInt64 {
        guard let vgpu = vgpu(id), [1, 2, 4, 8].contains(size) else { return ~0 }
        let value: UInt64
        if offset >= BARLayout.ggttOffset {
            value = ggttMMIORead(vgpu, offset: offset, size: size)
        } else if offset + UInt64(size) <= BARLayout.mmioSize {
            value = mmioRegisterRead(vgpu, MMIOOffset(UInt32(offset)), size: size)
        } else {
            value = 0  // the reserved hole between MMIO and the GGTT
        }
        emit(.mmioRead(id, offset: offset, size: size, value: value, origin: origin))
        return value
    }

    /// A trapped write of the vGPU's BAR0 (GVT: `intel_vgpu_emulate_mmio_write`).
    public func emulateMMIOWrite(_ id: VGPUID, offset: UInt64, size: Int, value: UInt64, origin: TrapOrigin? = nil) {
        guard let vgpu = vgpu(id), [1, 2, 4, 8].contains(size) else { return }
        emit(.mmioWrite(id, offset: offset, size: size, value: value, origin: origin))
        if offset >= BARLayout.ggttOffset {
            ggttMMIOWrite(vgpu, offset: offset, size: size, value: value)
        } else if offset + UInt64(size) <= BARLayout.mmioSize {
            mmioRegisterWrite(vgpu, MMIOOffset(UInt32(offset)), size: size, value: value)
            if vgpu.pendingSubmissions.contains(where: { !$0.isEmpty }) { processPendingSubmissions(vgpu) }
        }
    }

    /// A PCI config space read (GVT: `intel_vgpu_emulate_cfg_read`).
    public func emulateConfigRead(_ id: VGPUID, offset: Int, size: Int) -> UInt32 {
        guard let vgpu = vgpu(id) else { return ~0 }
        let value = configRead(vgpu, offset: offset, size: size)
        emit(.configRead(id, offset: offset, size: size, value: value))
        return value
    }

    /// A PCI config space write (GVT: `intel_vgpu_emulate_cfg_write`).
    public func emulateConfigWrite(_ id: VGPUID, offset: Int, size: Int, value: UInt32) {
        guard let vgpu = vgpu(id) else { return }
        emit(.configWrite(id, offset: offset, size: size, value: value))
        configWrite(vgpu, offset: offset, size: size, value: value)
    }

    /// A guest write to a write-protected page (GVT: `intel_vgpu_page_track_handler`).
    /// Returns false if the page is not tracked (the hypervisor then writes it normally).
    @discardableResult
    public func handlePageTrackWrite(_ id: VGPUID, address: GuestPhysicalAddress, bytes: [UInt8]) -> Bool {
        guard let vgpu = vgpu(id) else { return false }
        emit(.pageTrackWrite(id, address, bytes: bytes))
        return pageTrackWrite(vgpu, address, bytes: bytes)
    }

    /// The vblank timer fired: every vGPU with an enabled pipe gets its vblank (GVT:
    /// `intel_gvt_emulate_vblank`).
    public func vblankTimerFired() {
        let time = now()
        emit(.timer(.vblank, time))
        for case let vgpu? in vgpus { emulateVblank(vgpu) }
    }
}
