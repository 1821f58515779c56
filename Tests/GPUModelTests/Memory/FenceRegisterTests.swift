import Testing
@testable import GPUModel

@Suite struct FenceRegisterTests {
    @Test func encodeDecodeRoundTrip() {
        let fence = FenceRegister(start: 0x0010_0000, end: 0x0030_0000, pitch: 4096, tilingY: true)
        // LO: start | Y | valid; HI: last page | (pitch / 128 - 1).
        #expect(fence.lo == 0x0010_0003)
        #expect(fence.hi == 0x002F_F000 | 31)
        #expect(fence.isValid && fence.tilingY)
        #expect(fence.start == 0x0010_0000)
        #expect(fence.lastPage == 0x002F_F000)
        #expect(fence.end == 0x0030_0000)
        #expect(fence.pitch == 4096)
        #expect(FenceRegister(rawValue: fence.rawValue) == fence)
        #expect(FenceRegister(lo: fence.lo, hi: fence.hi) == fence)
    }

    @Test func decodesXTilingAndExtremes() {
        let fence = FenceRegister(start: 0xFFFF_0000, end: 0x1_0000_0000, pitch: 256 << 10, tilingY: false)
        #expect(!fence.tilingY)
        #expect(fence.pitch == 256 << 10)
        #expect(fence.end == 0x1_0000_0000)
        #expect(fence.covers(0xFFFF_FFFF))
        #expect(!fence.covers(0xFFFE_FFFF))
        let minimal = FenceRegister(start: 0, end: 0x1000, pitch: 128, tilingY: false, valid: false)
        #expect(minimal.rawValue == 0)
        #expect(!minimal.isValid && !minimal.covers(0))
    }

    @Test func rawValuesDecodeIgnoringReservedBits() {
        let fence = FenceRegister(rawValue: 0xFFFF_FFFF_FFFF_FFFF)
        #expect(fence.start == 0xFFFF_F000)
        #expect(fence.end == 0x1_0000_0000)
        #expect(fence.pitch == 0x800 * 128)
        #expect(fence.isValid && fence.tilingY)
    }

    @Test func registerOffsets() {
        #expect(FenceRegister.count == 32)
        #expect(FenceRegister.offset(0) == 0x100000)
        #expect(FenceRegister.offset(31) == 0x1000F8)
        #expect(FenceRegister.register(at: 0x10001C)! == (3, true))
        #expect(FenceRegister.register(at: 0x100018)! == (3, false))
        #expect(FenceRegister.register(at: 0x100100) == nil)
        #expect(FenceRegister.register(at: 0x0FFFFC) == nil)
        #expect(FenceRegister.register(at: 0x100002) == nil)
    }
}
