import Testing
@testable import Journal

@Suite struct PageStoreTests {
    @Test func identicalContentIsStoredOnce() throws {
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: Fixtures.header)
        let a = [UInt8](repeating: 1, count: 4096), b = [UInt8](repeating: 2, count: 4096)
        let ka = try writer.storePage(a)
        #expect(try writer.storePage(a) == ka)
        let kb = try writer.storePage(b)
        #expect(kb != ka)
        #expect(ka == PageKey(hash: XXHash64.hash(a), variant: 0))
        let summary = try writer.close()
        #expect(summary.pages == 2)
        let reader = try JournalReader(source: MemoryByteSource(sink.bytes))
        #expect(try reader.page(ka) == a)
        #expect(try reader.page(kb) == b)
    }

    @Test func hashCollisionsNeverMixContents() throws {
        var options = JournalWriterOptions()
        options.pageHash = { _ in 42 }  // every page collides
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: Fixtures.header, options: options)
        let contents = (0..<10).map { [UInt8](repeating: UInt8($0), count: 100) }
        let keys = try contents.map { try writer.storePage($0) }
        #expect(Set(keys).count == 10)
        #expect(keys.allSatisfy { $0.hash == 42 })
        #expect(try writer.storePage(contents[9]) == keys[9])  // newest variants are compared
        try writer.close()
        let reader = try JournalReader(source: MemoryByteSource(sink.bytes))
        for (key, content) in zip(keys, contents) { #expect(try reader.page(key) == content) }
    }

    @Test func contentEvictedFromTheCacheIsStoredAgainNeverTrustedBlindly() throws {
        var options = JournalWriterOptions()
        options.pageCacheBytes = 3 * (4096 + 64)
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: Fixtures.header, options: options)
        let pages = (0..<5).map { [UInt8](repeating: UInt8($0), count: 4096) }
        let first = try pages.map { try writer.storePage($0) }
        let again = try writer.storePage(pages[0])  // evicted: a new variant, stored again
        #expect(again.hash == first[0].hash && again.variant == 1)
        #expect(try writer.storePage(pages[0]) == again)  // now cached
        try writer.close()
        let reader = try JournalReader(source: MemoryByteSource(sink.bytes))
        #expect(try reader.page(first[0]) == pages[0])
        #expect(try reader.page(again) == pages[0])
    }

    @Test func lruEvictsTheLeastRecentlyUsed() {
        var cache = LRUCache<Int, String>(budget: 3)
        cache.insert("a", for: 1, cost: 1)
        cache.insert("b", for: 2, cost: 1)
        cache.insert("c", for: 3, cost: 1)
        #expect(cache.value(for: 1) == "a")
        cache.insert("d", for: 4, cost: 1)
        #expect(!cache.contains(2))
        #expect(cache.contains(1) && cache.contains(3) && cache.contains(4))
        cache.insert("big", for: 5, cost: 3)
        #expect(cache.count == 1 && cache.value(for: 5) == "big")
    }
}
