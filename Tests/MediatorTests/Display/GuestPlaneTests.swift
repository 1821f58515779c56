import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Decoding a guest's primary plane through its GGTT (fb_decoder-style validation).
@Suite struct GuestPlaneTests {
    /// A vGPU whose aperture page k maps to guest frame `firstFrame + k` (or the reverse order).
    struct Setup {
        let f = MediatorFixture()
        let v: VGPU
        let base: UInt64
        let pages: UInt64 = 16
        let firstFrame: UInt64 = 32
        let reversed: Bool

        init(reversed: Bool = false) throws {
            v = try f.vgpuObject()
            base = v.slices.aperture.lowerBound
            self.reversed = reversed
        }

        func translate(_ gma: GraphicsAddress) -> GuestPhysicalAddress? {
            guard gma.rawValue >= base, gma.rawValue < base + pages * 4096 else { return nil }
            let k = (gma.rawValue - base) >> 12
            let frame = firstFrame + (reversed ? pages - 1 - k : k)
            return GuestPhysicalAddress(frame: GuestFrameNumber(frame), offset: gma.pageOffset)
        }

        /// Writes `bytes` at graphics address `gma` (page by page, as mapped).
        func write(_ gma: UInt64, _ bytes: [UInt8]) {
            var at = gma
            var index = 0
            while index < bytes.count {
                let chunk = min(bytes.count - index, 4096 - Int(at & 0xFFF))
                f.hypervisor.guestWrite(v.id, translate(GraphicsAddress(at))!, bytes: Array(bytes[index..<index + chunk]))
                at += UInt64(chunk)
                index += chunk
            }
        }

        /// Programs the primary plane of pipe A.
        func program(ctl: UInt32 = 1 << 31 | 4 << 24, width: Int, height: Int, strideUnits: UInt32,
                     x: UInt32 = 0, y: UInt32 = 0, surface: UInt64? = nil) {
            v.vregs[Reg.planeCtl(.a, 1)] = ctl
            v.vregs[Reg.pipeSrc(.a)] = UInt32(width - 1) << 16 | UInt32(height - 1)
            v.vregs[Reg.planeStride(.a, 1)] = strideUnits
            v.vregs[Reg.planeOffset(.a, 1)] = y << 16 | x
            v.vregs[Reg.planeSurf(.a, 1)] = UInt32(surface ?? base)
        }

        func image() -> PlaneImage? { f.mediator.guestPlaneImage(v, pipe: .a, translate: translate) }
    }

    /// Pixel (x, y) of the test pattern as stored in memory (B, G, R, X).
    static func pattern(_ x: Int, _ y: Int) -> [UInt8] { [UInt8(x & 0xFF), UInt8(y & 0xFF), UInt8((x + y) & 0xFF), 0xEE] }

    func fill(_ s: Setup, strideBytes: Int, rows: Int, columns: Int) {
        var bytes: [UInt8] = []
        for y in 0..<rows {
            for x in 0..<(strideBytes / 4) { bytes += x < columns ? Self.pattern(x, y) : [0, 0, 0, 0] }
        }
        s.write(s.base, bytes)
    }

    @Test func decodesALinearXRGBPlaneWithOffset() throws {
        let s = try Setup()
        fill(s, strideBytes: 128, rows: 8, columns: 32)
        s.program(width: 16, height: 4, strideUnits: 2, x: 3, y: 2)
        let image = try #require(s.image())
        #expect(image.width == 16 && image.height == 4)
        for y in 0..<4 {
            for x in 0..<16 {
                let sx = x + 3, sy = y + 2
                #expect(image[x, y] == UInt32((sx + sy) & 0xFF) << 16 | UInt32(sy) << 8 | UInt32(sx))
            }
        }
        #expect(s.f.log.events.contains { if case .guestMemoryRead = $0 { true } else { false } })
    }

