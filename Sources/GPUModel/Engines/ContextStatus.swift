/// One context status buffer entry (PRM: "Context Status Buffer"; i915 `GEN8_CTX_STATUS_*`).
///
/// The low dword holds the status bits, the high dword the context id of the element the
/// event concerns. The hardware keeps six entries per engine in MMIO (CSB[0..5]) and, on
/// Gen8+, mirrors them into the hardware status page at dword 0x10 with the write pointer
/// at dword 0x1F.
public struct ContextStatus: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Status bits of the low dword.
    public struct Flags: OptionSet, Hashable, Sendable, Codable {
        public var rawValue: UInt32
        @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let idleToActive = Flags(rawValue: 1 << 0)
        public static let preempted = Flags(rawValue: 1 << 1)
        public static let elementSwitch = Flags(rawValue: 1 << 2)
        public static let activeToIdle = Flags(rawValue: 1 << 3)
        public static let complete = Flags(rawValue: 1 << 4)
        public static let waitOnSyncFlip = Flags(rawValue: 1 << 5)
        public static let waitOnVblank = Flags(rawValue: 1 << 6)
        public static let waitOnSemaphore = Flags(rawValue: 1 << 7)
        public static let waitOnScanline = Flags(rawValue: 1 << 8)
        public static let liteRestore = Flags(rawValue: 1 << 15)

        /// Names of the set bits, lowest first ("idle_to_active", …).
        public var names: [String] {
            let all: [(Flags, String)] = [
                (.idleToActive, "idle_to_active"), (.preempted, "preempted"), (.elementSwitch, "element_switch"),
                (.activeToIdle, "active_to_idle"), (.complete, "complete"), (.waitOnSyncFlip, "wait_sync_flip"),
                (.waitOnVblank, "wait_vblank"), (.waitOnSemaphore, "wait_semaphore"),
                (.waitOnScanline, "wait_scanline"), (.liteRestore, "lite_restore"),
            ]
            return all.filter { contains($0.0) }.map(\.1)
        }
    }

    public var flags: Flags
    public var contextID: UInt32

    @inlinable public init(flags: Flags, contextID: UInt32) {
        self.flags = flags
        self.contextID = contextID
    }

    /// The entry as the hardware stores it (low dword = status, high dword = context id).
    @inlinable public var rawValue: UInt64 { UInt64(contextID) << 32 | UInt64(flags.rawValue) }

    public var description: String { "{\(flags.names.joined(separator: ","))} ctx \(hex(contextID))" }
}

/// The six-entry context status ring of one engine (hardware side).
public struct ContextStatusBuffer: Hashable, Sendable, Codable {
    /// Entries per engine on Gen8–10.
    public static let entryCount = 6
    /// Write pointer value after reset: "nothing written yet".
    public static let resetWritePointer: UInt32 = 7
    /// HWSP dword of the first mirrored entry (`I915_HWS_CSB_BUF0_INDEX`).
    public static let hwspFirstEntryDword = 0x10
    /// HWSP dword of the mirrored write pointer (`I915_HWS_CSB_WRITE_INDEX`).
    public static let hwspWritePointerDword = 0x1F

    /// Index of the last entry written, or 7 after reset.
    public private(set) var writePointer: UInt32 = Self.resetWritePointer
    /// The entries (as last written).
    public private(set) var entries: [ContextStatus] = Array(
        repeating: ContextStatus(flags: [], contextID: 0), count: Self.entryCount)

    public init() {}

    /// Appends an entry; returns the index it was written at.
    @discardableResult
    public mutating func append(_ status: ContextStatus) -> Int {
        let next = writePointer == Self.resetWritePointer ? 0 : (writePointer + 1) % UInt32(Self.entryCount)
        entries[Int(next)] = status
        writePointer = next
        return Int(next)
    }
}
