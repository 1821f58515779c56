/// The 4 KiB PCI configuration space of the integrated GPU (bus 0, device 2, function 0).
///
/// A value: the bytes plus, per byte, which bits software may write. Writes honour those
/// masks, so BAR sizing falls out naturally: writing all ones to a BAR reads back
/// `~(size - 1)` with the BAR's type bits (0x4 = 64-bit memory, 0xC = 64-bit prefetchable,
/// 0x1 = I/O), and the upper dword of a 64-bit BAR keeps all its bits (sizes below 4 GiB).
/// Status error bits are write-one-to-clear. Everything else is read-only, including
/// the GMCH control, BDSM and MSAC registers (the BIOS locked them before the OS ran).
///
/// Accesses must be 1, 2 or 4 bytes and lie inside the 4 KiB. Anything else is treated
/// like an access to a missing device: reads return all ones (0xFF, 0xFFFF or 0xFFFFFFFF
/// for the access width; 0xFFFFFFFF for a bad width) and writes are dropped. Any
/// alignment is accepted (the bytes are little-endian).
///
/// Model values (not taken from a specific board): revision 0x0B, subsystem 8086:2212,
/// capability chain 0x40 vendor (0x09) → 0x70 PCIe (0x10, RCiEP) → 0xAC MSI (0x05) →
/// 0xD0 power management (0x01); no extended capabilities (0x100 reads 0). The MSI
/// capability is 32-bit by default (message data at +8), which is the layout GVT's
/// `MSI_CAP_DATA(offset) = offset + 8` assumes for the host device.
public struct PCIConfigSpace: Sendable, Hashable, Codable {
    /// Bytes of configuration space (PCIe extended space).
    public static let size = 4096
    /// Apollo Lake device IDs (HD Graphics 500/505, i915 `INTEL_BXT_IDS`).
    public static let apolloLakeDeviceIDs: [UInt16] = [0x0A84, 0x1A84, 0x1A85, 0x5A84, 0x5A85]

    /// The raw bytes, as a read returns them.
    public private(set) var bytes: [UInt8]
    /// Per byte of the first 256: bits software may write.
    private var writeMask: [UInt8]
    /// Per byte of the first 256: write-one-to-clear bits.
    private var clearMask: [UInt8]
    /// Size of the aperture behind BAR2.
    public let apertureSize: UInt64
    /// Bytes of data stolen memory reported in GMCH control (0 = none).
    public let stolenSize: UInt64

