import Testing
@testable import Journal

/// The sorted page index a reader loads from a journal's trailer.
@Suite struct PageIndexTests {
    static let pages: [PageKey: Int] = [
        PageKey(hash: 0x10, variant: 0): 0, PageKey(hash: 0x10, variant: 1): 3, PageKey(hash: 0xFFFF_FFFF_FFFF_FFFF, variant: 0): 2,
        PageKey(hash: 7, variant: 0): 1, PageKey(hash: 0x8000_0000_0000_0000, variant: 2): 4,
    ]

    static func payload(_ entries: [(PageKey, Int)]) -> [UInt8] {
        var w = ByteWriter()
        w.bytes += JournalFormat.Section.pages.tag
        w.varint(UInt64(entries.count))
        for (key, frame) in entries { w.u64le(key.hash); w.varint(key.variant); w.varint(UInt64(frame)) }
        return w.bytes
    }

    @Test func findsEveryPageOfTheTrailerSectionAndNothingElse() throws {
        var index = JournalIndex()
        index.pages = Self.pages
        let sorted = try PageIndex(payload: index.encodedPagesPayload(), frameCount: 5)
        #expect(sorted.count == Self.pages.count)
        for (key, frame) in Self.pages { #expect(sorted.frame(of: key) == frame, "\(key)") }
        #expect(sorted.frame(of: PageKey(hash: 0x10, variant: 2)) == nil)
        #expect(sorted.frame(of: PageKey(hash: 8, variant: 0)) == nil)
        #expect(sorted.frame(of: PageKey(hash: 0, variant: 0)) == nil)
        #expect(sorted.dictionary == Self.pages)
    }

    @Test func entriesOutOfOrderAreSortedAndAKeyListedTwiceKeepsItsFirstFrame() throws {
        let key = PageKey(hash: 5, variant: 0)
        let index = try PageIndex(payload: Self.payload([(PageKey(hash: 9, variant: 0), 1), (key, 2), (key, 0),
                                                         (PageKey(hash: 1, variant: 3), 0)]), frameCount: 3)
        #expect(index.count == 3)
        #expect(index.frame(of: key) == 2)
        #expect(index.frame(of: PageKey(hash: 9, variant: 0)) == 1)
        #expect(index.frame(of: PageKey(hash: 1, variant: 3)) == 0)
    }

    @Test func aScansDictionaryIndexesTheSame() {
        let index = PageIndex(Self.pages)
        for (key, frame) in Self.pages { #expect(index.frame(of: key) == frame) }
        #expect(PageIndex([:]).frame(of: PageKey(hash: 7, variant: 0)) == nil)
    }

    @Test func aFramePastTheEndOrATruncatedSectionIsRefused() {
        #expect(throws: DecodeFailure.self) { try PageIndex(payload: Self.payload([(PageKey(hash: 1, variant: 0), 5)]), frameCount: 5) }
        let cut = Array(Self.payload([(PageKey(hash: 1, variant: 0), 0), (PageKey(hash: 2, variant: 0), 0)]).dropLast(3))
        #expect(throws: DecodeFailure.self) { try PageIndex(payload: cut, frameCount: 1) }
        #expect(throws: DecodeFailure.self) { try PageIndex(payload: [0, 1, 2, 3, 0], frameCount: 1) }
    }
}
