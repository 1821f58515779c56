/// Builds Gen9 command dwords the way i915 and Mesa emit them (PRM encodings; lengths
/// match `CommandTable.gen9`). Used by guests, workloads, tests and the demo.
public enum CommandEncoder {
    /// MI_NOOP.
    public static let noop: [UInt32] = [0x0000_0000]
    /// MI_USER_INTERRUPT.
    public static let userInterrupt: [UInt32] = [0x0100_0000]
    /// MI_ARB_CHECK.
    public static let arbCheck: [UInt32] = [0x0280_0000]
    /// MI_BATCH_BUFFER_END.
    public static let batchEnd: [UInt32] = [0x0500_0000]

    /// MI_ARB_ON_OFF.
    public static func arbitration(enabled: Bool) -> [UInt32] { [0x0400_0000 | (enabled ? 1 : 0)] }

    /// MI_LOAD_REGISTER_IMM of one or more (register, value) pairs.
    public static func loadRegisterImmediate(_ pairs: [(MMIOOffset, UInt32)]) -> [UInt32] {
        precondition(!pairs.isEmpty && pairs.count <= 126)
        var out: [UInt32] = [0x1100_0000 | UInt32(2 * pairs.count - 1)]
        for (offset, value) in pairs { out += [offset.rawValue, value] }
        return out
    }

    /// MI_STORE_REGISTER_MEM (4 dwords on Gen8+).
    public static func storeRegisterMemory(_ offset: MMIOOffset, to gma: GraphicsAddress, ggtt: Bool = false) -> [UInt32] {
        [0x1200_0002 | (ggtt ? 1 << 22 : 0), offset.rawValue, low(gma), high(gma)]
    }

    /// MI_LOAD_REGISTER_MEM (4 dwords on Gen8+).
    public static func loadRegisterMemory(_ offset: MMIOOffset, from gma: GraphicsAddress, ggtt: Bool = false) -> [UInt32] {
        [0x1480_0002 | (ggtt ? 1 << 22 : 0), offset.rawValue, low(gma), high(gma)]
    }

    /// MI_LOAD_REGISTER_REG.
    public static func loadRegisterRegister(from source: MMIOOffset, to destination: MMIOOffset) -> [UInt32] {
        [0x1500_0001, source.rawValue, destination.rawValue]
    }

    /// MI_STORE_DATA_IMM of a dword (4 dwords) or a qword (5 dwords).
    public static func storeDataImmediate(_ gma: GraphicsAddress, _ value: UInt32, ggtt: Bool = false) -> [UInt32] {
        [0x1000_0002 | (ggtt ? 1 << 22 : 0), low(gma), high(gma), value]
    }