    /// The power-on configuration space of a Gen9 GPU.
    ///
    /// - Parameters:
    ///   - deviceID: PCI device ID (default 0x5A84, Apollo Lake HD Graphics 505).
    ///   - apertureSize: BAR2 size: a power of two from 128 MiB to 4 GiB.
    ///   - stolenSize: data stolen memory, a multiple of 32 MiB up to 2 GiB (default none).
    ///   - stolenBase: physical base of stolen memory (1 MiB aligned), reported in BDSM.
    ///   - msi64Bit: give the MSI capability an upper address dword (default false).
    public init(deviceID: UInt16 = 0x5A84, apertureSize: UInt64, revision: UInt8 = 0x0B,
                subsystemVendorID: UInt16 = 0x8086, subsystemID: UInt16 = 0x2212,
                stolenSize: UInt64 = 0, stolenBase: PhysicalAddress = 0, msi64Bit: Bool = false) {
        precondition(apertureSize.nonzeroBitCount == 1 && apertureSize >= 128 << 20 && apertureSize <= 1 << 32,
                     "aperture size must be a power of two from 128 MiB to 4 GiB")
        precondition(stolenSize % (32 << 20) == 0 && stolenSize <= 2 << 30, "stolen size must be a multiple of 32 MiB up to 2 GiB")
        precondition(stolenBase.rawValue % (1 << 20) == 0 && stolenBase.rawValue < 1 << 32, "stolen base must be 1 MiB aligned below 4 GiB")
        self.apertureSize = apertureSize
        self.stolenSize = stolenSize
        bytes = [UInt8](repeating: 0, count: Self.size)
        writeMask = [UInt8](repeating: 0, count: 256)
        clearMask = [UInt8](repeating: 0, count: 256)
        typealias R = PCIConfigRegister

        // Header.
        put(R.vendorID, 0x8086, width: 2)
        put(R.deviceID, UInt32(deviceID), width: 2)
        put(R.status, 0x0010, width: 2)                      // capabilities list
        put(R.revisionID, UInt32(revision), width: 1)
        put(R.classCode, 0x03_00_00, width: 3)               // VGA-compatible display controller
        put(R.bar0, 0x4, width: 4)                           // 64-bit memory
        put(R.bar2, 0xC, width: 4)                           // 64-bit prefetchable memory
        put(R.bar4, 0x1, width: 4)                           // I/O
        put(R.subsystemVendorID, UInt32(subsystemVendorID), width: 2)
        put(R.subsystemID, UInt32(subsystemID), width: 2)
        put(R.capabilitiesPointer, UInt32(R.vendorCapability), width: 1)
        put(R.interruptPin, 1, width: 1)                     // INTA#

        // Capability chain.
        put(R.vendorCapability, 0x09 | UInt32(R.pcieCapability) << 8 | 0x0C << 16, width: 3)
        put(R.pcieCapability, 0x10 | UInt32(R.msiCapability) << 8 | 0x0092 << 16, width: 4)  // v2, RCiEP
        let msiControl: UInt32 = msi64Bit ? UInt32(MSICapability.address64Bit) : 0
        put(R.msiCapability, 0x05 | UInt32(R.pmCapability) << 8 | msiControl << 16, width: 4)
        put(R.pmCapability, 0x01 | 0x0022 << 16, width: 4)   // next 0, PM version 2, D3hot only

        // Graphics registers.
        put(R.gmchControl, UInt32(stolenSize >> 25) << 8 | 3 << 6 | 1, width: 2)  // GMS, GGMS = 8 MiB, locked
        put(R.bdsm, UInt32(stolenBase.rawValue) | 1, width: 4)                    // locked
        put(R.msac, UInt32((apertureSize >> 27) - 1), width: 1)

        // Writable bits.
        mask(R.command, 0x0407, width: 2)
        clearMask[R.status + 1] = 0xF9
        mask(R.cacheLineSize, 0xFF, width: 1)
        let bar0Mask = ~(BARLayout.gttmmadrSize - 1) & ~0xF
        mask(R.bar0, UInt32(truncatingIfNeeded: bar0Mask), width: 4)
        mask(R.bar1, UInt32(truncatingIfNeeded: bar0Mask >> 32), width: 4)
        let bar2Mask = ~(apertureSize - 1) & ~0xF
        mask(R.bar2, UInt32(truncatingIfNeeded: bar2Mask), width: 4)
        mask(R.bar3, UInt32(truncatingIfNeeded: bar2Mask >> 32), width: 4)
        mask(R.bar4, ~UInt32(BARLayout.ioBarSize - 1), width: 4)
        mask(R.interruptLine, 0xFF, width: 1)
        mask(R.msiCapability + 2, UInt32(MSICapability.enableBit), width: 2)
        mask(R.msiCapability + 4, 0xFFFF_FFFC, width: 4)
        if msi64Bit { mask(R.msiCapability + 8, 0xFFFF_FFFF, width: 4) }
        mask(MSICapability.dataOffset(is64Bit: msi64Bit), 0xFFFF, width: 2)
        mask(R.pmCapability + 4, 0x0003, width: 2)           // power state
        mask(R.swsci, 0x8001, width: 4)
        mask(R.asls, 0xFFFF_FFFF, width: 4)
    }

