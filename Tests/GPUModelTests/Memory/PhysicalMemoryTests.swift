import Testing
@testable import GPUModel

/// Records every frame the memory announces before reading it.
final class RecordingReadObserver: MemoryReadObserver {
    var frames: [PageFrameNumber] = []
    /// Content to install in a frame the first time it is read (like replay does).
    var serve: [PageFrameNumber: [UInt8]] = [:]
    weak var memory: PhysicalMemory?

    func memoryWillRead(frame: PageFrameNumber) {
        frames.append(frame)
        if let bytes = serve.removeValue(forKey: frame) { memory?.setPage(frame, bytes) }
    }
}

@Suite struct PhysicalMemoryTests {
    @Test func untouchedMemoryReadsZeroAndStaysUnpopulated() {
        let memory = PhysicalMemory(size: 64 << 20)
        #expect(memory.read32(0x1234) == 0)
        #expect(memory.read64(0x3FF_FFF8) == 0)
        #expect(memory.page(PageFrameNumber(7)) == [UInt8](repeating: 0, count: 4096))
        #expect(memory.read(0x5000, count: 10000) == [UInt8](repeating: 0, count: 10000))
        #expect(memory.populatedFrames.isEmpty)
        #expect(!memory.isPopulated(PageFrameNumber(1)))
    }

    @Test func scalarReadWriteIsLittleEndian() {
        let memory = PhysicalMemory(size: 1 << 20, allocationBase: 0)
        memory.write32(0x100, 0xAABB_CCDD)
        #expect(memory.read(0x100, count: 4) == [0xDD, 0xCC, 0xBB, 0xAA])
        memory.write64(0x200, 0x0102_0304_0506_0708)
        #expect(memory.read32(0x200) == 0x0506_0708)
        #expect(memory.read32(0x204) == 0x0102_0304)
        #expect(memory.read64(0x200) == 0x0102_0304_0506_0708)
        #expect(memory.populatedFrames == [PageFrameNumber(0)])
    }

