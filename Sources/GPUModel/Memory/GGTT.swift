/// One Gen8+ global GTT page-table entry (8 bytes).
///
/// PRM "GTT Page Table Entries" / i915 `gen8_ggtt_pte_encode`: bit 0 present, bits 3, 4
/// and 7 select the cache type (PWT/PCD/PAT), bits 38:12 the physical page address.
/// GVT masks the address with the host address width (bits 45:12); the model follows the
/// hardware's 39-bit physical address and ignores higher bits.
public struct GGTTEntry: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The raw 64-bit PTE.
    public var rawValue: UInt64
    /// Physical address bits 38:12.
    public static let addressMask: UInt64 = 0x0000_007F_FFFF_F000
    /// Bit 0: the entry maps a page.
    public static let presentBit: UInt64 = 1 << 0

    /// An entry from its raw 64-bit value.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// An entry mapping `frame` (which must fit in 27 bits: below 512 GiB).
    public init(frame: PageFrameNumber, present: Bool = true) {
        precondition(frame.rawValue < 1 << 27, "GGTT PTE frame \(frame) beyond the 39-bit address width")
        rawValue = frame.rawValue << 12 | (present ? Self.presentBit : 0)
    }

    /// Whether the entry maps a page.
    @inlinable public var isPresent: Bool {
        get { rawValue & Self.presentBit != 0 }
        set { rawValue = newValue ? rawValue | Self.presentBit : rawValue & ~Self.presentBit }
    }

    /// The mapped host frame (address bits 38:12).
    @inlinable public var frame: PageFrameNumber {
        get { PageFrameNumber((rawValue & Self.addressMask) >> 12) }
        set {
            precondition(newValue.rawValue < 1 << 27, "GGTT PTE frame \(newValue) beyond the 39-bit address width")
            rawValue = rawValue & ~Self.addressMask | newValue.rawValue << 12
        }
    }

    /// The bits that are not the address (present, cache type, ignored high bits).
    @inlinable public var flags: UInt64 { rawValue & ~Self.addressMask }

    /// A one-line human-readable summary.
    public var description: String {
        isPresent ? "GGTT PTE \(hex(rawValue, width: 16)) -> \(frame)" : "GGTT PTE \(hex(rawValue, width: 16)) (not present)"
    }
}

/// The global GTT: 4 GiB of graphics address space mapped by 1M 8-byte entries.
///
/// On the hardware the table lives in stolen memory and is written through BAR0 + 8 MiB
/// (GVT: `gtt_start_offset`); the model keeps it in 4 KiB copy-on-write chunks (a checkpoint
/// shares them; a write after it copies one chunk). A class because
/// it is big (8 MiB) and shared by the engines, the display and the BAR0 window.
/// Not thread-safe; callers serialise.
public final class GGTT: @unchecked Sendable {
    /// Number of entries (1M).
    public static let entryCount = 1 << 20
    /// Bytes of graphics address space (4 GiB).
    public static let addressSpaceSize: UInt64 = 1 << 32
    /// Bytes of the table itself (8 MiB).
    public static let tableSize = entryCount * 8

    /// log2 of the entries per storage leaf chunk (64 entries = 512 bytes).
    public static let chunkShift = 6
    /// log2 of the leaf chunks per group (128: 32 MiB of address space per group, a
    /// 128-entry top table).
    public static let groupShift = 7

    var entries: ChunkedArray<UInt64>
    /// One bit per entry written since the last `takeChangedIndices()`, and the list of them.
    private var changedBits = ContiguousArray<UInt64>(repeating: 0, count: GGTT.entryCount / 64)
    private var changed: [Int] = []

    /// An empty table (every entry 0, not present).
    public init() {
        entries = ChunkedArray(repeating: 0, count: Self.entryCount, chunkShift: Self.chunkShift, groupShift: Self.groupShift)
    }

    /// The indices of the entries written since the last call, ascending, each once; the
    /// record is cleared. (Incremental checks, e.g. the isolation oracle, read only these.)
    public func takeChangedIndices() -> [Int] {
        defer {
            for index in changed { changedBits[index >> 6] = 0 }
            changed.removeAll(keepingCapacity: true)
        }
        return changed.sorted()
    }

