import GPUModel

/// GVT's per-register flags (`gvt.h` F_*).
public struct MMIOFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// The register has read-only bits (`readOnlyMask`).
    public static let readOnly = MMIOFlags(rawValue: 1 << 0)
    /// The value is a graphics address (`addressMask` applies).
    public static let graphicsAddress = MMIOFlags(rawValue: 1 << 1)
    /// Masked register: bits 31:16 enable writes to 15:0.
    public static let modeMask = MMIOFlags(rawValue: 1 << 2)
    /// GPU commands (LRI/SRM/LRM/LRR/PIPE_CONTROL) may access it.
    public static let commandAccess = MMIOFlags(rawValue: 1 << 3)
    /// Saved and restored across host suspend.
    public static let pmSave = MMIOFlags(rawValue: 1 << 5)
    /// Unaligned access permitted.
    public static let unaligned = MMIOFlags(rawValue: 1 << 6)
    /// In GVT's switch list and in the hardware context image.
    public static let inContext = MMIOFlags(rawValue: 1 << 7)
    /// An LRI of it must be patched by running the write handler.
    public static let commandWritePatch = MMIOFlags(rawValue: 1 << 8)
}

/// Reads a register for a vGPU: (mediator, vGPU, offset, size in bytes) → value.
public typealias MMIOReadHandler = @Sendable (Mediator, VGPU, MMIOOffset, Int) -> UInt64
/// Writes a register for a vGPU: (mediator, vGPU, offset, size in bytes, value).
public typealias MMIOWriteHandler = @Sendable (Mediator, VGPU, MMIOOffset, Int, UInt64) -> Void

/// One row of the MMIO handler table (GVT: `struct intel_gvt_mmio_info` via `MMIO_F`).
/// `nil` handlers mean the default: plain virtual-register read/write.
public struct MMIOInfo: Sendable {
    public let offset: MMIOOffset
    /// Bytes the row covers (4, 8, or more for a run of identical registers).
    public let size: Int
    public let flags: MMIOFlags
    public let addressMask: UInt32
    public let readOnlyMask: UInt32
    public let read: MMIOReadHandler?
    public let write: MMIOWriteHandler?

    public init(_ offset: MMIOOffset, size: Int = 4, flags: MMIOFlags = [], addressMask: UInt32 = 0,
                readOnlyMask: UInt32 = 0, read: MMIOReadHandler? = nil, write: MMIOWriteHandler? = nil) {
        self.offset = offset
        self.size = size
        self.flags = flags
        self.addressMask = addressMask
        self.readOnlyMask = readOnlyMask
        self.read = read
        self.write = write
    }
}

/// A special MMIO block handled as a whole (GVT: `gvt_mmio_block`: PVINFO, MCHBAR, DMC…).
public struct MMIOBlock: Sendable {
    public let name: String
    public let range: Range<UInt32>
    public let read: MMIOReadHandler
    public let write: MMIOWriteHandler

    public init(name: String, range: Range<UInt32>, read: @escaping MMIOReadHandler, write: @escaping MMIOWriteHandler) {
        self.name = name
        self.range = range
        self.read = read
        self.write = write
    }
}
