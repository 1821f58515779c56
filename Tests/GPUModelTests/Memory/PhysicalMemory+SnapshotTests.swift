import Testing
@testable import GPUModel

/// Memory snapshots: changed pages kept as deltas against the previous snapshot's, unchanged
/// ones shared, any snapshot of a series restored exactly, and the cost estimate counting
/// what a snapshot really keeps alive.
struct PhysicalMemorySnapshotTests {
    static let codec = StoredPageTests.runLength
    /// The pages the tests use: three of varied bytes, one mostly zero.
    static let addresses: [PhysicalAddress] = [0x10000, 0x11000, 0x12000, 0x13000].map { PhysicalAddress($0) }

    private func memory(codec: PageSnapshotCodec) -> PhysicalMemory {
        let memory = PhysicalMemory(size: 4 << 20)
        memory.snapshotCodec = codec
        for address in Self.addresses.prefix(3) {
            memory.write(address, bytes: StoredPageTests.varied.map { $0 ^ UInt8(truncatingIfNeeded: address.rawValue >> 12) })
        }
        memory.write32(Self.addresses[3].advanced(by: 64), 0xC0FFEE)
        return memory
    }

    private func contents(_ memory: PhysicalMemory) -> [[UInt8]] {
        (Self.addresses + [PhysicalAddress(0x20000)]).map { memory.read($0, count: PhysicalMemory.pageSize) }
    }

    private func slot(of address: PhysicalAddress, in snapshot: PhysicalMemorySnapshot) -> Int {
        snapshot.frameOfSlot.firstIndex(of: address.rawValue >> 12)!
    }

    /// Writes a few bytes: page 0 every round, page 1 every other, page 3 every third, and
    /// populates a new page in round 6.
    private func scribble(_ memory: PhysicalMemory, round: Int) {
        memory.write32(Self.addresses[0].advanced(by: UInt64(round * 24)), UInt32(round))
        if round % 2 == 0 { memory.write(Self.addresses[1].advanced(by: UInt64(4000 - round)), bytes: [UInt8(round), 0, 0xFF]) }
        if round % 3 == 0 { memory.write32(Self.addresses[3].advanced(by: UInt64(round * 128)), 0xAB00 | UInt32(round)) }
        if round == 6 { memory.write32(PhysicalAddress(0x20000), 6) }
    }

    @Test func deltaSnapshotsRestoreExactlyInAnyOrder() {
        for (codec, compresses) in [(Self.codec, true), (PageSnapshotCodec.raw, false)] {
            let memory = memory(codec: codec)
            var snapshots = [memory.snapshot()]
            var expected = [contents(memory)]
            for round in 1...20 {
                scribble(memory, round: round)
                snapshots.append(memory.snapshot(reusing: snapshots.last))
                expected.append(contents(memory))
            }
            let depths = snapshots.map { $0.pages[slot(of: Self.addresses[0], in: $0)].depth }
            if compresses {
                // Page 0 changes every round: chains of 8 deltas, then a whole page again.
                #expect(depths == [0] + Array(repeating: Array(1...StoredPage.maxDepth) + [0], count: 3).joined().prefix(20))
            } else {
                // Without a compressor every changed page is stored whole.
                #expect(snapshots.allSatisfy { $0.pages.allSatisfy { $0.base == nil } })
            }
            for (step, k) in [20, 0, 5, 6, 19, 3, 3, 12, 13, 1, 20, 8, 17].enumerated() {
                if step % 3 == 2 { scribble(memory, round: 100 + step) }   // written pages must be copied back too
                memory.restore(snapshots[k])
                #expect(contents(memory) == expected[k], "restore to \(k)")
                #expect(memory.isPopulated(PageFrameNumber(0x20)) == (k >= 6))
            }
        }
    }

