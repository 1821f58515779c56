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
    /// Each slot's page in its stored form (`StoredPage`: compressed by the memory's
    /// `snapshotCodec` when smaller); equal
    /// pages share storage with an earlier snapshot's.
    let pages: ContiguousArray<[UInt8]>

    /// Bytes of page content referenced (shared pages counted in each snapshot).
    public var pageBytes: Int { pages.count * PhysicalMemory.pageSize }

    /// Bytes the pages take as stored (compressed ones at their compressed size).
    public var storedPageBytes: Int { pages.reduce(0) { $0 + $1.count } }

    /// Estimated bytes this snapshot holds that `previous` does not share: pages whose storage
    /// is not the same slot's page of `previous`, the page table, and the allocator tables
    /// when they changed.
    public func bytesNotShared(with previous: PhysicalMemorySnapshot?) -> Int {
        var bytes = pages.count * MemoryLayout<[UInt8]>.stride
        for slot in pages.indices {
            if let previous, slot < previous.pages.count, pages[slot].sharesBuffer(with: previous.pages[slot]) { continue }
            bytes += pages[slot].count
        }
        bytes += slotTable.bytesNotShared(with: previous?.slotTable) + frameOfSlot.bytesNotShared(with: previous?.frameOfSlot)
            + freeSlots.bytesNotShared(with: previous?.freeSlots) + allocationBits.bytesNotShared(with: previous?.allocationBits)
        return bytes
    }
}

extension PhysicalMemory {
    /// A copy of the memory's content and allocator. Pages equal to the same slot's page in
    /// `previous` share its storage, so a series of snapshots holds each distinct page once.
    /// When `previous` is the snapshot last taken or restored, pages not written since are
    /// taken from it without a look at their bytes.
    public func snapshot(reusing previous: PhysicalMemorySnapshot? = nil) -> PhysicalMemorySnapshot {
        let slots = frameOfSlot.count
        var pages = ContiguousArray<[UInt8]>()
        pages.reserveCapacity(slots)
        let synced = previous.map { previous in syncedPages.map { previous.pages.sharesBuffer(with: $0) } ?? false } ?? false
        for slot in 0..<slots {
            if synced, let previous, slot < previous.pages.count, !isWritten(slot) {
                pages.append(previous.pages[slot])
                continue
            }
            let source = storage(ofSlot: Int32(slot))
            if let previous, slot < previous.pages.count {
                let old = previous.pages[slot]
                if StoredPage.holds(old, sameAs: source, codec: snapshotCodec) {
                    pages.append(old)
                    continue
                }
            }
            pages.append(StoredPage.make(from: source, codec: snapshotCodec))
        }
        markSynced(pages)
        return PhysicalMemorySnapshot(slotTable: slotTable, farSlots: farSlots, frameOfSlot: frameOfSlot, freeSlots: freeSlots,
                                      allocationBits: allocationBits, searchWord: searchWord, allocatedCount: allocatedCount,
                                      pages: pages)
    }

    /// Puts the memory back to `snapshot` (taken from a memory of the same size). Copies only
    /// the pages written since the last snapshot or restore and those that differ between
    /// that one and `snapshot` (storage identity, not bytes, is compared).
    public func restore(_ snapshot: PhysicalMemorySnapshot) {
        precondition(snapshot.allocationBits.count == allocationBits.count, "snapshot of a memory of another size")
        let slots = snapshot.frameOfSlot.count
        let liveSlots = frameOfSlot.count
        while chunks.count * Self.pagesPerChunk < slots {
            let bytes = Self.pagesPerChunk * Self.pageSize
            let chunk = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Self.pageSize)
            chunk.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            chunks.append(chunk)
            dirtySlots.append(0)
        }
        let base = syncedPages ?? []
        for slot in 0..<slots {
            let page = snapshot.pages[slot]
            if slot < base.count, !isWritten(slot), page.sharesBuffer(with: base[slot]) { continue }
            StoredPage.expand(page, into: storage(ofSlot: Int32(slot)), codec: snapshotCodec)
        }
        // Storage beyond the snapshot's slots is zero, as fresh storage is. (Beyond the live
        // slots it already is: fresh chunks are zeroed and slots past the end never written.)
        for slot in slots..<max(slots, liveSlots) {
            storage(ofSlot: Int32(slot)).initializeMemory(as: UInt8.self, repeating: 0, count: Self.pageSize)
        }
        markSynced(snapshot.pages)
        slotTable = snapshot.slotTable
        farSlots = snapshot.farSlots
        frameOfSlot = snapshot.frameOfSlot
        freeSlots = snapshot.freeSlots
        allocationBits = snapshot.allocationBits
        searchWord = snapshot.searchWord
        allocatedCount = snapshot.allocatedCount
    }

    /// Whether slot `slot` was written since the last snapshot or restore.
    @inline(__always)
    func isWritten(_ slot: Int) -> Bool {
        dirtySlots[slot >> 6] & (1 << UInt64(slot & 63)) != 0
    }

    /// Records that the storage now holds exactly `pages` (slots beyond them zero).
    private func markSynced(_ pages: ContiguousArray<[UInt8]>) {
        for i in dirtySlots.indices { dirtySlots[i] = 0 }
        syncedPages = pages
    }
}
