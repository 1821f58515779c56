import Testing

@testable import Decode

@Suite struct Ascii85Tests {
    @Test func zeroIsZAndRoundTrips() {
        let dwords: [UInt32] = [0, 1, 0xFFFF_FFFF, 0x7A00_0004, 0, 85, 0x1234_5678]
        let text = Ascii85.encode(dwords)
        #expect(text.hasPrefix("z!!!!\""))
        let (decoded, failure) = Ascii85.decode(Array(text.utf8))
        #expect(failure == nil)
        #expect(Array(decoded) == dwords)
    }

    @Test func partialGroupIsReported() {
        let text = Array((Ascii85.encode([0x1234_5678, 0x9ABC_DEF0]).dropLast(2)).utf8)
        let (decoded, failure) = Ascii85.decode(text)
        #expect(Array(decoded) == [0x1234_5678])
        #expect(failure == .partialGroup(index: 5))
    }

    @Test func overflowIsReported() {
        let (decoded, failure) = Ascii85.decode(Array("uuuuu".utf8))
        #expect(decoded.isEmpty)
        #expect(failure == .overflow(index: 0))
    }

    @Test func bytesRoundTripWithPadding() {
        let bytes: [UInt8] = [1, 2, 3, 4, 5]
        let dwords = Ascii85.dwords(fromBytes: bytes)
        #expect(Array(dwords) == [0x0403_0201, 0x05])
        #expect(Array(Ascii85.bytes(fromDwords: dwords).prefix(5)) == bytes)
    }

    @Test func zlibRoundTripAndTruncation() {
        let input = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let compressed = Zlib.deflate(input)
        #expect(!compressed.isEmpty)
        let whole = Zlib.inflate(compressed + [0, 0, 0])  // padded to a dword, as i915 does
        #expect(whole.complete)
        #expect(whole.bytes == input)
        let cut = Zlib.inflate(Array(compressed.prefix(compressed.count / 2)))
        #expect(!cut.complete)
        #expect(cut.problem != nil)
        #expect(cut.bytes == Array(input.prefix(cut.bytes.count)))
        let garbage = Zlib.inflate([0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(!garbage.complete)
    }
}
