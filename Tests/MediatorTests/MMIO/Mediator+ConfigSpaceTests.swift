import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The virtual PCI config space: initial state, BAR sizing and enabling, MSI, bad accesses.
@Suite struct ConfigSpaceTests {
    typealias R = PCIConfigRegister

    @Test func initialSpaceHidesStolenMemoryAndSizesBAR2LikeTheHost() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let config = try #require(f.mediator.vgpu(id)).config
        #expect(config.vendorID == 0x8086 && config.classCode == 0x030000)
        #expect(config.stolenMemorySize == 0 && config.gmchControl & 0xFF00 == 0)
        #expect(config.barSize(2) == f.host.hostApertureSize)
        #expect(config.opRegionAddress == 0)
        #expect(!config.memorySpaceEnabled && !config.msi.isEnabled)
        #expect(f.mediator.emulateConfigRead(id, offset: R.msiCapability, size: 1) == 0x05)
    }

    @Test func barSizingReturnsTheSizeMask() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.mediator.emulateConfigWrite(id, offset: R.bar0, size: 4, value: ~0)
        #expect(f.mediator.emulateConfigRead(id, offset: R.bar0, size: 4) == 0xFF00_0004)  // 16 MiB, 64-bit
        f.mediator.emulateConfigWrite(id, offset: R.bar2, size: 4, value: ~0)
        let aperture = UInt32(truncatingIfNeeded: ~(f.host.hostApertureSize - 1)) | 0xC
        #expect(f.mediator.emulateConfigRead(id, offset: R.bar2, size: 4) == aperture)
        #expect(f.hypervisor.trapAreas.isEmpty && f.hypervisor.apertureMappings.isEmpty)
    }

    @Test func memoryEnableTrapsBAR0AndMapsTheApertureSlice() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.mediator.emulateConfigWrite(id, offset: R.bar0, size: 4, value: 0xE000_0004)
        f.mediator.emulateConfigWrite(id, offset: R.bar1, size: 4, value: 0)
        f.mediator.emulateConfigWrite(id, offset: R.bar2, size: 4, value: 0x8000_000C)
        #expect(f.hypervisor.trapAreas.isEmpty)  // not enabled yet
        f.mediator.emulateConfigWrite(id, offset: R.command, size: 2, value: 0x7)
        #expect(f.hypervisor.trapAreas.count == 1)
        let trap = try #require(f.hypervisor.trapAreas.first)
        #expect(trap.0 == id && trap.1 == 0xE000_0000 && trap.2 == 0xE0FF_FFFF && trap.3)
        let map = try #require(f.hypervisor.apertureMappings.first)
        #expect(map.0 == id && map.1 == GuestFrameNumber((0x8000_0000 + vgpu.slices.aperture.lowerBound) >> 12))
        #expect(map.2 == PageFrameNumber(vgpu.slices.aperture.lowerBound >> 12))
        #expect(map.3 == vgpu.slices.aperture.count >> 12 && map.4)
        // Enabling again changes nothing; disabling undoes both.
        f.mediator.emulateConfigWrite(id, offset: R.command, size: 2, value: 0x7)
        #expect(f.hypervisor.trapAreas.count == 1)
        f.mediator.emulateConfigWrite(id, offset: R.command, size: 2, value: 0x0)
        #expect(f.hypervisor.trapAreas.count == 2 && f.hypervisor.trapAreas[1].3 == false)
        #expect(f.hypervisor.apertureMappings.count == 2 && f.hypervisor.apertureMappings[1].4 == false)
        #expect(f.hypervisor.apertureMappings[1].1 == map.1)
    }

    @Test func movingAnEnabledBARRemapsItAndSizingUnmapsWhatWasMapped() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.mediator.emulateConfigWrite(id, offset: R.bar0, size: 4, value: 0xE000_0004)
        f.mediator.emulateConfigWrite(id, offset: R.command, size: 2, value: 0x2)
        f.mediator.emulateConfigWrite(id, offset: R.bar0, size: 4, value: 0xD000_0004)
        #expect(f.hypervisor.trapAreas.map { ($0.1.rawValue, $0.3) }.elementsEqual(
            [(0xE000_0000, true), (0xE000_0000, false), (0xD000_0000, true)], by: ==))
        f.mediator.emulateConfigWrite(id, offset: R.bar0, size: 4, value: ~0)
        #expect(f.hypervisor.trapAreas.last.map { ($0.1.rawValue, $0.3) }! == (0xD000_0000, false))
        #expect(f.mediator.vgpu(id)?.bars.trappedMMIOBase == nil)
    }

    @Test func msiCapabilityWritesAreStored() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.mediator.emulateConfigWrite(id, offset: R.msiCapability + 4, size: 4, value: 0xFEE0_100C)
        f.mediator.emulateConfigWrite(id, offset: MSICapability.dataOffset(is64Bit: false), size: 2, value: 0x4041)
        f.mediator.emulateConfigWrite(id, offset: R.msiCapability + 2, size: 2, value: 1)
        let msi = try #require(f.mediator.vgpu(id)).config.msi
        #expect(msi.isEnabled && msi.address == 0xFEE0_100C && msi.data == 0x4041)
    }

    @Test func badAccessesAreRefusedAndObserved() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let before = try #require(f.mediator.vgpu(id)).config
        #expect(f.mediator.emulateConfigRead(id, offset: 4095, size: 4) == 0xFFFF_FFFF)
        #expect(f.mediator.emulateConfigRead(id, offset: 0, size: 8) == 0xFFFF_FFFF)
        f.mediator.emulateConfigWrite(id, offset: 4094, size: 4, value: 0)
        f.mediator.emulateConfigWrite(id, offset: R.command, size: 4, value: 0x0010_0007)  // command + status
        f.mediator.emulateConfigWrite(id, offset: R.bar2, size: 2, value: 0xFFFF)
        f.mediator.emulateConfigWrite(id, offset: -4, size: 4, value: 0)
        #expect(f.mediator.vgpu(id)?.config == before)
        let errors = f.log.events.filter { if case .configAccessError = $0 { true } else { false } }
        #expect(errors.count == 6)
        #expect(f.hypervisor.trapAreas.isEmpty)
    }

    @Test func deviceModelResetUnmapsAndRestoresTheSpace() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.mediator.emulateConfigWrite(id, offset: R.bar0, size: 4, value: 0xE000_0004)
        f.mediator.emulateConfigWrite(id, offset: R.command, size: 2, value: 0x2)
        try f.mediator.resetVGPU(id, deviceModelLevel: true)
        #expect(f.hypervisor.trapAreas.last?.3 == false && f.hypervisor.apertureMappings.last?.4 == false)
        #expect(f.mediator.vgpu(id)?.config.memorySpaceEnabled == false)
        #expect(f.mediator.vgpu(id)?.bars == VirtualBARState())
    }
}
