#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// Page bytes per slot; equal pages share storage with an earlier snapshot's.
    let pages: ContiguousArray<[UInt8]>

    /// Bytes of page content referenced (shared pages counted in each snapshot).
    public var pageBytes: Int { pages.count * PhysicalMemory.pageSize }
}

extension PhysicalMemory {
    /// A copy of the memory's content and allocator. Pages equal to the same slot's page in
    /// `previous` share its storage, so a series of snapshots holds each distinct page once.
    public func snapshot(reusing previous: PhysicalMemorySnapshot? = nil) -> PhysicalMemorySnapshot {
        let slots = frameOfSlot.count
        var pages = ContiguousArray<[UInt8]>()
        pages.reserveCapacity(slots)
        for slot in 0..<slots {
            let source = storage(ofSlot: Int32(slot))
            if let previous, slot < previous.pages.count {
                let old = previous.pages[slot]
                let same = old.withUnsafeBytes { memcmp($0.baseAddress!, source, Self.pageSize) == 0 }
                if same {
                    pages.append(old)
                    continue
                }
            }
            pages.append([UInt8](UnsafeRawBufferPointer(start: source, count: Self.pageSize)))
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
        for slot in 0..<slots {
            snapshot.pages[slot].withUnsafeBytes { storage(ofSlot: Int32(slot)).copyMemory(from: $0.baseAddress!, byteCount: Self.pageSize) }
        }
        // Storage beyond the snapshot's slots is zero, as fresh storage is.
        for slot in slots..<(chunks.count * Self.pagesPerChunk) {
            storage(ofSlot: Int32(slot)).initializeMemory(as: UInt8.self, repeating: 0, count: Self.pageSize)
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
