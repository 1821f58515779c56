import GPUModel

/// The command parser's entry points (GVT: `intel_gvt_scan_and_shadow_ringbuffer`'s scan
/// half, the scan error path of `intel_gvt_scan_and_shadow_workload`, debugfs
/// `scan_nonprivbb`, and the plane update of `cmd_handler_mi_display_flip`).
extension Mediator {
    /// Scans and shadows one workload's ring and privileged batch buffers (GVT: `scan_workload`
    /// with `perform_bb_shadow`). Reports only: nothing runs and no failsafe is entered here;
    /// a rejected workload goes to `failWorkloadScan`. Side effects are GVT's: guest memory
    /// reads (observed), the MOCS vreg update of an LRI, the write handler of a write-patched
    /// register (which may enter failsafe), and a reference on each shadow PPGTT a PDP load
    /// names (`ScanResult.loadedPPGTTs`, for dispatch to release).
    public func scanWorkload(_ vgpu: VGPU, _ request: ScanRequest) -> ScanResult {
        var scanner = CommandScanner(mediator: self, vgpu: vgpu, request: request)
        return scanner.run()
    }

    /// Fails a workload whose scan was rejected: reported as `workloadScanFailed`, and for
    /// -EBADRQC / -EFAULT the vGPU enters failsafe GUEST_ERR with the reason (GVT: "VM
    /// unhealthy" → `enter_failsafe_mode(vgpu, GVT_FAILSAFE_GUEST_ERR)`).
    public func failWorkloadScan(_ vgpu: VGPU, _ failure: AuditFailure) {
        emit(.workloadScanFailed(vgpu.id, failure))
        if failure.errorClass.entersFailsafe {
            enterFailsafe(vgpu, .guestError, detail: "command scan: \(failure)")
        }
    }

    /// Sets the engines whose non-privileged batches are scanned (GVT: writing debugfs
    /// `scan_nonprivbb`).
    public func setScanNonPrivilegedBatches(_ vgpu: VGPU, _ engines: EngineMask) {
        vgpu.scanNonPrivilegedBatches = engines
        emit(.scanNonPrivilegedBatchesSet(vgpu.id, engines))
    }

    /// Applies a decoded MI_DISPLAY_FLIP to the vGPU's plane registers (GVT:
    /// `gen8_update_plane_mmio_from_mi_display_flip`, Gen9 branch): PLANE_SURF bits 31:12,
    /// PLANE_STRIDE bits 9:0, PLANE_CTL tiling bits 12:10, PLANE_SURFLIVE; a primary flip
    /// counts in PIPE_FLIPCOUNT; the flip-done event is raised now for an async flip, else
    /// at the next vblank. (GVT writes the primary plane's registers for a sprite flip too;
    /// here the sprite's own registers are written.)
    public func applyDisplayFlip(_ vgpu: VGPU, _ flip: DisplayFlip) {
        let pipe = flip.pipe, plane = flip.plane
        guard plane == 1 || plane == 2 else { return }
        let surf = Reg.planeSurf(pipe, plane)
        vgpu.vregs[surf] = (vgpu.vregs[surf] & 0xFFF) | (flip.surface & ~0xFFF)
        let stride = Reg.planeStride(pipe, plane)
        vgpu.vregs[stride] = (vgpu.vregs[stride] & ~0x3FF) | (flip.stride & 0x3FF)
        let ctl = Reg.planeCtl(pipe, plane)
        vgpu.vregs[ctl] = (vgpu.vregs[ctl] & ~(7 << 10)) | (flip.tiling & 7) << 10
        vgpu.vregs[Reg.planeSurfLive(pipe, plane)] = vgpu.vregs[surf]
        if plane == 1 { vgpu.vregs[Reg.pipeFlipCount(pipe)] &+= 1 }
        flipDone(vgpu, pipe: pipe, plane: plane, now: flip.async)
    }
}
