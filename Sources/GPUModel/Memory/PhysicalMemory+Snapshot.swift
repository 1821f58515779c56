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
    let allocationBits: ChunkedArray<UInt64>
    let searchWord: Int
    let allocatedCount: Int
    /// Each slot's page in its stored form (`StoredPage`: whole, or a compressed delta
    /// against the previous snapshot's page of the slot when the memory's `snapshotCodec`
    /// compresses); pages not changed since an earlier snapshot are that snapshot's objects.
    let pages: ContiguousArray<StoredPage>

    /// Bytes of page content referenced (shared pages counted in each snapshot).
    public var pageBytes: Int { pages.count * PhysicalMemory.pageSize }

    /// Bytes of the stored forms the pages reference, the bases of delta chains included
    /// (compressed ones at their compressed size; each chain element once).
    public var storedPageBytes: Int { pages.reduce(0) { $0 + $1.chainBytes } }

    /// Estimated bytes this snapshot keeps alive that `previous` does not: its page table,
    /// its stored pages that are not the same slot's page of `previous` nor of its chain,
    /// the bases of their chains that are not either (a base may belong to a snapshot no
    /// longer kept), and the allocator tables when they changed.
    public func bytesNotShared(with previous: PhysicalMemorySnapshot?) -> Int {
        var bytes = pages.count * MemoryLayout<StoredPage>.stride
        for slot in pages.indices {
            let old = previous.flatMap { slot < $0.pages.count ? $0.pages[slot] : nil }
            var element: StoredPage? = pages[slot]
            while let page = element, !(old?.chainContains(page) ?? false) {
                bytes += page.heapBytes
                element = page.base
            }
        }
        bytes += slotTable.bytesNotShared(with: previous?.slotTable) + frameOfSlot.bytesNotShared(with: previous?.frameOfSlot)
            + freeSlots.bytesNotShared(with: previous?.freeSlots) + allocationBits.bytesNotShared(with: previous?.allocationBits)
        return bytes
    }
}

extension PhysicalMemory {
    /// A copy of the memory's content and allocator. Pages equal to the same slot's page in
    /// `previous` are that page (shared), and changed ones are kept as a delta against it when
    /// that is smaller (see `StoredPage`), so a series of snapshots holds each distinct page
    /// about once. When `previous` is the snapshot last taken or restored, pages not written
    /// since are taken from it without a look at their bytes.
    public func snapshot(reusing previous: PhysicalMemorySnapshot? = nil) -> PhysicalMemorySnapshot {
        let slots = frameOfSlot.count
        var pages = ContiguousArray<StoredPage>()
        pages.reserveCapacity(slots)
        let synced = previous.map { previous in syncedPages.map { previous.pages.sharesBuffer(with: $0) } ?? false } ?? false
        for slot in 0..<slots {
            if synced, let previous, slot < previous.pages.count, !isWritten(slot) {
                pages.append(previous.pages[slot])
                continue
            }
            let source = storage(ofSlot: Int32(slot))
            if let previous, slot < previous.pages.count {
                pages.append(StoredPage.make(from: source, after: previous.pages[slot], codec: snapshotCodec))
            } else {
                pages.append(StoredPage.make(from: source, codec: snapshotCodec))
            }
        }
        markSynced(pages)
        return PhysicalMemorySnapshot(slotTable: slotTable, farSlots: farSlots, frameOfSlot: frameOfSlot, freeSlots: freeSlots,
                                      allocationBits: allocationBits, searchWord: searchWord, allocatedCount: allocatedCount,
                                      pages: pages)
    }

    /// Puts the memory back to `snapshot` (taken from a memory of the same size). Copies only
    /// the pages written since the last snapshot or restore and those that differ between
    /// that one and `snapshot` (storage identity, not bytes, is compared); a page not written
    /// whose chain meets the target's is brought over by the deltas between them when that
    /// expands fewer blocks.
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
            let destination = storage(ofSlot: Int32(slot))
            if slot < base.count, !isWritten(slot) {
                if page === base[slot] || page.expand(into: destination, holding: base[slot], codec: snapshotCodec) { continue }
            }
            page.expand(into: destination, codec: snapshotCodec)
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
    private func markSynced(_ pages: ContiguousArray<StoredPage>) {
        for i in dirtySlots.indices { dirtySlots[i] = 0 }
        syncedPages = pages
    }
}
