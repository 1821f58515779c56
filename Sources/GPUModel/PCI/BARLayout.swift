/// The BAR layout of a Gen9 GPU (GVT: `init_device_info`; PRM: GTTMMADR, GMADR, IOBAR).
///
/// BAR0 (GTTMMADR, 16 MiB): MMIO registers in [0, 2 MiB), reserved [2 MiB, 8 MiB), the
/// GGTT's 1M 8-byte entries in [8 MiB, 16 MiB). BAR2 (GMADR): the CPU aperture onto the
/// low part of graphics memory, sized by the platform. BAR4: a 64-byte legacy I/O window
/// (MMIO_INDEX/MMIO_DATA), not emulated by GVT.
public enum BARLayout {
    /// Size of BAR0 (GTTMMADR).
    public static let gttmmadrSize: UInt64 = 16 << 20
    /// Size of the MMIO register range at the start of BAR0.
    public static let mmioSize: UInt64 = 2 << 20
    /// Offset of the GGTT entries in BAR0.
    public static let ggttOffset: UInt64 = 8 << 20
    /// Size of the GGTT window in BAR0 (1M entries × 8 bytes).
    public static let ggttSize: UInt64 = 8 << 20
    /// Size of BAR4 (I/O).
    public static let ioBarSize: UInt64 = 64

    /// What a BAR0 offset addresses.
    public enum Region: Hashable, Sendable {
        /// An MMIO register offset.
        case mmio(MMIOOffset)
        /// A byte offset into the GGTT table (entry = offset / 8).
        case ggtt(byteOffset: Int)
        /// The reserved hole between MMIO and the GGTT.
        case reserved(offset: UInt64)
        /// Past the end of BAR0.
        case outside
    }

    /// Classifies `offset` from the start of BAR0.
    public static func region(ofBAR0Offset offset: UInt64) -> Region {
        if offset < mmioSize { return .mmio(MMIOOffset(UInt32(offset))) }
        if offset < ggttOffset { return .reserved(offset: offset) }
        if offset < gttmmadrSize { return .ggtt(byteOffset: Int(offset - ggttOffset)) }
        return .outside
    }
}
