/// Offsets in the GPU's PCI configuration space (PCI 3.0 type-0 header plus the Gen9
/// graphics device's own registers; PRM "Graphics PCI configuration", i915 `intel-gtt`,
/// GVT `cfg_space.c`).
public enum PCIConfigRegister {
    /// Vendor ID (16 bits, RO).
    public static let vendorID = 0x00
    /// Device ID (16 bits, RO).
    public static let deviceID = 0x02
    /// Command (16 bits): I/O space bit 0, memory space bit 1, bus master bit 2, INTx disable bit 10.
    public static let command = 0x04
    /// Status (16 bits): capabilities-list bit 4 (RO), error bits 8 and 11-15 (write 1 to clear).
    public static let status = 0x06
    /// Revision ID (8 bits, RO).
    public static let revisionID = 0x08
    /// Class code (24 bits at 0x09: programming interface, sub-class, base class).
    public static let classCode = 0x09
    /// Cache line size (8 bits, RW, no effect).
    public static let cacheLineSize = 0x0C
    /// Header type (8 bits, RO, 0 = single-function type-0 header).
    public static let headerType = 0x0E
    /// BAR0 low dword: GTTMMADR, 64-bit non-prefetchable memory.
    public static let bar0 = 0x10
    /// BAR1: BAR0's upper dword.
    public static let bar1 = 0x14
    /// BAR2 low dword: GMADR (aperture), 64-bit prefetchable memory.
    public static let bar2 = 0x18
    /// BAR3: BAR2's upper dword.
    public static let bar3 = 0x1C
    /// BAR4: I/O, 64 bytes.
    public static let bar4 = 0x20
    /// BAR5: not implemented (reads 0).
    public static let bar5 = 0x24
    /// Subsystem vendor ID (16 bits, RO).
    public static let subsystemVendorID = 0x2C
    /// Subsystem ID (16 bits, RO).
    public static let subsystemID = 0x2E
    /// Expansion ROM base (not implemented, reads 0).
    public static let romBase = 0x30
    /// Capabilities pointer (8 bits, RO).
    public static let capabilitiesPointer = 0x34
    /// Interrupt line (8 bits, RW).
    public static let interruptLine = 0x3C
    /// Interrupt pin (8 bits, RO, 1 = INTA#).
    public static let interruptPin = 0x3D
    /// Vendor-specific capability (ID 0x09).
    public static let vendorCapability = 0x40
    /// GMCH graphics control (16 bits, RO once locked): GMS stolen size bits 15:8 (32 MiB
    /// units), GGMS GGTT size bits 7:6 (3 = 8 MiB), lock bit 0. i915: `SNB_GMCH_CTRL`.
    public static let gmchControl = 0x50
    /// Base of data stolen memory (32 bits, RO once locked): bits 31:20, lock bit 0.
    public static let bdsm = 0x5C
    /// Multi-size aperture control (8 bits): aperture size selector.
    public static let msac = 0x62
    /// PCI Express capability (ID 0x10), root-complex integrated endpoint.
    public static let pcieCapability = 0x70
    /// MSI capability (ID 0x05).
    public static let msiCapability = 0xAC
    /// Power-management capability (ID 0x01).
    public static let pmCapability = 0xD0
    /// Software SCI (32 bits): bit 0 triggers an SCI/SMI, bit 15 selects SCI. GVT: `INTEL_GVT_PCI_SWSCI`.
    public static let swsci = 0xE8
    /// ASL storage (32 bits, RW): physical address of the ACPI OpRegion. GVT: `INTEL_GVT_PCI_OPREGION`.
    public static let asls = 0xFC

    /// Command register bit 0: respond to I/O space.
    public static let commandIOSpace: UInt16 = 1 << 0
    /// Command register bit 1: respond to memory space.
    public static let commandMemorySpace: UInt16 = 1 << 1
    /// Command register bit 2: bus master (DMA, MSI).
    public static let commandBusMaster: UInt16 = 1 << 2
    /// Command register bit 10: INTx disable.
    public static let commandInterruptDisable: UInt16 = 1 << 10
}

/// The MSI capability as software programmed it (PCI 3.0 §6.8.1).
public struct MSICapability: Hashable, Sendable, Codable {
    /// Offset of the capability in config space.
    public static let offset = PCIConfigRegister.msiCapability
    /// Message control bit 0: MSI enable.
    public static let enableBit: UInt16 = 1 << 0
    /// Message control bit 7: 64-bit address capable.
    public static let address64Bit: UInt16 = 1 << 7

    /// Whether MSI is enabled (message control bit 0).
    public var isEnabled: Bool
    /// Whether the capability has an upper address dword (data then at +0x0C, else +0x08).
    public var is64Bit: Bool
    /// Message address (upper half 0 for a 32-bit capability).
    public var address: UInt64
    /// Message data.
    public var data: UInt16

    /// Same as `isEnabled`.
    public var enabled: Bool { isEnabled }

    /// A capability value.
    public init(isEnabled: Bool, is64Bit: Bool, address: UInt64, data: UInt16) {
        self.isEnabled = isEnabled
        self.is64Bit = is64Bit
        self.address = address
        self.data = data
    }

    /// Offset of the message-data register: +8 for a 32-bit capability (what GVT's
    /// `MSI_CAP_DATA` assumes), +0x0C for a 64-bit one.
    public static func dataOffset(is64Bit: Bool) -> Int { offset + (is64Bit ? 0x0C : 0x08) }
}
