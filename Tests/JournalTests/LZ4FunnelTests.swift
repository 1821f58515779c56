import Testing
@testable import Journal

/// LZ4 blocks for in-memory use (replay checkpoints' pages).
struct LZ4FunnelTests {
    @Test func blocksRoundTripAndRefuseToGrow() {
        let page = (0..<4096).map { UInt8($0 % 96 < 16 ? 0x5A : 0) }
        let compressed = page.withUnsafeBytes { LZ4Block.compress($0) }
        #expect(compressed != nil && compressed!.count < 400)
        var back = [UInt8](repeating: 0xEE, count: 4096)
        #expect(compressed!.withUnsafeBytes { c in back.withUnsafeMutableBytes { LZ4Block.expand(c, into: $0) } })
        #expect(back == page)
        // Incompressible input: no gain, no block.
        var x: UInt32 = 0x9E37_79B9
        let noise = (0..<4096).map { _ -> UInt8 in
            x ^= x << 13; x ^= x >> 17; x ^= x << 5
            return UInt8(truncatingIfNeeded: x)
        }
        #expect(noise.withUnsafeBytes { LZ4Block.compress($0) } == nil)
    }

    @Test func expandRefusesDamageAndWrongSizes() {
        let page = [UInt8](repeating: 1, count: 4096)
        let compressed = page.withUnsafeBytes { LZ4Block.compress($0) }!
        var small = [UInt8](repeating: 0, count: 100)
        #expect(!compressed.withUnsafeBytes { c in small.withUnsafeMutableBytes { LZ4Block.expand(c, into: $0) } })
        var out = [UInt8](repeating: 0, count: 4096)
        let cut = Array(compressed.prefix(compressed.count / 2))
        #expect(!cut.withUnsafeBytes { c in out.withUnsafeMutableBytes { LZ4Block.expand(c, into: $0) } })
        #expect(![UInt8]().withUnsafeBytes { c in out.withUnsafeMutableBytes { LZ4Block.expand(c, into: $0) } })
    }
}
