import GPUModel

/// The trapped register path: checks, dispatch to special blocks, rows and default handlers
/// (GVT: `intel_vgpu_emulate_mmio_read/write` and `intel_vgpu_mmio_reg_rw`, `mmio.c`).
///
/// Accesses reach the handlers as dword-local pieces, the way KVMGT's `intel_vgpu_rw`
/// splits what the guest issued: an 8-byte access at a dword-aligned offset becomes two
/// 4-byte accesses (low dword first), and an access that crosses a dword boundary (only
/// legal for reads of `F_UNALIGN` registers, and for writes) is cut at the boundary. Rows
/// see only whole-dword writes: a 1- or 2-byte write to a row is merged into the current
/// virtual dword first, so handlers deal with 4-byte values at aligned offsets.
extension Mediator {
    // MARK: Entry (called by Mediator+Entry)

    /// Reads `size` (1, 2, 4 or 8) bytes of the vGPU's registers at `offset` (GVT:
    /// `intel_vgpu_emulate_mmio_read` for the MMIO range). Refused accesses read 0 and are
    /// observed as `.mmioAccessError`.
    func mmioRegisterRead(_ vgpu: VGPU, _ offset: MMIOOffset, size: Int) -> UInt64 {
        if vgpu.failsafe != nil { return vregRead(vgpu, offset, size: size) }
        let inDword = Int(offset.rawValue & 3)
        if size <= 4 && inDword + size <= 4 {
            let slot = handlers.slot(at: offset)
            if inDword % size != 0 && !(slot >= 0 && handlers.rows[Int(slot)].flags.contains(.unaligned)) {
                emit(.mmioAccessError(vgpu.id, offset, size: size, isWrite: false, reason: "unaligned read"))
                return 0
            }
            return readPiece(vgpu, offset, size: size, slot: slot)
        }
        // 8 bytes, or a read crossing a dword boundary.
        let slot = handlers.slot(at: offset)
        guard inDword == 0 || (slot >= 0 && handlers.rows[Int(slot)].flags.contains(.unaligned)) else {
            emit(.mmioAccessError(vgpu.id, offset, size: size, isWrite: false, reason: "unaligned read"))
            return 0
        }
        var value: UInt64 = 0
        forEachPiece(offset, size: size) { piece, length, shift in
            value |= readPiece(vgpu, piece, size: length, slot: handlers.slot(at: piece)) << shift
        }
        return value
    }

    /// Writes `size` (1, 2, 4 or 8) bytes of `value` to the vGPU's registers at `offset`
    /// (GVT: `intel_vgpu_emulate_mmio_write` for the MMIO range).
    func mmioRegisterWrite(_ vgpu: VGPU, _ offset: MMIOOffset, size: Int, value: UInt64) {
        if vgpu.failsafe != nil {
            vregWrite(vgpu, offset, size: size, value: value)
            return
        }
        if size <= 4 && Int(offset.rawValue & 3) + size <= 4 {
            writePiece(vgpu, offset, size: size, value: UInt32(truncatingIfNeeded: value))
            return
        }
        forEachPiece(offset, size: size) { piece, length, shift in
            writePiece(vgpu, piece, size: length, value: UInt32(truncatingIfNeeded: value >> shift))
        }
    }

    // MARK: Dispatch of one dword-local piece

    /// Cuts [offset, offset + size) at dword boundaries: (piece offset, length, bit shift).
    @inline(__always)
    func forEachPiece(_ offset: MMIOOffset, size: Int, _ body: (MMIOOffset, Int, UInt64) -> Void) {
        var at = offset
        var done = 0
        while done < size {
            let length = min(4 - Int(at.rawValue & 3), size - done)
            body(at, length, UInt64(done * 8))
            at = at.advanced(by: UInt32(length))
            done += length
        }
    }

    /// GVT: `intel_vgpu_mmio_reg_rw(…, is_read = true)` + `F_ACCESSED`.
    @inline(__always)
    func readPiece(_ vgpu: VGPU, _ offset: MMIOOffset, size: Int, slot: Int32) -> UInt64 {
        let value: UInt64
        if slot >= 0 {
            value = handlers.rows[Int(slot)].read?(self, vgpu, offset, size) ?? vregRead(vgpu, offset, size: size)
        } else if slot == MMIOHandlerTable.untracked {
            vgpu.untrackedAccesses += 1
            value = vregRead(vgpu, offset, size: size)
        } else {
            value = handlers.blocks[Int(-2 - slot)].read(self, vgpu, offset, size)
        }
        vgpu.markAccessed(offset)
        return value
    }