    @Test func accessesStraddlingPagesSplitCorrectly() {
        let memory = PhysicalMemory(size: 1 << 20)
        memory.write32(0x1FFE, 0x4433_2211)
        #expect(memory.read(0x1FFE, count: 4) == [0x11, 0x22, 0x33, 0x44])
        #expect(memory.read32(0x1FFE) == 0x4433_2211)
        #expect(memory.populatedFrames == [PageFrameNumber(1), PageFrameNumber(2)])

        memory.write64(0x3FFB, 0x8877_6655_4433_2211)
        #expect(memory.read64(0x3FFB) == 0x8877_6655_4433_2211)
        #expect(memory.read32(0x3FFF) == 0x8877_6655)

        let bytes = (0..<9000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        memory.write(0x10F00, bytes: bytes)
        #expect(memory.read(0x10F00, count: bytes.count) == bytes)
        #expect(memory.readDwords(0x10F00, count: 3) == [0x150E_0700, 0x312A_231C, 0x4D46_3F38])
    }

    @Test func writeAcceptsNonContiguousCollections() {
        let memory = PhysicalMemory(size: 1 << 20)
        memory.write(0xFFE, bytes: (1...4).lazy.map { UInt8($0) })
        #expect(memory.read32(0xFFE) == 0x0403_0201)
    }

    @Test func fillAndDiscard() {
        let memory = PhysicalMemory(size: 1 << 20)
        memory.fill(0xF00, count: 0x200, byte: 0xAB)
        #expect(memory.read(0xEFF, count: 3) == [0, 0xAB, 0xAB])
        #expect(memory.read(0x10FF, count: 2) == [0xAB, 0])
        memory.fill(0x3000, count: 0x2000, byte: 0)   // zero fill of untouched pages populates nothing
        #expect(memory.populatedFrames == [PageFrameNumber(0), PageFrameNumber(1)])
        memory.fill(0x1000, count: 0x1000, byte: 0)   // whole-page zero fill releases the page
        #expect(memory.populatedFrames == [PageFrameNumber(0)])
        memory.discardPage(PageFrameNumber(0))
        #expect(memory.populatedFrames.isEmpty)
        #expect(memory.read32(0xF00) == 0)
    }

    @Test func setPageAndPopulatedFramesAreSorted() {
        let memory = PhysicalMemory(size: 1 << 30)
        let frames: [UInt64] = [0x3FFFF, 5, 0x20000, 9, 1]
        for (i, f) in frames.enumerated() {
            memory.setPage(PageFrameNumber(f), [UInt8](repeating: UInt8(i + 1), count: 4096))
        }
        #expect(memory.populatedFrames == frames.sorted().map(PageFrameNumber.init(rawValue:)))
        #expect(memory.page(PageFrameNumber(0x20000))[4095] == 3)
        #expect(memory.read32(PhysicalAddress(frame: PageFrameNumber(0x3FFFF), offset: 0xFFC)) == 0x0101_0101)
        #expect(memory.populatedFrameCount == 5)
    }

    @Test func framesAboveTheDirectTableWork() {
        // 80 GiB: frames above 64 GiB use the lookup dictionary.
        let memory = PhysicalMemory(size: 80 << 30)
        let high = PhysicalAddress(72 << 30 | 0xFFE)
        memory.write32(high, 0xDEAD_BEEF)
        #expect(memory.read32(high) == 0xDEAD_BEEF)
        memory.write32(0x1000, 1)
        #expect(memory.populatedFrames == [PageFrameNumber(1), high.frame, high.frame.advanced(1)])
        memory.discardPage(high.frame)
        #expect(memory.read32(high) == 0xDEAD_0000)
    }

    @Test func containsChecksBothEnds() {
        let memory = PhysicalMemory(size: 0x10000)
        #expect(memory.contains(0xFFFC, count: 4))
        #expect(!memory.contains(0xFFFD, count: 4))
        #expect(memory.contains(0x10000, count: 0))
        #expect(!memory.contains(0x10001, count: 0))
        #expect(!memory.contains(PhysicalAddress(UInt64.max), count: 2))
        #expect(!memory.contains(0, count: -1))
    }

    @Test func observerHearsOfEveryFrameReadInOrder() {
        let memory = PhysicalMemory(size: 1 << 20)
        let observer = RecordingReadObserver()
        memory.readObserver = observer
        _ = memory.read32(0x1000)
        _ = memory.read32(0x2FFE)             // straddles frames 2 and 3
        _ = memory.read64(0x4FFC)             // straddles 4 and 5
        _ = memory.read(0x6F00, count: 0x2000) // 6, 7, 8
        _ = memory.readDwords(0x9FF8, count: 4) // 9, 10
        _ = memory.page(PageFrameNumber(11))
        memory.write32(0xC000, 1)              // writes are not reads
        #expect(observer.frames.map(\.rawValue) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    }

    @Test func observerMayServeContentBeforeTheRead() {
        let memory = PhysicalMemory(size: 1 << 20)
        let observer = RecordingReadObserver()
        observer.memory = memory
        var recorded = [UInt8](repeating: 0, count: 4096)
        recorded[8] = 0x5A
        observer.serve[PageFrameNumber(3)] = recorded
        memory.readObserver = observer
        #expect(memory.read32(0x3008) == 0x5A)
    }

    @Test func allocatorIsDeterministicLowestFirst() {
        let memory = PhysicalMemory(size: 2 << 20)   // 512 frames, base 1 MiB = frame 256
        #expect(memory.freeFrameCount == 256)
        #expect(memory.allocateFrame() == PageFrameNumber(256))
        #expect(memory.allocateFrame() == PageFrameNumber(257))
        #expect(memory.allocateFrames(count: 3) == [258, 259, 260].map(PageFrameNumber.init(rawValue:)))
        memory.freeFrame(PageFrameNumber(257))
        #expect(memory.allocateFrames(count: 2) == [261, 262].map(PageFrameNumber.init(rawValue:)))
        #expect(memory.allocateFrame() == PageFrameNumber(257))
        #expect(memory.freeFrameCount == 256 - 7)
        #expect(memory.isAllocated(PageFrameNumber(0)))
        #expect(!memory.isAllocated(PageFrameNumber(263)))
    }

    @Test func allocatorExhaustionAndRuns() {
        let memory = PhysicalMemory(size: 0x50000, allocationBase: 0x10000)   // frames 16..<80
        #expect(memory.allocateFrames(count: 65) == nil)
        #expect(memory.freeFrameCount == 64)
        var all: [PageFrameNumber] = []
        while let frame = memory.allocateFrame() { all.append(frame) }
        #expect(all == (16..<80).map(PageFrameNumber.init(rawValue:)))
        #expect(memory.freeFrameCount == 0)
        #expect(memory.allocateFrames(count: 1) == nil)
        memory.freeFrame(PageFrameNumber(40))
        memory.freeFrame(PageFrameNumber(70))
        memory.freeFrame(PageFrameNumber(71))
        #expect(memory.allocateFrames(count: 2) == [70, 71].map(PageFrameNumber.init(rawValue:)))
        #expect(memory.allocateFrames(count: 2) == nil)
        #expect(memory.allocateFrame() == PageFrameNumber(40))
    }

    @Test func freeAndAllocateZeroContent() {
        let memory = PhysicalMemory(size: 2 << 20)
        let frame = memory.allocateFrame()!
        memory.write32(frame.address.advanced(by: 16), 0x1234)
        memory.freeFrame(frame)
        #expect(memory.read32(frame.address.advanced(by: 16)) == 0)
        #expect(!memory.isPopulated(frame))
        memory.write32(PhysicalAddress(frame: PageFrameNumber(300)), 7)   // written before allocation
        memory.reserve(PageFrameNumber(256)..<PageFrameNumber(300))
        #expect(memory.allocateFrame() == PageFrameNumber(300))
        #expect(memory.read32(PhysicalAddress(frame: PageFrameNumber(300))) == 0)
    }

    @Test func saveAndRestoreRoundTrip() {
        let memory = PhysicalMemory(size: 4 << 20)
        let a = memory.allocateFrame()!
        memory.write64(a.address, 0x1122_3344_5566_7788)
        memory.write32(0x10, 5)
        let state = memory.save()
        memory.write64(a.address, 0)
        memory.write32(0x5000, 9)
        _ = memory.allocateFrames(count: 4)
        memory.restore(state)
        #expect(memory.read64(a.address) == 0x1122_3344_5566_7788)
        #expect(memory.read32(0x5000) == 0)
        #expect(memory.populatedFrames == [PageFrameNumber(0), a])
        #expect(memory.allocateFrame() == a.advanced(1))
        #expect(memory.save() != state)
    }
}

extension PageFrameNumber {
    func advanced(_ n: UInt64) -> PageFrameNumber { PageFrameNumber(rawValue + n) }
}
