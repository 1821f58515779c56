/// One Gen8+ PPGTT entry at any level (PML4E, PDPE, PDE, PTE): 8 bytes.
///
/// PRM "Per-Process GTT" / i915 `gen8_pte_encode`, `gen8_pde_encode`: bit 0 present,
/// bit 1 writable, bits 3/4/7 cache type in a PTE, bit 7 page size in a PDPE (1 GiB) or
/// PDE (2 MiB), bit 11 IPS in a PDE (its page table maps 64 KiB pages), bits 38:12 the
/// physical address of the next table or page. Bits 51:39 lie beyond the GPU's 39-bit
/// physical address width; the model faults on them (`GPUFault.Reason.reservedBitsSet`).
/// Bits 63:52 are ignored (GVT uses bit 52 in shadow entries to mark split 64K pages).
public struct PPGTTEntry: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The raw 64-bit entry.
    public var rawValue: UInt64

    /// Bit 0: present.
    public static let presentBit: UInt64 = 1 << 0
    /// Bit 1: writable.
    public static let writableBit: UInt64 = 1 << 1
    /// Bit 7 of a PDPE or PDE: the entry maps a 1 GiB or 2 MiB page.
    public static let pageSizeBit: UInt64 = 1 << 7
    /// Bit 11 of a PDE: the page table it points at maps 64 KiB pages (entries 0, 16, …, 496).
    public static let ipsBit: UInt64 = 1 << 11
    /// Physical address bits 38:12.
    public static let addressMask: UInt64 = 0x0000_007F_FFFF_F000
    /// Address bits beyond the 39-bit physical address width (51:39).
    public static let reservedMask: UInt64 = 0x000F_FF80_0000_0000

    /// An entry from its raw value.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// An entry pointing at `address` (4 KiB aligned, below 512 GiB).
    public init(address: PhysicalAddress, present: Bool = true, writable: Bool = true,
                largePage: Bool = false, ips: Bool = false) {
        precondition(address.rawValue & ~Self.addressMask == 0, "PPGTT entry address \(address) not 4 KiB aligned or beyond 39 bits")
        rawValue = address.rawValue
            | (present ? Self.presentBit : 0) | (writable ? Self.writableBit : 0)
            | (largePage ? Self.pageSizeBit : 0) | (ips ? Self.ipsBit : 0)
    }

    /// Whether the entry is present.
    @inlinable public var isPresent: Bool { rawValue & Self.presentBit != 0 }
    /// Whether the entry allows writes (not enforced by the model).
    @inlinable public var isWritable: Bool { rawValue & Self.writableBit != 0 }
    /// Bit 7: a PDPE/PDE that maps a 1 GiB/2 MiB page directly.
    @inlinable public var isLargePage: Bool { rawValue & Self.pageSizeBit != 0 }
    /// Bit 11: a PDE whose page table maps 64 KiB pages.
    @inlinable public var isIPS: Bool { rawValue & Self.ipsBit != 0 }
    /// Whether address bits beyond the 39-bit width are set.
    @inlinable public var hasReservedBits: Bool { rawValue & Self.reservedMask != 0 }
    /// The address of the next table or page (bits 38:12).
    @inlinable public var address: PhysicalAddress { PhysicalAddress(rawValue & Self.addressMask) }

    /// A one-line human-readable summary.
    public var description: String {
        var flags: [String] = [isPresent ? "P" : "-", isWritable ? "RW" : "RO"]
        if isLargePage { flags.append("PS") }
        if isIPS { flags.append("IPS") }
        return "\(hex(rawValue, width: 16)) [\(flags.joined(separator: " "))] -> \(address)"
    }
}
