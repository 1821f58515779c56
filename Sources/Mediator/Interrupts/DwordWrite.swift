import GPUModel

/// Turns a trapped write of 1, 2, 4 or 8 bytes into the dword a register handler sees
/// (GVT: handlers take `p_data`/`bytes` and mostly act on `*(u32 *)p_data`).
///
/// Handlers in the interrupt and display families act on whole dwords. A narrower write is
/// merged into the register's current value (`keepUnwritten`) or zero-extended (for
/// write-1-to-clear registers, where the bytes not written must clear nothing). An aligned
/// 8-byte write goes to the register for its low dword; its high dword is routed through
/// the ordinary MMIO write path at `offset + 4`, so it reaches that register's own handler.
enum DwordWrite {
    /// The dword a `size`-byte write of `value` at `offset` produces over `old`.
    static func value(old: UInt32, offset: MMIOOffset, size: Int, value: UInt64, keepUnwritten: Bool) -> UInt32 {
        let byte = Int(offset.rawValue & 3)
        let width = min(max(size, 1), 4 - byte)
        if width == 4 { return UInt32(truncatingIfNeeded: value) }
        let shift = UInt64(8 * byte)
        let mask = UInt32(truncatingIfNeeded: ((UInt64(1) << UInt64(8 * width)) - 1) << shift)
        let written = UInt32(truncatingIfNeeded: value << shift) & mask
        return (keepUnwritten ? old & ~mask : 0) | written
    }

    /// A row write handler calling `body` with the dword-aligned offset and the dword written.
    static func handler(
        keepUnwritten: Bool = true, _ body: @escaping @Sendable (Mediator, VGPU, MMIOOffset, UInt32) -> Void
    ) -> MMIOWriteHandler {
        { mediator, vgpu, offset, size, value in
            let aligned = MMIOOffset(offset.rawValue & ~3)
            guard RegisterFile.contains(aligned) else { return }
            if size == 8 && offset.rawValue & 3 == 0 {
                body(mediator, vgpu, aligned, UInt32(truncatingIfNeeded: value))
                let high = aligned.advanced(by: 4)
                if RegisterFile.contains(high) { mediator.mmioRegisterWrite(vgpu, high, size: 4, value: value >> 32) }
                return
            }
            let dword = Self.value(old: vgpu.vregs[aligned], offset: offset, size: size, value: value,
                                   keepUnwritten: keepUnwritten)
            body(mediator, vgpu, aligned, dword)
        }
    }
}