    /// MI_STORE_DATA_IMM of a qword.
    public static func storeDataImmediate64(_ gma: GraphicsAddress, _ value: UInt64, ggtt: Bool = false) -> [UInt32] {
        [0x1020_0003 | (ggtt ? 1 << 22 : 0), low(gma), high(gma),
         UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
    }

    /// MI_STORE_DATA_INDEX: a dword at `offset` bytes into the engine's status page.
    public static func storeDataIndex(offset: UInt32, _ value: UInt32) -> [UInt32] {
        [0x1080_0001, offset & 0xFFC, value]
    }

    /// MI_BATCH_BUFFER_START (3 dwords on Gen8+).
    public static func batchStart(_ gma: GraphicsAddress, ppgtt: Bool, secondLevel: Bool = false) -> [UInt32] {
        [0x1880_0001 | (ppgtt ? 1 << 8 : 0) | (secondLevel ? 1 << 22 : 0), low(gma), high(gma)]
    }

    /// MI_CONDITIONAL_BATCH_BUFFER_END: ends the batch if the memory dword <= `data`.
    public static func conditionalBatchEnd(_ gma: GraphicsAddress, data: UInt32, ggtt: Bool = false) -> [UInt32] {
        [0x1B00_0002 | (ggtt ? 1 << 22 : 0) | 1 << 21, data, low(gma), high(gma)]
    }

    /// MI_SEMAPHORE_WAIT in polling mode; `operation` is the SAD compare (0 `>`, 1 `>=`,
    /// 2 `<`, 3 `<=`, 4 `==`, 5 `!=`).
    public static func semaphoreWait(_ gma: GraphicsAddress, data: UInt32, operation: UInt32 = 4, ggtt: Bool = false) -> [UInt32] {
        [0x0E00_0002 | (ggtt ? 1 << 22 : 0) | 1 << 15 | (operation & 7) << 12, data, low(gma), high(gma)]
    }

    /// MI_FLUSH_DW with an immediate dword post-sync write and optional notify.
    public static func flushDW(store value: UInt32? = nil, at gma: GraphicsAddress = 0, ggtt: Bool = false,
                               notify: Bool = false) -> [UInt32] {
        var header: UInt32 = 0x1300_0002
        if value != nil { header |= 1 << 14 }
        if notify { header |= 1 << 8 }
        return [header, low(gma) | (ggtt ? 1 << 2 : 0), high(gma), value ?? 0]
    }

    /// PIPE_CONTROL (6 dwords) with an optional immediate post-sync write, CS stall and notify.
    public static func pipeControl(store value: UInt64? = nil, at gma: GraphicsAddress = 0, ggtt: Bool = false,
                                   storeIndex: Bool = false, notify: Bool = false) -> [UInt32] {
        var flags: UInt32 = 1 << 20  // CS stall
        if value != nil { flags |= 1 << 14 }
        if ggtt { flags |= 1 << 24 }
        if storeIndex { flags |= 1 << 21 }
        if notify { flags |= 1 << 8 }
        let v = value ?? 0
        return [0x7A00_0004, flags, low(gma), high(gma), UInt32(truncatingIfNeeded: v), UInt32(truncatingIfNeeded: v >> 32)]
    }

    /// XY_COLOR_BLT (7 dwords): fill a rectangle of a linear 32 bpp surface.
    public static func colorBlit(_ gma: GraphicsAddress, pitch: UInt32, x1: UInt32, y1: UInt32, x2: UInt32, y2: UInt32,
                                 color: UInt32) -> [UInt32] {
        [0x5430_0005, 3 << 24 | 0xF0 << 16 | (pitch & 0xFFFF), y1 << 16 | x1, y2 << 16 | x2, low(gma), high(gma), color]
    }

    /// XY_SRC_COPY_BLT (10 dwords): copy a rectangle between linear 32 bpp surfaces.
    public static func sourceCopyBlit(to destination: GraphicsAddress, pitch: UInt32, x1: UInt32, y1: UInt32,
                                      x2: UInt32, y2: UInt32, from source: GraphicsAddress, sourcePitch: UInt32,
                                      sourceX: UInt32, sourceY: UInt32) -> [UInt32] {
        [0x54F0_0008, 3 << 24 | 0xCC << 16 | (pitch & 0xFFFF), y1 << 16 | x1, y2 << 16 | x2,
         low(destination), high(destination), sourceY << 16 | sourceX, sourcePitch & 0xFFFF, low(source), high(source)]
    }

    /// 3DPRIMITIVE (7 dwords): `vertices` per instance, `instances` instances.
    public static func primitive(vertices: UInt32, instances: UInt32 = 1) -> [UInt32] {
        [0x7B00_0005, 0x4, vertices, 0, instances, 0, 0]
    }

    @inlinable static func low(_ gma: GraphicsAddress) -> UInt32 { UInt32(truncatingIfNeeded: gma.rawValue) }
    @inlinable static func high(_ gma: GraphicsAddress) -> UInt32 { UInt32(truncatingIfNeeded: gma.rawValue >> 32) & 0xFFFF }
}
