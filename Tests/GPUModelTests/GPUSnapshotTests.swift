import Testing
@testable import GPUModel

@Suite struct GPUSnapshotTests {
    @Test func restoreUndoesRegisterGGTTAndMemoryWrites() {
        let gpu = GPU()
        gpu.registers[0x4_0000] = 0x1234
        gpu.ggtt[0x100] = GGTTEntry(frame: PageFrameNumber(0x500))
        gpu.memory.write32(PhysicalAddress(0x50_0000), 0xCAFE)
        let digest = gpu.stateDigest()
        let snapshot = gpu.snapshot()
        gpu.registers[0x4_0000] = 0x5678
        gpu.registers[0x8_0000] = 1
        gpu.ggtt[0x100] = GGTTEntry(frame: PageFrameNumber(0x600))
        gpu.ggtt[0xF_FFFF] = GGTTEntry(frame: PageFrameNumber(0x700))
        gpu.memory.write32(PhysicalAddress(0x50_0000), 0xBEEF)
        #expect(gpu.stateDigest() != digest)
        gpu.restore(snapshot)
        #expect(gpu.stateDigest() == digest)
        #expect(gpu.registers[0x4_0000] == 0x1234 && gpu.registers[0x8_0000] == 0)
        #expect(gpu.ggtt[0x100].frame == PageFrameNumber(0x500) && gpu.ggtt[0xF_FFFF].rawValue == 0)
        #expect(gpu.memory.read32(PhysicalAddress(0x50_0000)) == 0xCAFE)
        // Restoring again after more writes gives the same state: the snapshot was not written through.
        gpu.registers[0x4_0000] = 0
        gpu.ggtt[0x100] = GGTTEntry(rawValue: 0)
        gpu.restore(snapshot)
        #expect(gpu.stateDigest() == digest)
    }

    @Test func aSnapshotHoldsOnlyWhatChangedSinceThePreviousOne() {
        let gpu = GPU()
        gpu.memory.write32(PhysicalAddress(0x50_0000), 1)
        let first = gpu.snapshot()
        let again = gpu.snapshot(reusing: first)
        // Nothing changed: only the page table of the memory snapshot is new.
        let unchanged = again.bytesNotShared(with: first)
        #expect(unchanged < 4_096)
        gpu.registers[0x4_0000] = 0x5678
        gpu.ggtt[0x100] = GGTTEntry(frame: PageFrameNumber(0x600))
        gpu.memory.write32(PhysicalAddress(0x50_0000), 2)
        let second = gpu.snapshot(reusing: again)
        let changed = second.bytesNotShared(with: again) - unchanged
        // One register leaf and one GGTT leaf, each with its group table and its top table, and one
        // page (raw: no codec installed; with its object's overhead).
        let registers = (1 << RegisterFile.chunkShift) * 4 + (1 << RegisterFile.groupShift) * 8
            + (RegisterCatalogue.dwordCount >> (RegisterFile.chunkShift + RegisterFile.groupShift)) * 8
        let ggtt = (1 << GGTT.chunkShift) * 8 + (1 << GGTT.groupShift) * 8 + (GGTT.entryCount >> (GGTT.chunkShift + GGTT.groupShift)) * 8
        #expect(changed == registers + ggtt + 4_096 + StoredPage.overheadBytes)
        // Against nothing, the whole populated state counts.
        #expect(second.bytesNotShared(with: nil) > changed)
    }
}
