/// A GPU page fault: a failed graphics-address translation, recorded as data, never a crash.
///
/// The hardware counterpart is the fault reporting of the Gen8+ GAM (PRM: RING_FAULT_REG
/// 0x4094 + engine, FAULT_TLB_DATA0/1 0x4B10/0x4B14; i915: `RING_FAULT_REG`,
/// `gen8_check_faults`): valid bit, fault type, the faulting virtual address and whether
/// GGTT or PPGTT was used. This value carries the same facts plus the level that failed.
public struct GPUFault: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Which translation table was used.
    public enum Space: String, Sendable, Codable {
        /// The global GTT.
        case ggtt
        /// A per-process GTT.
        case ppgtt
    }

    /// Why the translation failed.
    public enum Reason: Hashable, Sendable, Codable {
        /// The entry at `level` was not present: 4 = PML4E, 3 = PDPE, 2 = PDE, 1 = PTE,
        /// 0 = GGTT PTE (PRM fault type "page fault").
        case notPresent(level: Int)
        /// The address is outside the translated space (4 GiB GGTT, 4 GiB legacy 32-bit
        /// PPGTT, 256 TiB 48-bit PPGTT).
        case outsideAddressSpace
        /// A page table, or the translated page itself, lies beyond host physical memory.
        case beyondPhysicalMemory(PhysicalAddress)
        /// The entry at `level` set physical-address bits beyond the 39-bit address width.
        case reservedBitsSet(level: Int)
    }

    /// The graphics address being translated.
    public var address: GraphicsAddress
    /// The table used.
    public var space: Space
    /// Why it failed.
    public var reason: Reason
    /// Whether the access was a write.
    public var isWrite: Bool

    /// A fault at `address` in `space`.
    public init(address: GraphicsAddress, space: Space, reason: Reason, isWrite: Bool = false) {
        self.address = address
        self.space = space
        self.reason = reason
        self.isWrite = isWrite
    }

    /// This fault with `isWrite` set to `write`.
    public func asAccess(write: Bool) -> GPUFault {
        var copy = self
        copy.isWrite = write
        return copy
    }

    /// Name of a page-table level (4 = PML4E … 1 = PTE, 0 = GGTT PTE).
    public static func levelName(_ level: Int) -> String {
        switch level {
        case 0: "GGTT PTE"
        case 1: "PTE"
        case 2: "PDE"
        case 3: "PDPE"
        case 4: "PML4E"
        default: "level \(level) entry"
        }
    }

    /// A one-line human-readable summary.
    public var description: String {
        let what: String
        switch reason {
        case .notPresent(let level): what = "\(Self.levelName(level)) not present"
        case .outsideAddressSpace: what = "address outside the \(space.rawValue.uppercased()) address space"
        case .beyondPhysicalMemory(let pa): what = "physical address \(pa) beyond host memory"
        case .reservedBitsSet(let level): what = "\(Self.levelName(level)) has reserved address bits set"
        }
        return "\(space.rawValue.uppercased()) \(isWrite ? "write" : "read") fault at \(address): \(what)"
    }
}
