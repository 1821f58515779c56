import Testing
@testable import GPUModel

@Suite struct ChunkedArrayTests {
    @Test func indexesAcrossChunksLikeAnArray() {
        var chunked = ChunkedArray<UInt32>(repeating: 7, count: 2_500, chunkShift: 8)
        var plain = [UInt32](repeating: 7, count: 2_500)
        #expect(chunked.count == 2_500)
        #expect(chunked.chunkSize == 256)
        #expect(chunked.chunkCount == 10)  // nine full chunks and a partial one
        for i in stride(from: 0, to: 2_500, by: 37) {
            chunked[i] = UInt32(i)
            plain[i] = UInt32(i)
        }
        chunked[2_499] |= 0x100
        plain[2_499] |= 0x100
        #expect(Array(chunked) == plain)
        #expect(chunked.indices == 0..<2_500)
        #expect(chunked.last == plain.last)
    }

    @Test func buildsFromASequence() {
        let chunked = ChunkedArray(0..<UInt64(1_000), chunkShift: 4)
        #expect(chunked.count == 1_000)
        #expect(chunked.chunkCount == 63)
        #expect(chunked[999] == 999 && chunked[16] == 16)
        #expect(ChunkedArray<UInt8>([], chunkShift: 4).isEmpty)
    }

    @Test func aCopyIsIndependentOfLaterWrites() {
        var live = ChunkedArray<UInt64>(repeating: 0, count: 4_096, chunkShift: 9)
        live[10] = 1
        let snapshot = live
        #expect(live.sharesAllStorage(with: snapshot))
        live[10] = 2
        live[4_000] = 3
        #expect(snapshot[10] == 1 && snapshot[4_000] == 0)
        #expect(live[10] == 2 && live[4_000] == 3)
        // Only the two chunks written were copied.
        #expect(live.sharedChunkCount(with: snapshot) == live.chunkCount - 2)
        #expect(!live.sharesAllStorage(with: snapshot))
        // Writing the snapshot's copy leaves the live one alone too.
        var other = snapshot
        other[0] = 9
        #expect(live[0] == 0 && snapshot[0] == 0)
    }

    @Test func bytesNotSharedCountsWrittenChunksOnly() {
        var live = ChunkedArray<UInt32>(repeating: 0, count: 8_192, chunkShift: 10)  // 8 chunks of 4 KiB
        // Fresh: all chunks share one zero buffer, counted once, plus the table.
        #expect(live.bytesNotShared(with: nil) == 4_096 + live.tableBytes)
        for i in 0..<8 { live[i * 1_024] = 1 }  // every chunk its own buffer
        let first = live
        #expect(first.bytesNotShared(with: nil) == 8 * 4_096 + live.tableBytes)
        #expect(first.bytesNotShared(with: first) == 0)
        live[5] = 2
        live[3_000] = 2
        #expect(live.bytesNotShared(with: first) == 2 * 4_096 + live.tableBytes)
        // A different chunk size never counts as shared.
        let resized = ChunkedArray(Array(first), chunkShift: 9)
        #expect(resized.bytesNotShared(with: first) == 8 * 4_096 + resized.tableBytes)
    }

    @Test func fillResetsEveryElement() {
        var chunked = ChunkedArray<UInt64>(repeating: 0, count: 3_000, chunkShift: 9)
        for i in stride(from: 0, to: 3_000, by: 11) { chunked[i] = UInt64(i) + 1 }
        chunked.fill(with: 5)
        #expect(chunked.allSatisfy { $0 == 5 })
        #expect(chunked.count == 3_000)
    }

    @Test func equalityAndHashingAreByElement() {
        var a = ChunkedArray<UInt32>(repeating: 0, count: 1_000, chunkShift: 6)
        var b = ChunkedArray<UInt32>(repeating: 0, count: 1_000, chunkShift: 8)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        a[500] = 1
        #expect(a != b)
        b[500] = 1
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != ChunkedArray<UInt32>(repeating: 0, count: 999, chunkShift: 6))
        var c = a
        c[999] = 4
        #expect(c != a)
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
