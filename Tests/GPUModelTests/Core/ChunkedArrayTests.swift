import Testing
@testable import GPUModel

@Suite struct ChunkedArrayTests {
    /// Bytes of one reference in a table (top or group).
    static let ref = MemoryLayout<ContiguousArray<UInt32>>.stride

    @Test func indexesAcrossLeavesAndGroupsLikeAnArray() {
        var chunked = ChunkedArray<UInt32>(repeating: 7, count: 2_500, chunkShift: 5, groupShift: 3)
        var plain = [UInt32](repeating: 7, count: 2_500)
        #expect(chunked.count == 2_500)
        #expect(chunked.chunkSize == 32 && chunked.groupSize == 8)
        #expect(chunked.chunkCount == 79)  // 78 full leaves and a partial one
        #expect(chunked.groupCount == 10)  // nine full groups (256 elements each) and a partial one
        for i in stride(from: 0, to: 2_500, by: 37) {
            chunked[i] = UInt32(i)
            plain[i] = UInt32(i)
        }
        chunked[2_499] |= 0x100
        plain[2_499] |= 0x100
        chunked[255] = 1  // last element of a group
        plain[255] = 1
        chunked[256] = 2  // first of the next
        plain[256] = 2
        #expect(Array(chunked) == plain)
        #expect(chunked.indices == 0..<2_500)
        #expect(chunked.last == plain.last)
    }

    @Test func partialLastGroupAndLeafAreSizedExactly() {
        // 2 full groups of 4 × 16, then a partial group: 3 full leaves and a leaf of 5.
        let count = 2 * 64 + 3 * 16 + 5
        let chunked = ChunkedArray<UInt16>(repeating: 3, count: count, chunkShift: 4, groupShift: 2)
        #expect(chunked.groupCount == 3 && chunked.chunkCount == 12)
        #expect(chunked.withChunk(11) { $0.count } == 5)
        #expect(chunked.withChunk(10) { $0.count } == 16)
        #expect(chunked.withChunk(11) { Array($0) } == [3, 3, 3, 3, 3])
        #expect(chunked.tableBytes == 3 * Self.ref + 12 * Self.ref)
        // Fewer elements than one leaf: one group holding one partial leaf.
        let tiny = ChunkedArray<UInt16>(repeating: 1, count: 3, chunkShift: 4, groupShift: 2)
        #expect(tiny.groupCount == 1 && tiny.chunkCount == 1 && Array(tiny) == [1, 1, 1])
        let empty = ChunkedArray<UInt16>(repeating: 1, count: 0, chunkShift: 4, groupShift: 2)
        #expect(empty.isEmpty && empty.chunkCount == 0 && empty.groupCount == 0)
        #expect(empty.bytesNotShared(with: nil) == 0)
    }

    @Test func buildsFromASequence() {
        let chunked = ChunkedArray(0..<UInt64(1_000), chunkShift: 4, groupShift: 2)
        #expect(chunked.count == 1_000)
        #expect(chunked.chunkCount == 63)
        #expect(chunked.groupCount == 16)
        #expect(chunked[999] == 999 && chunked[16] == 16 && chunked[64] == 64)
        #expect(Array(chunked) == Array(0..<UInt64(1_000)))
        var written = ChunkedArray<UInt64>(repeating: 0, count: 1_000, chunkShift: 4, groupShift: 2)
        for i in 0..<1_000 { written[i] = UInt64(i) }
        #expect(chunked == written)
        #expect(ChunkedArray<UInt8>([], chunkShift: 4).isEmpty)
        // Exactly one full group: no empty trailing group.
        #expect(ChunkedArray(0..<UInt8(64), chunkShift: 4, groupShift: 2).groupCount == 1)
    }

    @Test func aCopySharesEverythingAndAWriteDuplicatesOnlyItsLeaf() {
        var live = ChunkedArray<UInt64>(repeating: 0, count: 4_096, chunkShift: 6, groupShift: 3)  // 64 leaves, 8 groups
        live[10] = 1
        let snapshot = live
        #expect(live.sharesAllStorage(with: snapshot))
        #expect(live.sharedChunkCount(with: snapshot) == 64)
        live[10] = 2
        live[4_000] = 3
        #expect(snapshot[10] == 1 && snapshot[4_000] == 0)
        #expect(live[10] == 2 && live[4_000] == 3)
        // Only the two leaves written were copied; their neighbours in the same groups are still shared.
        #expect(live.sharedChunkCount(with: snapshot) == 62)
        #expect(!live.sharesAllStorage(with: snapshot))
        live[11] = 4  // same leaf again: nothing more copied
        #expect(live.sharedChunkCount(with: snapshot) == 62)
        // Writing the snapshot's copy leaves the live one alone too.
        var other = snapshot
        other[0] = 9
        #expect(live[0] == 0 && snapshot[0] == 0 && other[0] == 9)
        // A different shift never shares.
        #expect(!ChunkedArray(Array(snapshot), chunkShift: 6, groupShift: 2).sharesAllStorage(with: snapshot))
        #expect(ChunkedArray(Array(snapshot), chunkShift: 6, groupShift: 2).sharedChunkCount(with: snapshot) == 0)
    }

