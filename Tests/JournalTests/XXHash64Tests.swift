import Testing
@testable import Journal

/// xxHash64 against the reference implementation's published values (seed 0).
@Suite struct XXHash64Tests {
    @Test func matchesReferenceValues() {
        #expect(XXHash64.hash(Array("".utf8)) == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXHash64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
    }

    @Test func everyTailLengthAndLongInputsDiffer() {
        let bytes = (0..<100).map { UInt8($0) }
        let hashes = (0...100).map { XXHash64.hash(Array(bytes[0..<$0])) }
        #expect(Set(hashes).count == hashes.count)
        #expect(XXHash64.hash(bytes) == XXHash64.hash(bytes))
    }
}
