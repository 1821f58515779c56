import Testing
@testable import GPUModel

/// Blitter commands with real memory effects on linear 32 bpp surfaces.
@Suite struct BlitterTests {
    typealias Fixture = CommandStreamerTests.Fixture

    @Test func colorBlitFillsTheRectangleOnly() {
        var f = Fixture(engine: .bcs)
        let surface = f.ppgttBase
        let pitch: UInt32 = 64  // 16 pixels per row
        #expect(f.run(CommandEncoder.colorBlit(surface, pitch: pitch, x1: 2, y1: 1, x2: 5, y2: 3, color: 0xFF00_FF00)) == .idle)
        for y in 0..<4 {
            for x in 0..<8 {
                let inside = (2..<5).contains(x) && (1..<3).contains(y)
                #expect(f.ppgttRead(UInt64(y * 64 + x * 4)) == (inside ? 0xFF00_FF00 : 0), "pixel \(x),\(y)")
            }
        }
    }

    @Test func sourceCopyBlitCopiesRows() {
        var f = Fixture(engine: .bcs)
        let src = f.ppgttBase.advanced(by: 0x4000)
        let dst = f.ppgttBase.advanced(by: 0x8000)
        f.bench.write((0..<32).map { UInt32($0) + 0x100 }, at: src, in: f.space)  // 2 rows of 16 px
        let copy = CommandEncoder.sourceCopyBlit(to: dst, pitch: 32, x1: 0, y1: 0, x2: 4, y2: 2,
                                                 from: src, sourcePitch: 64, sourceX: 1, sourceY: 0)
        #expect(f.run(copy) == .idle)
        #expect(f.bench.read32(dst, in: f.space) == 0x101)
        #expect(f.bench.read32(dst.advanced(by: 12), in: f.space) == 0x104)
        #expect(f.bench.read32(dst.advanced(by: 32), in: f.space) == 0x111)
        #expect(f.bench.read32(dst.advanced(by: 16), in: f.space) == 0)
    }

    @Test func blitCostGrowsWithBytes() {
        var small = Fixture(engine: .bcs)
        var large = Fixture(engine: .bcs)
        _ = small.run(CommandEncoder.colorBlit(small.ppgttBase, pitch: 256, x1: 0, y1: 0, x2: 16, y2: 1, color: 1))
        _ = large.run(CommandEncoder.colorBlit(large.ppgttBase, pitch: 256, x1: 0, y1: 0, x2: 64, y2: 64, color: 1))
        #expect(large.bench.gpu.engine(.bcs).clock > small.bench.gpu.engine(.bcs).clock)
    }

    @Test func blitIntoUnmappedMemoryFaults() {
        var f = Fixture(engine: .bcs)
        guard case .stalled(.pageFault(let fault, _)) =
            f.run(CommandEncoder.colorBlit(0x7000_0000, pitch: 64, x1: 0, y1: 0, x2: 4, y2: 4, color: 1)) else {
            Issue.record("expected a fault")
            return
        }
        #expect(fault.isWrite)
    }

    @Test func rop3Table() {
        #expect(BlitRect.rop3(0xCC, pattern: 0x0F, source: 0x33, destination: 0x55) == 0x33)
        #expect(BlitRect.rop3(0xF0, pattern: 0x0F, source: 0x33, destination: 0x55) == 0x0F)
        #expect(BlitRect.rop3(0x55, pattern: 0x0F, source: 0x33, destination: 0x55) == 0xAA)
        #expect(BlitRect.rop3(0x66, pattern: 0x0F, source: 0x33, destination: 0x55) == 0x66)
        #expect(BlitRect.rop3(0x00, pattern: 0xFF, source: 0xFF, destination: 0xFF) == 0)
        #expect(!BlitRect.ropReadsDestination(0xCC))
        #expect(BlitRect.ropReadsDestination(0x66))
    }

    @Test(arguments: [UInt8(0x66), 0x55, 0x00, 0xFF, 0xCA, 0x96])
    func rowROP3MatchesBytewise(rop: UInt8) {
        // 19 bytes: two whole words and a 3-byte tail.
        let p = (0..<19).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 1) }
        let s = (0..<19).map { UInt8(truncatingIfNeeded: $0 &* 91 &+ 7) }
        let d = (0..<19).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 200) }
        let row = BlitRect.rop3(rop, pattern: p, source: s, destination: d)
        #expect(row == (0..<19).map { BlitRect.rop3(rop, pattern: p[$0], source: s[$0], destination: d[$0]) })
    }
}