    @Test func bytesNotSharedCountsWrittenLeavesAndTheirTables() {
        // 8 groups of 8 leaves of 64 dwords (256 bytes).
        var live = ChunkedArray<UInt32>(repeating: 0, count: 4_096, chunkShift: 6, groupShift: 3)
        let top = 8 * Self.ref, group = 8 * Self.ref, leaf = 256
        #expect(live.topTableBytes == top)
        #expect(live.tableBytes == top + 8 * group)
        // Fresh: every leaf shares one buffer, every group one table; each counted once.
        #expect(live.bytesNotShared(with: nil) == top + group + leaf)
        live[0] = 1
        let first = live
        // One group and one leaf of its own now; the shared group and zero leaf still count once.
        #expect(first.bytesNotShared(with: nil) == top + 2 * group + 2 * leaf)
        #expect(first.bytesNotShared(with: first) == 0)
        live[5] = 2  // leaf 0 of group 0
        live[3_000] = 2  // leaf 46 (group 5)
        live[3_001] = 2  // same leaf
        #expect(live.bytesNotShared(with: first) == top + 2 * group + 2 * leaf)
        live[3_100] = 2  // leaf 48 (group 6)
        #expect(live.bytesNotShared(with: first) == top + 3 * group + 3 * leaf)
        // A different chunk or group size never counts as shared.
        let regrouped = ChunkedArray(Array(first), chunkShift: 6, groupShift: 2)
        #expect(regrouped.bytesNotShared(with: first) == 64 * 256 + regrouped.tableBytes)
        let resized = ChunkedArray(Array(first), chunkShift: 5, groupShift: 3)
        #expect(resized.bytesNotShared(with: first) == 128 * 128 + resized.tableBytes)
    }

    @Test func bytesNotSharedWithAPartialLastGroup() {
        // Groups of 4 leaves of 16 qwords (128 bytes): 2 full groups, then 1 full leaf and a leaf of 8.
        var live = ChunkedArray<UInt64>(repeating: 0, count: 2 * 64 + 16 + 8, chunkShift: 4, groupShift: 2)
        let first = live
        live[150] = 1  // the partial leaf of the partial group
        #expect(live.bytesNotShared(with: first) == 3 * Self.ref + 2 * Self.ref + 8 * 8)
        let second = live
        live[130] = 1  // the full leaf of the partial group
        #expect(live.bytesNotShared(with: second) == 3 * Self.ref + 2 * Self.ref + 16 * 8)
    }

    @Test func fillResetsEveryElementAndSharesAgain() {
        var chunked = ChunkedArray<UInt64>(repeating: 0, count: 3_000, chunkShift: 6, groupShift: 3)
        for i in stride(from: 0, to: 3_000, by: 11) { chunked[i] = UInt64(i) + 1 }
        let before = chunked
        chunked.fill(with: 5)
        #expect(chunked.allSatisfy { $0 == 5 })
        #expect(chunked.count == 3_000 && chunked.chunkCount == before.chunkCount && chunked.groupCount == before.groupCount)
        #expect(before[11] == 12)
        // 5 full groups share a table, their leaves one buffer; the partial group (440 elements:
        // 6 full leaves and one of 56) has its own table and partial leaf.
        let fresh = chunked.topTableBytes + 8 * Self.ref + 64 * 8 + 7 * Self.ref + 56 * 8
        #expect(chunked.bytesNotShared(with: nil) == fresh)
    }

    @Test func equalityAndHashingAreByElementAcrossShifts() {
        var a = ChunkedArray<UInt32>(repeating: 0, count: 1_000, chunkShift: 6, groupShift: 2)
        var b = ChunkedArray<UInt32>(repeating: 0, count: 1_000, chunkShift: 8, groupShift: 1)
        var c = ChunkedArray<UInt32>(repeating: 0, count: 1_000, chunkShift: 6, groupShift: 4)
        #expect(a == b && a == c)
        #expect(a.hashValue == b.hashValue && a.hashValue == c.hashValue)
        a[500] = 1
        #expect(a != b && a != c)
        b[500] = 1
        c[500] = 1
        #expect(a == b && a == c)
        #expect(a.hashValue == b.hashValue && a.hashValue == c.hashValue)
        #expect(a != ChunkedArray<UInt32>(repeating: 0, count: 999, chunkShift: 6, groupShift: 2))
        var d = a
        d[999] = 4
        #expect(d != a)
        #expect(d.hashValue != a.hashValue)
        // Same shifts, one written leaf apart, then written back: equal by element, not by buffer.
        var e = a
        e[3] = 7
        e[3] = 0
        #expect(e == a && !e.sharesAllStorage(with: a))
    }

    @Test func contiguousArraySharing() {
        let a = ContiguousArray<UInt64>(repeating: 1, count: 100)
        var b = a
        #expect(a.sharesBuffer(with: b))
        #expect(b.bytesNotShared(with: a) == 0)
        b[0] = 2
        #expect(!a.sharesBuffer(with: b))
        #expect(b.bytesNotShared(with: a) == 800)
        #expect(b.bytesNotShared(with: nil) == 800)
    }
}
