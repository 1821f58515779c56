import Foundation
import Testing
@testable import GPUModel

@Suite struct PCIConfigSpaceTests {
    typealias R = PCIConfigRegister

    @Test func identityAndHeader() {
        let cfg = PCIConfigSpace(apertureSize: 256 << 20)
        #expect(cfg.read(offset: 0, size: 4) == 0x5A84_8086)
        #expect(cfg.vendorID == 0x8086 && cfg.deviceID == 0x5A84)
        #expect(cfg.classCode == 0x030000)
        #expect(cfg.read(offset: R.revisionID, size: 1) == 0x0B)
        #expect(cfg.read(offset: R.headerType, size: 1) == 0)
        #expect(cfg.read(offset: R.status, size: 2) & 0x10 != 0)
        #expect(cfg.read(offset: R.subsystemVendorID, size: 4) == 0x2212_8086)
        #expect(cfg.read(offset: R.interruptPin, size: 1) == 1)
        #expect(!cfg.memorySpaceEnabled && !cfg.busMasterEnabled && !cfg.ioSpaceEnabled)
        #expect(PCIConfigSpace(deviceID: 0x5A85, apertureSize: 256 << 20).deviceID == 0x5A85)
    }

    @Test func capabilityChainIsWellFormed() {
        let cfg = PCIConfigSpace(apertureSize: 256 << 20)
        var pointer = Int(cfg.read(offset: R.capabilitiesPointer, size: 1))
        var found: [(Int, UInt32)] = []
        while pointer != 0 && found.count < 10 {
            found.append((pointer, cfg.read(offset: pointer, size: 1)))
            pointer = Int(cfg.read(offset: pointer + 1, size: 1))
        }
        #expect(found.map(\.0) == [0x40, 0x70, 0xAC, 0xD0])
        #expect(found.map(\.1) == [0x09, 0x10, 0x05, 0x01])
        #expect(cfg.read(offset: 0x100, size: 4) == 0)   // no extended capabilities
    }

    @Test func graphicsRegisters() {
        let cfg = PCIConfigSpace(apertureSize: 512 << 20, stolenSize: 64 << 20, stolenBase: 0x7C00_0000)
        #expect(cfg.gmchControl == 0x02C1)   // GMS 2 (64 MiB), GGMS 3 (8 MiB), locked
        #expect(cfg.ggttSize == 8 << 20)
        #expect(cfg.stolenMemorySize == 64 << 20)
        #expect(cfg.stolenMemoryBase == 0x7C00_0000)
        #expect(cfg.read(offset: R.msac, size: 1) == 0x03)
        #expect(PCIConfigSpace(apertureSize: 128 << 20).read(offset: R.msac, size: 1) == 0)
        #expect(PCIConfigSpace(apertureSize: 4 << 30).read(offset: R.msac, size: 1) == 0x1F)
        var locked = cfg
        locked.write(offset: R.gmchControl, size: 2, value: 0)
        locked.write(offset: R.bdsm, size: 4, value: 0)
        #expect(locked == cfg)
        var hidden = cfg
        hidden.setRaw(offset: R.gmchControl + 1, bytes: [0])
        #expect(hidden.stolenMemorySize == 0)
    }

    @Test func barSizingReturnsSizeMaskWithTypeBits() {
        var cfg = PCIConfigSpace(apertureSize: 256 << 20)
        #expect(cfg.read(offset: R.bar0, size: 4) == 0x4)
        #expect(cfg.read(offset: R.bar2, size: 4) == 0xC)
        #expect(cfg.read(offset: R.bar4, size: 4) == 0x1)
        for offset in [R.bar0, R.bar1, R.bar2, R.bar3, R.bar4, R.bar5, R.romBase] {
            cfg.write(offset: offset, size: 4, value: 0xFFFF_FFFF)
        }
        #expect(cfg.read(offset: R.bar0, size: 4) == 0xFF00_0004)   // 16 MiB
        #expect(cfg.read(offset: R.bar1, size: 4) == 0xFFFF_FFFF)
        #expect(cfg.read(offset: R.bar2, size: 4) == 0xF000_000C)   // 256 MiB
        #expect(cfg.read(offset: R.bar3, size: 4) == 0xFFFF_FFFF)
        #expect(cfg.read(offset: R.bar4, size: 4) == 0xFFFF_FFC1)   // 64 bytes of I/O
        #expect(cfg.read(offset: R.bar5, size: 4) == 0)
        #expect(cfg.read(offset: R.romBase, size: 4) == 0)

        let big = { () -> PCIConfigSpace in
            var c = PCIConfigSpace(apertureSize: 4 << 30)
            c.write(offset: R.bar2, size: 4, value: 0xFFFF_FFFF)
            return c
        }()
        #expect(big.read(offset: R.bar2, size: 4) == 0xC)
    }

