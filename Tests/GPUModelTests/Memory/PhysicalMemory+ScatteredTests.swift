import Testing
@testable import GPUModel

/// Reads and writes over a frame map (guest RAM backed by scattered host frames).
@Suite struct PhysicalMemoryScatteredTests {
    @Test func crossesPagesThroughTheMapAndRefusesHoles() {
        let memory = PhysicalMemory(size: 1 << 24)
        let frames = [memory.allocateFrame()!, memory.allocateFrame()!, memory.allocateFrame()!].reversed().map { $0 }
        let map: (UInt64) -> PageFrameNumber? = { $0 < 2 ? frames[Int($0)] : nil }
        #expect(memory.writeScattered(0xFFE, bytes: [1, 2, 3, 4], frame: map))
        #expect(memory.read(PhysicalAddress(frame: frames[0], offset: 0xFFE), count: 2) == [1, 2])
        #expect(memory.read(PhysicalAddress(frame: frames[1]), count: 2) == [3, 4])
        #expect(memory.readScattered(0xFFE, count: 4, frame: map) == [1, 2, 3, 4])
        // A write reaching an unmapped page changes nothing; a read there is nil.
        #expect(!memory.writeScattered(0x1FFE, bytes: [9, 9, 9, 9], frame: map))
        #expect(memory.read(PhysicalAddress(frame: frames[1], offset: 0xFFE), count: 2) == [0, 0])
        #expect(memory.readScattered(0x1FFE, count: 4, frame: map) == nil)
        #expect(memory.readScattered(0, count: -1, frame: map) == nil)
        #expect(memory.writeScattered(0x5000, bytes: [], frame: map))
    }
}