    /// Entry `index` (the graphics page number `gma >> 12`).
    public subscript(index: Int) -> GGTTEntry {
        get {
            precondition(index >= 0 && index < Self.entryCount, "GGTT index \(index) out of range")
            return GGTTEntry(rawValue: entries[index])
        }
        set {
            precondition(index >= 0 && index < Self.entryCount, "GGTT index \(index) out of range")
            entries[index] = newValue.rawValue
            let bit: UInt64 = 1 << UInt64(index & 63)
            if changedBits[index >> 6] & bit == 0 {
                changedBits[index >> 6] |= bit
                changed.append(index)
            }
        }
    }

    /// The entry mapping `gma`, or nil when `gma` lies outside the 4 GiB space.
    public func entry(for gma: GraphicsAddress) -> GGTTEntry? {
        gma.rawValue < Self.addressSpaceSize ? GGTTEntry(rawValue: entries[Int(gma.rawValue >> 12)]) : nil
    }

    /// Translates `gma` to a host physical address. Does not check that the result lies
    /// inside physical memory (`GraphicsMemory.translate` does).
    public func translate(_ gma: GraphicsAddress) -> Result<PhysicalAddress, GPUFault> {
        translate(gma, isWrite: false)
    }

    /// Translates `gma`, recording `isWrite` in a fault.
    public func translate(_ gma: GraphicsAddress, isWrite: Bool) -> Result<PhysicalAddress, GPUFault> {
        guard gma.rawValue < Self.addressSpaceSize else {
            return .failure(GPUFault(address: gma, space: .ggtt, reason: .outsideAddressSpace, isWrite: isWrite))
        }
        let raw = entries[Int(gma.rawValue >> 12)]
        guard raw & GGTTEntry.presentBit != 0 else {
            return .failure(GPUFault(address: gma, space: .ggtt, reason: .notPresent(level: 0), isWrite: isWrite))
        }
        return .success(PhysicalAddress(raw & GGTTEntry.addressMask | gma.pageOffset))
    }

    /// Reads the dword at `byteOffset` of the table (BAR0 GGTT window: offset from 8 MiB).
    /// The offset must be 4-byte aligned and inside the 8 MiB table.
    public func readDword(atByteOffset byteOffset: Int) -> UInt32 {
        precondition(byteOffset >= 0 && byteOffset < Self.tableSize && byteOffset & 3 == 0, "bad GGTT byte offset \(byteOffset)")
        return UInt32(truncatingIfNeeded: entries[byteOffset >> 3] >> (byteOffset & 4 == 0 ? 0 : 32))
    }

    /// Writes the dword at `byteOffset` of the table: half of one PTE, the other half kept.
    public func writeDword(atByteOffset byteOffset: Int, _ value: UInt32) {
        precondition(byteOffset >= 0 && byteOffset < Self.tableSize && byteOffset & 3 == 0, "bad GGTT byte offset \(byteOffset)")
        let index = byteOffset >> 3
        if byteOffset & 4 == 0 {
            entries[index] = entries[index] & 0xFFFF_FFFF_0000_0000 | UInt64(value)
        } else {
            entries[index] = entries[index] & 0x0000_0000_FFFF_FFFF | UInt64(value) << 32
        }
    }

    /// Indices of the present entries in `range`, ascending.
    public func presentIndices(in range: Range<Int> = 0..<GGTT.entryCount) -> [Int] {
        precondition(range.lowerBound >= 0 && range.upperBound <= Self.entryCount, "GGTT range out of bounds")
        return range.filter { entries[$0] & GGTTEntry.presentBit != 0 }
    }

    /// Sets every entry to 0 (not present).
    public func reset() {
        entries.fill(with: 0)
    }

    // MARK: - Checkpoints

    /// A checkpoint of the table: the non-zero entries, sparse, ascending by index.
    public struct State: Codable, Hashable, Sendable {
        /// Indices of non-zero entries, ascending.
        public var indices: [Int]
        /// Their raw values.
        public var values: [UInt64]
    }

    /// Captures the table.
    public func save() -> State {
        var state = State(indices: [], values: [])
        for i in 0..<Self.entryCount {
            let raw = entries[i]
            if raw != 0 {
                state.indices.append(i)
                state.values.append(raw)
            }
        }
        return state
    }

    /// Returns to a state captured by `save()`.
    public func restore(_ state: State) {
        precondition(state.indices.count == state.values.count, "malformed GGTT checkpoint")
        reset()
        for (i, raw) in zip(state.indices, state.values) {
            precondition(i >= 0 && i < Self.entryCount, "GGTT checkpoint index \(i) out of range")
            entries[i] = raw
        }
    }
}