    @Test func barProgrammingAndEnable() {
        var cfg = PCIConfigSpace(apertureSize: 256 << 20)
        cfg.write(offset: R.bar0, size: 4, value: 0xDF12_3456)   // low bits inside the BAR are dropped
        cfg.write(offset: R.bar1, size: 4, value: 0x0000_0001)
        cfg.write(offset: R.bar2, size: 4, value: 0xC000_0000)
        cfg.write(offset: R.bar3, size: 4, value: 0x0000_0002)
        cfg.write(offset: R.bar4, size: 4, value: 0xF000)
        #expect(cfg.bar0Base == 0x1_DF00_0000)
        #expect(cfg.bar2Base == 0x2_C000_0000)
        #expect(cfg.bar4Base == 0xF000)
        cfg.write(offset: R.command, size: 2, value: 0xFFFF)
        #expect(cfg.memorySpaceEnabled && cfg.busMasterEnabled && cfg.ioSpaceEnabled)
        #expect(cfg.command == 0x0407)
        cfg.write(offset: R.command, size: 1, value: 0x02)
        #expect(cfg.memorySpaceEnabled && !cfg.busMasterEnabled)
        #expect(cfg.barSize(0) == 16 << 20 && cfg.barSize(2) == 256 << 20 && cfg.barSize(4) == 64 && cfg.barSize(1) == 0)
    }

    @Test func readOnlyFieldsIgnoreWrites() {
        let fresh = PCIConfigSpace(apertureSize: 256 << 20)
        var cfg = fresh
        cfg.write(offset: R.vendorID, size: 4, value: 0x1234_5678)
        cfg.write(offset: R.revisionID, size: 4, value: 0xFFFF_FFFF)
        cfg.write(offset: R.capabilitiesPointer, size: 1, value: 0)
        cfg.write(offset: R.msac, size: 1, value: 0xFF)
        cfg.write(offset: 0x200, size: 4, value: 0xFFFF_FFFF)
        #expect(cfg == fresh)
        cfg.write(offset: R.interruptLine, size: 1, value: 0x0B)
        #expect(cfg.read(offset: R.interruptLine, size: 2) == 0x010B)
    }

    @Test func statusErrorBitsAreWriteOneToClear() {
        var cfg = PCIConfigSpace(apertureSize: 256 << 20)
        cfg.setRaw(offset: R.status, bytes: [0x10, 0xF9])
        cfg.write(offset: R.status, size: 2, value: 0x2010)      // clear bit 13 only; bit 4 stays (RO)
        #expect(cfg.read(offset: R.status, size: 2) == 0xD910)
        cfg.write(offset: R.status, size: 2, value: 0)           // writing zeros changes nothing
        #expect(cfg.read(offset: R.status, size: 2) == 0xD910)
    }

    @Test func msiProgramming() {
        var cfg = PCIConfigSpace(apertureSize: 256 << 20)
        #expect(cfg.msi == MSICapability(isEnabled: false, is64Bit: false, address: 0, data: 0))
        cfg.write(offset: 0xB0, size: 4, value: 0xFEE0_100F)   // bits 1:0 are RO zero
        cfg.write(offset: 0xB4, size: 2, value: 0x4041)
        cfg.write(offset: 0xAE, size: 2, value: 0xFFFF)        // only the enable bit sticks
        #expect(cfg.msi == MSICapability(isEnabled: true, is64Bit: false, address: 0xFEE0_100C, data: 0x4041))
        #expect(cfg.msi.enabled)
        #expect(cfg.read(offset: 0xAE, size: 2) == 0x0001)

        var wide = PCIConfigSpace(apertureSize: 256 << 20, msi64Bit: true)
        #expect(wide.read(offset: 0xAE, size: 2) == 0x0080)
        wide.write(offset: 0xB0, size: 4, value: 0xFEE0_0000)
        wide.write(offset: 0xB4, size: 4, value: 0x0000_0001)
        wide.write(offset: 0xB8, size: 2, value: 0x0031)
        wide.write(offset: 0xAE, size: 1, value: 1)
        #expect(wide.msi == MSICapability(isEnabled: true, is64Bit: true, address: 0x1_FEE0_0000, data: 0x31))
    }

    @Test func opRegionAndSWSCI() {
        var cfg = PCIConfigSpace(apertureSize: 256 << 20)
        cfg.write(offset: R.asls, size: 4, value: 0x7AB1_2000)
        #expect(cfg.opRegionAddress == 0x7AB1_2000)
        cfg.write(offset: R.swsci, size: 4, value: 0xFFFF_FFFF)
        #expect(cfg.swsci == 0x8001)
    }

    @Test func invalidAccessesReadAllOnesAndAreDropped() {
        var cfg = PCIConfigSpace(apertureSize: 256 << 20)
        let before = cfg
        #expect(cfg.read(offset: 4095, size: 2) == 0xFFFF)
        #expect(cfg.read(offset: 4096, size: 1) == 0xFF)
        #expect(cfg.read(offset: -1, size: 4) == 0xFFFF_FFFF)
        #expect(cfg.read(offset: 0, size: 3) == 0xFFFF_FFFF)
        #expect(cfg.read(offset: 4092, size: 4) == 0)
        cfg.write(offset: R.command, size: 3, value: 0x7)
        cfg.write(offset: 4094, size: 4, value: 0x7)
        #expect(cfg == before)
        #expect(cfg.read(offset: 1, size: 2) == 0x8480)   // unaligned reads see the bytes
    }

    @Test func codableRoundTrip() throws {
        var cfg = PCIConfigSpace(apertureSize: 256 << 20)
        cfg.write(offset: R.command, size: 2, value: 0x6)
        let decoded = try JSONDecoder().decode(PCIConfigSpace.self, from: JSONEncoder().encode(cfg))
        #expect(decoded == cfg)
    }
}
