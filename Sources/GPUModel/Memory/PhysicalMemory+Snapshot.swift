/// A copy of physical memory at one moment: the populated pages and the allocator. Taken and
/// restored by replay checkpoints; the size is that of the populated pages.
public struct PhysicalMemorySnapshot: Sendable {
    let slotTable: ContiguousArray<Int32>
    let farSlots: [UInt64: Int32]
    let frameOfSlot: ContiguousArray<UInt64>
    let freeSlots: ContiguousArray<Int32>
    let allocationBits: ContiguousArray<UInt64>
    let searchWord: Int
    let allocatedCount: Int
    /// Page bytes, slot after slot.
    let pages: [UInt8]

    /// Bytes of page content held.
    public var pageBytes: Int { pages.count }
}

extension PhysicalMemory {
    /// A copy of the memory's content and allocator.
    public func snapshot() -> PhysicalMemorySnapshot {
        let slots = frameOfSlot.count
        var pages = [UInt8](repeating: 0, count: slots * Self.pageSize)
        pages.withUnsafeMutableBytes { out in
            for chunk in 0..<chunks.count {
                let first = chunk * Self.pagesPerChunk
                let count = min(Self.pagesPerChunk, slots - first)
                guard count > 0 else { break }
                (out.baseAddress! + first * Self.pageSize).copyMemory(from: chunks[chunk], byteCount: count * Self.pageSize)
            }
        }
        return PhysicalMemorySnapshot(slotTable: slotTable, farSlots: farSlots, frameOfSlot: frameOfSlot, freeSlots: freeSlots,
                                      allocationBits: allocationBits, searchWord: searchWord, allocatedCount: allocatedCount,
                                      pages: pages)
    }

    /// Puts the memory back to `snapshot` (taken from a memory of the same size).
    public func restore(_ snapshot: PhysicalMemorySnapshot) {
        precondition(snapshot.allocationBits.count == allocationBits.count, "snapshot of a memory of another size")
        let slots = snapshot.frameOfSlot.count
        while chunks.count * Self.pagesPerChunk < slots {
            let bytes = Self.pagesPerChunk * Self.pageSize
            chunks.append(UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Self.pageSize))
        }
        snapshot.pages.withUnsafeBytes { source in
            for chunk in 0..<chunks.count {
                let first = chunk * Self.pagesPerChunk
                let count = max(0, min(Self.pagesPerChunk, slots - first))
                if count > 0 {
                    chunks[chunk].copyMemory(from: source.baseAddress! + first * Self.pageSize, byteCount: count * Self.pageSize)
                }
                // Storage beyond the snapshot's slots is zero, as fresh storage is.
                let rest = Self.pagesPerChunk - count
                if rest > 0 {
                    (chunks[chunk] + count * Self.pageSize).initializeMemory(as: UInt8.self, repeating: 0,
                                                                              count: rest * Self.pageSize)
                }
            }
        }
        slotTable = snapshot.slotTable
        farSlots = snapshot.farSlots
        frameOfSlot = snapshot.frameOfSlot
        freeSlots = snapshot.freeSlots
        allocationBits = snapshot.allocationBits
        searchWord = snapshot.searchWord
        allocatedCount = snapshot.allocatedCount
    }
}
