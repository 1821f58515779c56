/// One Gen6+ fence (detiling) register: a 64-bit value at `FENCE_REG_GEN6_LO(i)`.
///
/// i915 `i965_write_fence_reg` / PRM FENCE_REG: low dword bits 31:12 = start of the fenced
/// GGTT range (4 KiB aligned), bit 1 = Y tiling (else X), bit 0 = valid; high dword bits
/// 31:12 = address of the *last* 4 KiB page of the range, bits 10:0 (value bits 42:32,
/// `GEN6_FENCE_PITCH_SHIFT` 32) = pitch in 128-byte units minus one (Gen7+: at most
/// 0x7FF, i.e. 256 KiB). Gen9 has 32 fences at 0x100000 + 8 * i (HI at +4); GVT writes
/// them as LO = 0, HI, LO.
public struct FenceRegister: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Fence registers on Gen9.
    public static let count = 32
    /// MMIO offset of fence 0's low dword (`FENCE_REG_GEN6_LO(0)`).
    public static let baseOffset: MMIOOffset = 0x100000
    /// Pitch field: value bits 42:32.
    public static let pitchMask: UInt64 = 0x7FF << 32
    /// Bit 1: Y-major tiling.
    public static let tilingYBit: UInt64 = 1 << 1
    /// Bit 0: the fence is valid.
    public static let validBit: UInt64 = 1 << 0
    /// Page-address bits of each dword (31:12).
    static let pageMask: UInt64 = 0xFFFF_F000

    /// The raw 64-bit register value (HI << 32 | LO).
    public var rawValue: UInt64

    /// A fence from its raw value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// A fence from its two dwords.
    public init(lo: UInt32, hi: UInt32) { rawValue = UInt64(hi) << 32 | UInt64(lo) }

    /// A fence covering `[start, end)` (both 4 KiB aligned, end > start, within 4 GiB)
    /// with `pitch` bytes per row (a multiple of 128, 128 … 256 KiB).
    public init(start: GraphicsAddress, end: GraphicsAddress, pitch: UInt32, tilingY: Bool, valid: Bool = true) {
        precondition(start.pageOffset == 0 && end.pageOffset == 0 && end > start && end.rawValue <= 1 << 32,
                     "fence range must be 4 KiB aligned, non-empty and inside 4 GiB")
        precondition(pitch >= 128 && pitch % 128 == 0 && pitch / 128 <= 0x800, "fence pitch \(pitch) not encodable")
        let lastPage = end.rawValue - 4096
        rawValue = lastPage << 32 | UInt64(pitch / 128 - 1) << 32 | start.rawValue
            | (tilingY ? Self.tilingYBit : 0) | (valid ? Self.validBit : 0)
    }

    /// The low dword (`FENCE_REG_GEN6_LO`).
    public var lo: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
    /// The high dword (`FENCE_REG_GEN6_HI`).
    public var hi: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }

    /// Whether the fence is enabled.
    public var isValid: Bool { rawValue & Self.validBit != 0 }
    /// Whether the range is Y-tiled (else X-tiled).
    public var tilingY: Bool { rawValue & Self.tilingYBit != 0 }
    /// First graphics address of the fenced range.
    public var start: GraphicsAddress { GraphicsAddress(rawValue & Self.pageMask) }
    /// First address of the last 4 KiB page of the range (what the register holds).
    public var lastPage: GraphicsAddress { GraphicsAddress((rawValue >> 32) & Self.pageMask) }
    /// One past the fenced range: `lastPage + 4 KiB`.
    public var end: GraphicsAddress { lastPage.advanced(by: 4096) }
    /// Bytes per row of the tiled surface.
    public var pitch: UInt32 { (UInt32((rawValue & Self.pitchMask) >> 32) + 1) * 128 }
    /// Whether `gma` lies in the range of a valid fence (an empty or inverted range holds nothing).
    public func covers(_ gma: GraphicsAddress) -> Bool { isValid && gma >= start && gma < end }

    /// MMIO offset of fence `index`'s low dword (`FENCE_REG_GEN6_LO(index)`); HI is at +4.
    public static func offset(_ index: Int) -> MMIOOffset {
        precondition(index >= 0 && index < count, "fence index \(index) out of range")
        return baseOffset.advanced(by: UInt32(index * 8))
    }

    /// The fence index and dword half (false = LO, true = HI) for an MMIO offset inside
    /// the fence block, or nil.
    public static func register(at offset: MMIOOffset) -> (index: Int, isHigh: Bool)? {
        guard offset >= baseOffset, offset.rawValue < baseOffset.rawValue + UInt32(count * 8), offset.rawValue & 3 == 0 else {
            return nil
        }
        let delta = Int(offset.rawValue - baseOffset.rawValue)
        return (delta / 8, delta & 4 != 0)
    }

    /// A one-line human-readable summary.
    public var description: String {
        guard isValid else { return "fence off (\(hex(rawValue, width: 16)))" }
        return "fence \(start)..<\(end) pitch \(pitch) \(tilingY ? "Y" : "X")-tiled"
    }
}