    @Test func rgbxOrderSwapsRedAndBlue() throws {
        let s = try Setup()
        fill(s, strideBytes: 64, rows: 1, columns: 16)
        s.program(ctl: 1 << 31 | 4 << 24 | 1 << 20, width: 2, height: 1, strideUnits: 1)
        let image = try #require(s.image())
        #expect(image[1, 0] == 0x01_00_01)  // memory 01 00 01 EE read as R=01 G=00 B=01
        #expect(image[0, 0] == 0)
    }

    @Test func rowsCrossingNonContiguousPagesAreTranslatedPerPage() throws {
        let s = try Setup(reversed: true)
        let width = 1100  // 4400 bytes: every row crosses a page boundary
        let strideUnits: UInt32 = 70  // 4480 bytes
        fill(s, strideBytes: Int(strideUnits) * 64, rows: 3, columns: width)
        s.program(width: width, height: 3, strideUnits: strideUnits)
        let image = try #require(s.image())
        #expect(image[1099, 2] == UInt32((1099 + 2) & 0xFF) << 16 | 2 << 8 | UInt32(1099 & 0xFF))
        #expect(image[1024, 1] == UInt32((1024 + 1) & 0xFF) << 16 | 1 << 8 | 0)
    }

    @Test func invalidPlanesDecodeToNil() throws {
        let s = try Setup()
        fill(s, strideBytes: 64, rows: 4, columns: 16)
        let enabled: UInt32 = 1 << 31 | 4 << 24
        s.program(ctl: enabled & ~(1 << 31), width: 16, height: 4, strideUnits: 1)
        #expect(s.image() == nil, "disabled")
        for format: UInt32 in [0, 2, 8, 0xF] {
            s.program(ctl: 1 << 31 | format << 24, width: 16, height: 4, strideUnits: 1)
            #expect(s.image() == nil, "format \(format)")
        }
        s.program(ctl: enabled | 1 << 10, width: 16, height: 4, strideUnits: 1)
        #expect(s.image() == nil, "X-tiled")
        s.program(width: 17, height: 4, strideUnits: 1)
        #expect(s.image() == nil, "stride shorter than a row")
        s.program(width: 16, height: 4, strideUnits: 0)
        #expect(s.image() == nil, "zero stride")
        s.program(width: 16, height: 4, strideUnits: 1, surface: 0x1000)
        #expect(s.image() == nil, "surface in the host's memory")
        s.program(width: 16, height: 4, strideUnits: 1, surface: s.v.slices.aperture.upperBound - 4096)
        #expect(s.image() == nil, "surface running past the slice")
        s.program(width: 16, height: 4, strideUnits: 1)
        #expect(s.image() != nil)
    }

    @Test func hostileSizesAndUnmappedPagesNeverReadOutOfBounds() throws {
        let s = try Setup()
        // Largest PIPESRC, stride large enough: the surface spans pages the GGTT does not map.
        s.program(width: 8192, height: 4096, strideUnits: 512)
        #expect(s.image() == nil)
        // Offsets pointing past the mapped pages.
        s.program(width: 16, height: 4, strideUnits: 1, x: 0x1FFF, y: 0xFFF)
        #expect(s.image() == nil)
        // A page mapped to guest memory that does not exist.
        let unbacked = MediatorFixture()
        let v = try unbacked.vgpuObject()
        v.vregs[Reg.planeCtl(.a, 1)] = 1 << 31 | 4 << 24
        v.vregs[Reg.pipeSrc(.a)] = 15 << 16 | 3
        v.vregs[Reg.planeStride(.a, 1)] = 1
        v.vregs[Reg.planeSurf(.a, 1)] = UInt32(v.slices.aperture.lowerBound)
        #expect(unbacked.mediator.guestPlaneImage(v, pipe: .a, translate: { _ in GuestPhysicalAddress(1 << 40) }) == nil)
        #expect(unbacked.mediator.guestPlaneImage(v, pipe: .a, translate: { _ in nil }) == nil)
    }
}