    @Test func unchangedPagesAreSharedAndChangedOnesAreDeltasAgainstThePrevious() {
        let memory = memory(codec: Self.codec)
        let first = memory.snapshot()
        let firstContents = contents(memory)
        scribble(memory, round: 1)
        let second = memory.snapshot(reusing: first)
        let secondContents = contents(memory)
        let a = slot(of: Self.addresses[0], in: first), b = slot(of: Self.addresses[1], in: first)
        #expect(second.pages[b] === first.pages[b])
        #expect(second.pages[a] !== first.pages[a] && second.pages[a].base === first.pages[a])
        #expect(second.pages[a].bytes.count < 64, "a few runs, not a page")
        // Taken against a snapshot that is not the last one restored: compared by content, and
        // the delta is against the snapshot named.
        memory.restore(first)
        let again = memory.snapshot(reusing: second)
        #expect(again.pages[b] === first.pages[b])
        #expect(again.pages[a].base === second.pages[a])
        memory.restore(second)
        #expect(contents(memory) == secondContents)
        memory.restore(again)
        #expect(contents(memory) == firstContents)
    }

    @Test func bytesNotSharedCountsTheBasesOfSnapshotsNoLongerKept() {
        let memory = memory(codec: Self.codec)
        let first = memory.snapshot()
        scribble(memory, round: 1)
        let second = memory.snapshot(reusing: first)
        scribble(memory, round: 3)   // pages 0 and 3, page 1 not
        let third = memory.snapshot(reusing: second)
        let a = slot(of: Self.addresses[0], in: first), d = slot(of: Self.addresses[3], in: first)
        let table = third.pages.count * MemoryLayout<StoredPage>.stride
        #expect(third.pages[a].base === second.pages[a] && second.pages[a].base === first.pages[a])
        #expect(third.bytesNotShared(with: second) == table + third.pages[a].heapBytes + third.pages[d].heapBytes)
        // With `second` dropped, its page of slot a is kept alive as the base of `third`'s.
        #expect(third.bytesNotShared(with: first)
            == table + third.pages[a].heapBytes + second.pages[a].heapBytes + third.pages[d].heapBytes)
        #expect(third.bytesNotShared(with: third) == table)
        // Against nothing: every chain element once, and the tables.
        let chains = third.pages.reduce(0) { total, page in
            var bytes = 0
            var element: StoredPage? = page
            while let e = element { bytes += e.heapBytes; element = e.base }
            return total + bytes
        }
        let tables = third.slotTable.count * 4 + third.frameOfSlot.count * 8 + third.freeSlots.count * 4
            + third.allocationBits.bytesNotShared(with: nil)
        #expect(third.bytesNotShared(with: nil) == table + chains + tables)
        // Stored bytes include the chains' bases; the page bytes are the pages' content.
        #expect(third.storedPageBytes == first.storedPageBytes + second.pages[a].bytes.count + third.pages[a].bytes.count
            + third.pages[d].bytes.count - (third.pages[d].base == nil ? first.pages[d].bytes.count : 0))
        #expect(third.pageBytes == first.pageBytes)
    }

    @Test func withoutACompressorAChangedPageCostsAWholePage() {
        let memory = memory(codec: .raw)
        let first = memory.snapshot()
        scribble(memory, round: 1)
        let second = memory.snapshot(reusing: first)
        let a = slot(of: Self.addresses[0], in: first)
        #expect(second.pages[a].base == nil && second.pages[a].bytes.count == PhysicalMemory.pageSize)
        #expect(second.bytesNotShared(with: first) == second.pages.count * 8 + PhysicalMemory.pageSize + StoredPage.overheadBytes)
        #expect(second.storedPageBytes == second.pageBytes)
    }

    @Test func anAllocationCostsALeafOfTheAllocatorNotItsWholeBitmap() {
        let memory = PhysicalMemory(size: 8 << 30)  // 2 Mi frames: a 256 KiB bitmap
        let first = memory.snapshot()
        let frame = memory.allocateFrame()!
        let second = memory.snapshot(reusing: first)
        #expect(second.allocationBits.bytesNotShared(with: first.allocationBits) < 8192)
        memory.restore(first)
        #expect(!memory.isAllocated(frame))
        memory.restore(second)
        #expect(memory.isAllocated(frame))
        #expect(memory.allocateFrame() == PageFrameNumber(frame.rawValue + 1))
    }
}