    private mutating func put(_ offset: Int, _ value: UInt32, width: Int) {
        for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    private mutating func mask(_ offset: Int, _ value: UInt32, width: Int) {
        for i in 0..<width { writeMask[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    private static func isValidAccess(offset: Int, size: Int) -> Bool {
        (size == 1 || size == 2 || size == 4) && offset >= 0 && offset <= Self.size - size
    }

    // MARK: - Access

    /// Reads `size` (1, 2 or 4) bytes at `offset`, little-endian; all ones when the access
    /// is invalid (see the type's documentation).
    public func read(offset: Int, size: Int) -> UInt32 {
        guard Self.isValidAccess(offset: offset, size: size) else {
            return size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFF_FFFF
        }
        var value: UInt32 = 0
        for i in 0..<size { value |= UInt32(bytes[offset + i]) << (8 * i) }
        return value
    }

    /// Writes `size` (1, 2 or 4) bytes of `value` at `offset`, honouring read-only,
    /// read-write and write-one-to-clear bits. Invalid accesses are dropped.
    public mutating func write(offset: Int, size: Int, value: UInt32) {
        guard Self.isValidAccess(offset: offset, size: size) else { return }
        for i in 0..<size where offset + i < writeMask.count {
            let at = offset + i
            let byte = UInt8(truncatingIfNeeded: value >> (8 * i))
            let rw = writeMask[at]
            let w1c = clearMask[at]
            bytes[at] = bytes[at] & ~rw & ~(byte & w1c) | byte & rw
        }
    }

    /// Overwrites bytes ignoring the write masks: for building a device's initial state
    /// (e.g. a virtual copy with a different class code or hidden stolen memory).
    public mutating func setRaw(offset: Int, bytes newBytes: [UInt8]) {
        precondition(offset >= 0 && offset + newBytes.count <= Self.size, "raw config write outside 4 KiB")
        bytes.replaceSubrange(offset..<offset + newBytes.count, with: newBytes)
    }

    // MARK: - Decoded fields

    private func dword(_ offset: Int) -> UInt32 { read(offset: offset, size: 4) }
    private func word(_ offset: Int) -> UInt16 { UInt16(read(offset: offset, size: 2)) }

    /// Vendor ID (0x8086).
    public var vendorID: UInt16 { word(PCIConfigRegister.vendorID) }
    /// Device ID.
    public var deviceID: UInt16 { word(PCIConfigRegister.deviceID) }
    /// The command register.
    public var command: UInt16 { word(PCIConfigRegister.command) }
    /// 24-bit class code (0x030000 = VGA).
    public var classCode: UInt32 { dword(PCIConfigRegister.revisionID) >> 8 }
    /// Base address programmed in BAR0/BAR1 (GTTMMADR).
    public var bar0Base: UInt64 {
        (UInt64(dword(PCIConfigRegister.bar1)) << 32 | UInt64(dword(PCIConfigRegister.bar0))) & ~0xF
    }
    /// Base address programmed in BAR2/BAR3 (GMADR, the aperture).
    public var bar2Base: UInt64 {
        (UInt64(dword(PCIConfigRegister.bar3)) << 32 | UInt64(dword(PCIConfigRegister.bar2))) & ~0xF
    }
    /// I/O port base programmed in BAR4.
    public var bar4Base: UInt32 { dword(PCIConfigRegister.bar4) & ~0x3 }
    /// Whether the device decodes memory accesses (BAR0, BAR2): command bit 1.
    public var memorySpaceEnabled: Bool { command & PCIConfigRegister.commandMemorySpace != 0 }
    /// Whether the device decodes I/O accesses (BAR4): command bit 0.
    public var ioSpaceEnabled: Bool { command & PCIConfigRegister.commandIOSpace != 0 }
    /// Whether the device may master the bus (DMA, MSI): command bit 2.
    public var busMasterEnabled: Bool { command & PCIConfigRegister.commandBusMaster != 0 }

    /// The MSI capability as programmed.
    public var msi: MSICapability {
        let base = MSICapability.offset
        let control = word(base + 2)
        let is64Bit = control & MSICapability.address64Bit != 0
        var address = UInt64(dword(base + 4))
        if is64Bit { address |= UInt64(dword(base + 8)) << 32 }
        return MSICapability(isEnabled: control & MSICapability.enableBit != 0, is64Bit: is64Bit,
                             address: address, data: word(MSICapability.dataOffset(is64Bit: is64Bit)))
    }

    /// GMCH graphics control (0x50).
    public var gmchControl: UInt16 { word(PCIConfigRegister.gmchControl) }
    /// GGTT size from GMCH control GGMS (bits 7:6): `1 << GGMS` MiB, 0 when GGMS is 0.
    public var ggttSize: UInt64 {
        let ggms = (gmchControl >> 6) & 3
        return ggms == 0 ? 0 : 1 << (20 + UInt64(ggms))
    }
    /// Stolen memory size from GMCH control GMS (bits 15:8) in 32 MiB units (GMS values
    /// 0xF0 and above, 4 MiB steps on Gen9, are decoded too).
    public var stolenMemorySize: UInt64 {
        let gms = UInt64(gmchControl >> 8)
        return gms >= 0xF0 ? (gms - 0xEF) << 22 : gms << 25
    }
    /// Base of data stolen memory (BDSM bits 31:20).
    public var stolenMemoryBase: PhysicalAddress { PhysicalAddress(UInt64(dword(PCIConfigRegister.bdsm) & 0xFFF0_0000)) }
    /// Physical address of the ACPI OpRegion (ASLS).
    public var opRegionAddress: UInt32 { dword(PCIConfigRegister.asls) }
    /// Software SCI register.
    public var swsci: UInt32 { dword(PCIConfigRegister.swsci) }

    /// Size of BAR `index` (0, 2 or 4); 0 for BARs that do not exist (1, 3 and 5 are upper
    /// halves or unimplemented).
    public func barSize(_ index: Int) -> UInt64 {
        switch index {
        case 0: BARLayout.gttmmadrSize
        case 2: apertureSize
        case 4: BARLayout.ioBarSize
        default: 0
        }
    }
}
