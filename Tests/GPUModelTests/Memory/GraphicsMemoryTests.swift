import Testing
@testable import GPUModel

@Suite struct GraphicsMemoryTests {
    let memory = PhysicalMemory(size: 64 << 20)
    let ggtt = GGTT()
    var gm: GraphicsMemory { GraphicsMemory(memory: memory, ggtt: ggtt) }

    /// GGTT pages 0x100 and 0x101 map to frames 0x2005 and 0x1003 (not contiguous, reversed).
    func mapTwoPages() {
        ggtt[0x100] = GGTTEntry(frame: PageFrameNumber(0x2005))
        ggtt[0x101] = GGTTEntry(frame: PageFrameNumber(0x1003))
    }

    @Test func pageCrossingReadsUseEachPagesFrame() throws {
        mapTwoPages()
        memory.write(PhysicalAddress(0x2005_FFC), bytes: [1, 2, 3, 4])
        memory.write(PhysicalAddress(0x1003_000), bytes: [5, 6, 7, 8])
        let space = AddressSpace.ggtt
        #expect(try gm.read(0x100FFC, count: 8, in: space) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try gm.read32(0x100FFE, in: space) == 0x0605_0403)
        #expect(try gm.read64(0x100FFC, in: space) == 0x0807_0605_0403_0201)
        #expect(try gm.readDwords(0x100FFC, count: 2, in: space) == [0x0403_0201, 0x0807_0605])
        #expect(try gm.readDwords(0x101000, count: 1, in: space) == [0x0807_0605])
    }

    @Test func pageCrossingWritesLandInBothFrames() throws {
        mapTwoPages()
        try gm.write64(0x100FFA, in: .ggtt, 0x1122_3344_5566_7788)
        #expect(memory.read(PhysicalAddress(0x2005_FFA), count: 6) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33])
        #expect(memory.read(PhysicalAddress(0x1003_000), count: 2) == [0x22, 0x11])
        try gm.write32(0x101004, in: .ggtt, 0xCAFE_F00D)
        #expect(memory.read32(PhysicalAddress(0x1003_004)) == 0xCAFE_F00D)
        try gm.write(0x100FFF, bytes: [9, 9], in: .ggtt)
        #expect(try gm.read(0x100FFF, count: 2, in: .ggtt) == [9, 9])
    }

    @Test func faultOnSecondPageFailsWholeAccessWithoutWriting() {
        ggtt[0x100] = GGTTEntry(frame: PageFrameNumber(0x2005))
        let expected = GPUFault(address: 0x101000, space: .ggtt, reason: .notPresent(level: 0), isWrite: true)
        #expect(throws: expected) { try gm.write(0x100FFE, bytes: [1, 2, 3, 4], in: .ggtt) }
        #expect(memory.read(PhysicalAddress(0x2005_FFE), count: 2) == [0, 0])
        #expect(!memory.isPopulated(PageFrameNumber(0x2005)))
        #expect(throws: GPUFault(address: 0x101000, space: .ggtt, reason: .notPresent(level: 0))) {
            try gm.read32(0x100FFE, in: .ggtt)
        }
    }

    @Test func ggttEntryBeyondMemoryFaults() {
        ggtt[1] = GGTTEntry(frame: PageFrameNumber(0x10_0000))   // 4 GiB, memory is 64 MiB
        #expect(gm.translate(0x1010, in: .ggtt, write: true)
            == .failure(GPUFault(address: 0x1010, space: .ggtt, reason: .beyondPhysicalMemory(0x1_0000_0010), isWrite: true)))
        #expect(throws: GPUFault.self) { try gm.readDwords(0x1000, count: 4, in: .ggtt) }
    }

    @Test func ppgttSpaceGoesThroughTheWalker() throws {
        let builder = PageTableBuilder(memory: memory)
        let tables = builder.map4K(0x7000, to: 0x0300_0000)
        builder.set(tables.pt, 8, PPGTTEntry(address: 0x0100_0000))
        let space = AddressSpace.ppgtt(.fourLevel(pml4: tables.pml4))
        try gm.write32(0x7FFE, in: space, 0xA1B2_C3D4)
        #expect(memory.read(0x0300_0FFE, count: 2) == [0xD4, 0xC3])
        #expect(memory.read(0x0100_0000, count: 2) == [0xB2, 0xA1])
        #expect(try gm.read32(0x7FFE, in: space) == 0xA1B2_C3D4)
        #expect(throws: GPUFault(address: 0x9000, space: .ppgtt, reason: .notPresent(level: 1))) {
            try gm.read(0x9000, count: 1, in: space)
        }
    }

    @Test func zeroLengthAccessTouchesNothing() throws {
        #expect(try gm.read(0xDEAD_0000, count: 0, in: .ggtt) == [])
        #expect(try gm.readDwords(0xDEAD_0000, count: 0, in: .ggtt) == [])
        try gm.write(0xDEAD_0000, bytes: [], in: .ggtt)
    }

    @Test func accessRunningPastTheEndOfTheSpaceFaults() {
        ggtt[GGTT.entryCount - 1] = GGTTEntry(frame: PageFrameNumber(3))
        #expect(throws: GPUFault(address: 0x1_0000_0000, space: .ggtt, reason: .outsideAddressSpace)) {
            try gm.read(0xFFFF_FFFE, count: 4, in: .ggtt)
        }
    }
}
