/// How a register behaves on access, beyond "store what is written, read what is stored".
///
/// These are hardware facts, not mediation policy (GVT's `F_CMD_ACCESS` and friends belong to
/// the mediator). PRM: the "Access" column of each register (R/W, RO, WO, R/WC, masked).
public struct RegisterFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// A "masked" (mode) register: bits 31:16 of a write enable the change of bits 15:0; reads
    /// return 0 in 31:16. GVT: `F_MODE_MASK`; i915: `_MASKED_BIT_ENABLE`.
    public static let masked = RegisterFlags(rawValue: 1 << 0)
    /// The whole register is read-only: writes are ignored.
    public static let readOnly = RegisterFlags(rawValue: 1 << 1)
    /// Write-only: reads return 0 (e.g. ELSP).
    public static let writeOnly = RegisterFlags(rawValue: 1 << 2)
    /// A write of 1 clears the bit, 0 leaves it (IIR, EIR, ERROR_GEN6).
    public static let writeOneToClear = RegisterFlags(rawValue: 1 << 3)
    /// A write does something beyond storing (ELSP, GDRST, IIR, PIPECONF, PLANE_SURF, ...);
    /// performing it is the caller's job, `RegisterFile` only stores.
    public static let sideEffects = RegisterFlags(rawValue: 1 << 4)
    /// The register is saved and restored with the logical ring context image (GVT:
    /// `in_context` / `F_SR_IN_CTX`).
    public static let inContext = RegisterFlags(rawValue: 1 << 5)
    /// The value is (or contains) a graphics memory address (GVT: `F_GMADR`).
    public static let graphicsAddress = RegisterFlags(rawValue: 1 << 6)
    /// Hardware updates the value on its own (counters, status, live addresses); a model that
    /// does not simulate the source keeps the stored value.
    public static let volatile = RegisterFlags(rawValue: 1 << 7)
}

/// The family a register belongs to (for listings, resets and the MMIO context switch).
public enum RegisterGroup: String, Sendable, CaseIterable, Codable {
    /// Ring buffer and command streamer registers (RING_*, MI_MODE, INSTPM, ...).
    case ring
    /// Execlist submission: ELSP, execlist status, CSB, PDPs, context control.
    case execlist
    /// Interrupt registers: GEN8 master, GT/DE/PCU/PCH quads, engine IMR/HWSTAM.
    case interrupt
    /// Forcewake requests and acknowledgements.
    case forcewake
    /// Fence registers (FENCE_REG_GEN6).
    case fence
    /// Display engine: pipes, transcoders, planes, cursors, scalers, ports, AUX, GMBUS.
    case display
    /// Error and fault reporting registers (what an error state shows).
    case error
    /// Registers of GVT's MMIO context list (`mmio_context.c`) not covered by another group.
    case context
    /// Memory object control state (MOCS) and L3 cache control (L3CC).
    case mocs
    /// Power management: RC6/RPS, PCODE mailbox, power wells, clocks.
    case power
    /// Everything else (GDRST, TLB invalidation, statistics counters, GPRs, ...).
    case misc
}

/// One register of the catalogue: where it is, how big, its reset value and its behaviour.
public struct RegisterInfo: Hashable, Sendable {
    /// Stable name (see `RegisterCatalogue` for the naming scheme), e.g. "RCS_RING_TAIL".
    public let name: String
    /// Offset in BAR0 (the first 2 MiB).
    public let offset: MMIOOffset
    /// Size in bytes: 4, or 8 for a 64-bit register occupying two dwords.
    public let size: Int
    /// Hardware reset value (for 8-byte registers, both dwords).
    public let resetValue: UInt64
    /// The engine a per-engine register belongs to, nil for global registers.
    public let engine: EngineID?
    /// Access behaviour.
    public let flags: RegisterFlags
    /// The family it belongs to.
    public let group: RegisterGroup
    /// Bits that writes cannot change (hardware status bits); applies to each dword. GVT: `ro_mask`.
    public var readOnlyMask: UInt32

    /// Creates a register description.
    public init(
        name: String, offset: MMIOOffset, size: Int = 4, resetValue: UInt64 = 0,
        engine: EngineID? = nil, flags: RegisterFlags = [], group: RegisterGroup,
        readOnlyMask: UInt32 = 0
    ) {
        precondition(size == 4 || size == 8, "register \(name): size must be 4 or 8")
        precondition(offset.rawValue % 4 == 0, "register \(name): offset must be dword aligned")
        self.name = name
        self.offset = offset
        self.size = size
        self.resetValue = resetValue
        self.engine = engine
        self.flags = flags
        self.group = group
        self.readOnlyMask = readOnlyMask
    }

    /// First byte after the register.
    @inlinable public var end: MMIOOffset { offset.advanced(by: UInt32(size)) }

    /// True if `offset` lies inside this register.
    @inlinable public func contains(_ other: MMIOOffset) -> Bool { other >= offset && other < end }
}
