/// The MMIO register array (2 MiB = 512 Ki dwords) with hardware access semantics.
///
/// `read`/`write` apply what the catalogue says about a register (masked, read-only,
/// read-only bits, write-only, write-1-to-clear); they perform no side effects: an ELSP
/// write is stored, not submitted. Side effects (execlists, reset, interrupts, display) are
/// the caller's job (`InterruptController`, `DisplayEngine`, the engines).
/// Offsets the catalogue does not know behave as plain read/write storage.
///
/// Equality and hashing compare the stored dwords only (the catalogue is configuration).
public struct RegisterFile: Sendable, Hashable {
    /// The catalogue that gives each offset its semantics.
    public let catalogue: RegisterCatalogue
    /// The dwords, in 256-byte copy-on-write leaves under two table levels (a checkpoint
    /// shares them; a write after it copies one leaf and two short tables, not 2 MiB).
    @usableFromInline var storage: ChunkedArray<UInt32>

    /// A register file holding every register's reset value (unknown offsets 0).
    public init(catalogue: RegisterCatalogue = .gen9) {
        self.catalogue = catalogue
        self.storage = ChunkedArray(repeating: 0, count: RegisterCatalogue.dwordCount, chunkShift: Self.chunkShift,
                                    groupShift: Self.groupShift)
        for info in catalogue.registers { load(info) }
    }

    /// log2 of the dwords per storage leaf chunk (64 dwords = 256 bytes; measured with
    /// `gvtrr-bench checkpoints`: smaller leaves add group-table bytes, larger ones copy more).
    public static let chunkShift = 6
    /// log2 of the leaf chunks per group (32: 8 KiB of registers per group, a 256-entry top table).
    public static let groupShift = 5

    /// Bytes of storage this file holds that `previous` does not share (checkpoint cost).
    public func bytesNotShared(with previous: RegisterFile?) -> Int {
        storage.bytesNotShared(with: previous?.storage)
    }

    /// True if `offset` lies in the register range (0..<2 MiB).
    @inlinable public static func contains(_ offset: MMIOOffset) -> Bool {
        offset.rawValue < RegisterCatalogue.mmioSize
    }

    /// Raw dword storage, no semantics. `offset` is rounded down to its dword; it must lie in
    /// the 2 MiB range (programmer error otherwise).
    @inlinable public subscript(offset: MMIOOffset) -> UInt32 {
        get {
            precondition(Self.contains(offset), "MMIO offset \(offset) outside the register file")
            return storage[offset.dwordIndex]
        }
        set {
            precondition(Self.contains(offset), "MMIO offset \(offset) outside the register file")
            storage[offset.dwordIndex] = newValue
        }
    }

    /// Raw 64-bit access to two consecutive dwords (low dword at `offset`).
    @inlinable public func qword(_ offset: MMIOOffset) -> UInt64 {
        UInt64(self[offset]) | UInt64(self[offset.advanced(by: 4)]) << 32
    }

    /// Hardware read: write-only registers read 0, masked registers return bits 15:0.
    /// Outside the range: 0. Unaligned offsets address their dword.
    @inlinable public func read(_ offset: MMIOOffset) -> UInt32 {
        guard Self.contains(offset) else { return 0 }
        let value = storage[offset.dwordIndex]
        guard let i = catalogue.index(at: offset) else { return value }
        let flags = catalogue.registers[i].flags
        if flags.contains(.writeOnly) { return 0 }
        if flags.contains(.masked) { return value & 0xFFFF }
        return value
    }

    /// Hardware write: read-only registers ignore it; masked registers change only enabled
    /// low bits; write-1-to-clear registers clear the written ones; read-only bits keep their
    /// value. Side-effect registers just store (the caller acts). Outside the range: ignored.
    @inlinable public mutating func write(_ offset: MMIOOffset, _ value: UInt32) {
        guard Self.contains(offset) else { return }
        let dw = offset.dwordIndex
        guard let i = catalogue.index(at: offset) else {
            storage[dw] = value
            return
        }
        let info = catalogue.registers[i]
        if info.flags.contains(.readOnly) { return }
        let old = storage[dw]
        var new: UInt32
        if info.flags.contains(.masked) {
            new = Self.maskedUpdate(old: old, written: value)
        } else if info.flags.contains(.writeOneToClear) {
            new = old & ~value
        } else {
            new = value
        }
        if info.readOnlyMask != 0 { new = (new & ~info.readOnlyMask) | (old & info.readOnlyMask) }
        storage[dw] = new
    }

    /// Restores the reset value of every register matching `predicate` (engine reset: its
    /// registers; GT reset: offsets below 0x44200; ...). Unknown offsets are left alone.
    public mutating func reset(catalogue: RegisterCatalogue = .gen9, where predicate: (RegisterInfo) -> Bool) {
        for info in catalogue.registers where predicate(info) { load(info) }
    }

    /// Restores the whole file to power-on state: every dword 0, then the reset values.
    public mutating func resetAll() {
        storage.fill(with: 0)
        for info in catalogue.registers { load(info) }
    }

    /// The masked ("mode") register update: `(old & ~mask) | (written & mask)` with
    /// `mask = written >> 16`; the result keeps only bits 15:0. GVT: `intel_vgpu_mask_mmio_write`.
    @inlinable public static func maskedUpdate(old: UInt32, written: UInt32) -> UInt32 {
        let mask = written >> 16
        return ((old & ~mask) | (written & mask)) & 0xFFFF
    }

    /// The value software writes to set `bits` (15:0) of a masked register: `bits << 16 | bits`.
    @inlinable public static func maskedEnable(_ bits: UInt32) -> UInt32 { (bits & 0xFFFF) << 16 | (bits & 0xFFFF) }
    /// The value software writes to clear `bits` (15:0) of a masked register: `bits << 16`.
    @inlinable public static func maskedDisable(_ bits: UInt32) -> UInt32 { (bits & 0xFFFF) << 16 }

    private mutating func load(_ info: RegisterInfo) {
        var value = info.resetValue
        if info.flags.contains(.masked) { value &= 0xFFFF }
        storage[info.offset.dwordIndex] = UInt32(truncatingIfNeeded: value)
        if info.size == 8 { storage[info.offset.dwordIndex + 1] = UInt32(truncatingIfNeeded: value >> 32) }
    }

    public static func == (a: Self, b: Self) -> Bool { a.storage == b.storage }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }
}