    /// GVT: `intel_vgpu_mmio_reg_rw(…, is_read = false)` + `F_ACCESSED`: read-only rows drop
    /// the write, read-only bits keep their value, masked rows change only enabled bits.
    @inline(__always)
    func writePiece(_ vgpu: VGPU, _ offset: MMIOOffset, size: Int, value: UInt32) {
        let slot = handlers.slot(at: offset)
        guard slot >= 0 else {
            if slot == MMIOHandlerTable.untracked {
                vgpu.untrackedAccesses += 1
                vregWrite(vgpu, offset, size: size, value: UInt64(value))
            } else {
                handlers.blocks[Int(-2 - slot)].write(self, vgpu, offset, size, UInt64(value))
            }
            vgpu.markAccessed(offset)
            return
        }
        let info = handlers.rows[Int(slot)]
        let aligned = MMIOOffset(offset.rawValue & ~3)
        let old = vgpu.vregs[aligned]
        var data = value
        if size != 4 {
            let shift = (offset.rawValue & 3) * 8
            let mask = (UInt32(1) << (UInt32(size) * 8) &- 1) << shift
            data = (old & ~mask) | ((value << shift) & mask)
        }
        if info.readOnlyMask != 0 {
            if info.readOnlyMask == ~0 {
                emit(.mmioAccessError(vgpu.id, offset, size: size, isWrite: true, reason: "write to read-only register"))
                vgpu.markAccessed(offset)
                return
            }
            data = (data & ~info.readOnlyMask) | (old & info.readOnlyMask)
        }
        if let write = info.write {
            write(self, vgpu, aligned, 4, UInt64(data))
        } else {
            vgpu.vregs[aligned] = data
        }
        if info.flags.contains(.modeMask) {
            let written = vgpu.vregs[aligned]
            let mask = written >> 16
            vgpu.vregs[aligned] = (old & ~mask) | (written & mask)
        }
        vgpu.markAccessed(offset)
    }

    // MARK: Default handlers (GVT: intel_vgpu_default_mmio_read/write)

    /// Plain virtual-register read of `size` bytes at `offset` (any alignment; little-endian).
    @inline(__always)
    func vregRead(_ vgpu: VGPU, _ offset: MMIOOffset, size: Int) -> UInt64 {
        let shift = offset.rawValue & 3
        if shift == 0 && size == 4 { return UInt64(vgpu.vregs[offset]) }
        if Int(shift) + size <= 4 {
            let dword = vgpu.vregs[offset] >> (shift * 8)
            return UInt64(size == 4 ? dword : dword & (UInt32(1) << (UInt32(size) * 8) &- 1))
        }
        var value: UInt64 = 0
        forEachPiece(offset, size: size) { piece, length, bitShift in
            value |= vregRead(vgpu, piece, size: length) << bitShift
        }
        return value
    }

    /// Plain virtual-register write of `size` bytes of `value` at `offset` (any alignment).
    @inline(__always)
    func vregWrite(_ vgpu: VGPU, _ offset: MMIOOffset, size: Int, value: UInt64) {
        let shift = offset.rawValue & 3
        if shift == 0 && size == 4 {
            vgpu.vregs[offset] = UInt32(truncatingIfNeeded: value)
            return
        }
        if Int(shift) + size <= 4 {
            let mask = (size == 4 ? UInt32.max : (UInt32(1) << (UInt32(size) * 8)) &- 1) << (shift * 8)
            let old = vgpu.vregs[offset]
            vgpu.vregs[offset] = (old & ~mask) | ((UInt32(truncatingIfNeeded: value) << (shift * 8)) & mask)
            return
        }
        forEachPiece(offset, size: size) { piece, length, bitShift in
            vregWrite(vgpu, piece, size: length, value: value >> bitShift)
        }
    }

    /// The masked ("mode") register write for handlers of registers not flagged
    /// `.modeMask`: bits 31:16 of `value` enable the change of bits 15:0 (GVT:
    /// `intel_vgpu_mask_mmio_write`). Bits 31:16 of the virtual register keep their value.
    func maskedVregWrite(_ vgpu: VGPU, _ offset: MMIOOffset, value: UInt32) {
        let old = vgpu.vregs[offset]
        let mask = value >> 16
        vgpu.vregs[offset] = (old & ~mask) | (value & mask)
    }

    /// Reports a refused or ignored guest register access (GVT: `gvt_vgpu_err`).
    func mmioError(_ vgpu: VGPU, _ offset: MMIOOffset, size: Int = 4, isWrite: Bool, _ reason: @autoclosure () -> String) {
        emit(.mmioAccessError(vgpu.id, offset, size: size, isWrite: isWrite, reason: reason()))
    }
}

/// True if every bit of `bits` (15:0) is enabled by a masked-register write (GVT:
/// `IS_MASKED_BITS_ENABLED`).
@inline(__always) func maskedBitsEnabled(_ value: UInt32, _ bits: UInt32) -> Bool {
    value & (bits << 16 | bits) == bits << 16 | bits
}

/// True if a masked-register write clears every bit of `bits` (GVT: `IS_MASKED_BITS_DISABLED`).
@inline(__always) func maskedBitsDisabled(_ value: UInt32, _ bits: UInt32) -> Bool {
    value & (bits << 16 | bits) == bits << 16
}
