import Testing
@testable import Journal

@Suite struct ByteCodingTests {
    @Test func varintsAndZigzagsRoundTripAtTheEdges() throws {
        let unsigned: [UInt64] = [0, 1, 127, 128, 16383, 16384, UInt64(UInt32.max), UInt64.max - 1, UInt64.max]
        let signed: [Int64] = [0, -1, 1, -64, 64, Int64.min, Int64.max]
        var w = ByteWriter()
        for v in unsigned { w.varint(v) }
        for v in signed { w.zigzag(v) }
        w.optionalVarint(nil)
        w.optionalVarint(UInt64.max - 1)
        try w.bytes.withUnsafeBytes { raw throws in
            var r = ByteReader(raw)
            for v in unsigned { #expect(try r.varint() == v) }
            for v in signed { #expect(try r.zigzag() == v) }
            #expect(try r.optionalVarint() == nil)
            #expect(try r.optionalVarint() == UInt64.max - 1)
            #expect(r.isAtEnd)
        }
        var one = ByteWriter()
        one.varint(UInt64(300))
        #expect(one.bytes == [0xAC, 0x02])
    }

    @Test func readsPastTheEndOrTooWideFail() {
        func fails(_ bytes: [UInt8], _ read: (inout ByteReader) throws(DecodeFailure) -> Void) -> Bool {
            bytes.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                do { try read(&r); return false } catch { return true }
            }
        }
        #expect(fails([0x80]) { r throws(DecodeFailure) in _ = try r.varint() })
        #expect(fails([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]) { r throws(DecodeFailure) in _ = try r.varint() })
        #expect(fails([0x80, 0x02]) { r throws(DecodeFailure) in _ = try r.varint(UInt8.self) })
        #expect(fails([5, 1, 2]) { r throws(DecodeFailure) in _ = try r.blob() })
        #expect(fails([1, 2, 3]) { r throws(DecodeFailure) in _ = try r.u32le() })
        #expect(fails([]) { r throws(DecodeFailure) in _ = try r.u8() })
    }
}
