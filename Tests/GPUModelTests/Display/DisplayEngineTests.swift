import Testing
@testable import GPUModel

@Suite struct DisplayEngineTests {
    let period = DisplayEngine.defaultVblankPeriod

    func at(_ frames: UInt64, plus ns: UInt64 = 0) -> VirtualTime { VirtualTime(nanoseconds: frames * period + ns) }
    func at(_ frames: UInt64, minus ns: UInt64) -> VirtualTime { VirtualTime(nanoseconds: frames * period - ns) }

    /// Pipe A enabled at time 0, its interrupts unmasked and enabled.
    func setup() -> (DisplayEngine, RegisterFile) {
        var de = DisplayEngine()
        var rf = RegisterFile()
        InterruptController.write(InterruptBank.dePipeA.imr, 0, in: &rf)
        InterruptController.write(InterruptBank.dePipeA.ier, ~0, in: &rf)
        InterruptController.write(Reg.masterIRQ, InterruptController.masterEnable, in: &rf)
        de.write(Reg.pipeConf(.a), DisplayEngine.pipeEnable, registers: &rf, at: .zero)
        return (de, rf)
    }

    @Test func period60Hz() {
        #expect(DisplayEngine.defaultVblankPeriod == 16_666_667)
        #expect(DisplayEngine(refreshRateHz: 50).vblankPeriod == 20_000_000)
        #expect(DisplayEngine().nextVblank == VirtualTime(nanoseconds: 16_666_667))
    }

    @Test func pipeconfMirrorsState() {
        var (de, rf) = setup()
        #expect(rf.read(Reg.pipeConf(.a)) == DisplayEngine.pipeEnable | DisplayEngine.pipeState)
        de.write(Reg.pipeConf(.a), 0, registers: &rf, at: .zero)
        #expect(rf.read(Reg.pipeConf(.a)) == 0)
        #expect(DisplayEngine.handlesWrite(to: Reg.pipeConf(.c)))
        #expect(DisplayEngine.handlesWrite(to: Reg.planeSurf(.b, 3)))
        #expect(!DisplayEngine.handlesWrite(to: Reg.planeCtl(.a, 1)))
    }

    @Test func frameCounterFollowsVirtualTime() {
        var (de, rf) = setup()
        #expect(de.advance(to: at(1, minus: 1), registers: &rf).isEmpty)
        #expect(rf.read(Reg.pipeFrameCount(.a)) == 0)
        let events = de.advance(to: at(5, plus: 10), registers: &rf)
        #expect(events == (1...5).map { .vblank(.a, frame: UInt32($0)) })
        #expect(rf.read(Reg.pipeFrameCount(.a)) == 5)
        #expect(rf.read(Reg.pipeFrameCount(.b)) == 0)  // disabled pipe doesn't count
        #expect(rf.read(InterruptBank.dePipeA.iir) & 1 == 1)
        #expect(InterruptController.isAsserted(rf))
        #expect(de.nextVblank == at(6))
        // Advancing to the same time again does nothing.
        #expect(de.advance(to: at(5, plus: 10), registers: &rf).isEmpty)
        #expect(de.nextVblank(registers: rf) == at(6))
    }

    @Test func disabledPipesDontCount() {
        var de = DisplayEngine()
        var rf = RegisterFile()
        #expect(de.advance(to: at(10), registers: &rf).isEmpty)
        #expect(rf.read(Reg.pipeFrameCount(.a)) == 0)
        #expect(de.nextVblank(registers: rf) == .never)
        // Enabling at frame 10.5 counts from the next vblank on the shared timeline.
        de.write(Reg.pipeConf(.b), DisplayEngine.pipeEnable, registers: &rf, at: at(10, plus: period / 2))
        #expect(de.nextVblank(registers: rf) == at(11))
        #expect(de.advance(to: at(12), registers: &rf) == [.vblank(.b, frame: 1), .vblank(.b, frame: 2)])
    }

    @Test func flipLatchesAtVblank() {
        var (de, rf) = setup()
        rf.write(Reg.planeCtl(.a, 1), DisplayEngine.planeEnable | DisplayEngine.planeFormatXRGB8888)
        de.write(Reg.planeSurf(.a, 1), 0x0010_0000, registers: &rf, at: at(0, plus: 100))
        #expect(rf.read(Reg.planeSurfLive(.a, 1)) == 0)
        #expect(de.armedSurface(pipe: .a, plane: 1) == GraphicsAddress(0x10_0000))
        #expect(rf.read(Reg.pipeFlipCount(.a)) == 0)
        let events = de.advance(to: at(1), registers: &rf)
        #expect(events == [.flipDone(.a, plane: 1, surface: 0x10_0000), .vblank(.a, frame: 1)])
        #expect(rf.read(Reg.planeSurfLive(.a, 1)) == 0x10_0000)
        #expect(rf.read(Reg.pipeFlipCount(.a)) == 1)
        #expect(rf.read(InterruptBank.dePipeA.iir) == 1 << 3 | 1)
        #expect(de.armedSurface(pipe: .a, plane: 1) == nil)
        // Next vblank: no flip pending, counter unchanged.
        #expect(de.advance(to: at(2), registers: &rf) == [.vblank(.a, frame: 2)])
        #expect(rf.read(Reg.pipeFlipCount(.a)) == 1)
        // A sprite flip raises its own bit and leaves the (primary) flip counter alone.
        de.write(Reg.planeSurf(.a, 2), 0x20_0000, registers: &rf, at: at(2, plus: 1))
        InterruptController.write(InterruptBank.dePipeA.iir, ~0, in: &rf)
        _ = de.advance(to: at(3), registers: &rf)
        #expect(rf.read(InterruptBank.dePipeA.iir) == 1 << 4 | 1)
        #expect(rf.read(Reg.pipeFlipCount(.a)) == 1)
    }

    @Test func writeCatchesUpBeforeApplying() {
        var (de, rf) = setup()
        // A surface written after two vblanks must not latch at those vblanks.
        let events = de.write(Reg.planeSurf(.a, 1), 0x30_0000, registers: &rf, at: at(2, plus: 5))
        #expect(events == [.vblank(.a, frame: 1), .vblank(.a, frame: 2)])
        #expect(rf.read(Reg.planeSurfLive(.a, 1)) == 0)
        #expect(de.advance(to: at(3), registers: &rf).first == .flipDone(.a, plane: 1, surface: 0x30_0000))
    }

    @Test func asyncFlipIsImmediate() {
        var (de, rf) = setup()
        rf.write(Reg.planeCtl(.a, 1), DisplayEngine.planeEnable | DisplayEngine.planeAsyncFlip)
        let events = de.write(Reg.planeSurf(.a, 1), 0x40_0000, registers: &rf, at: at(0, plus: 7))
        #expect(events == [.flipDone(.a, plane: 1, surface: 0x40_0000)])
        #expect(rf.read(Reg.planeSurfLive(.a, 1)) == 0x40_0000)
        #expect(rf.read(Reg.pipeFlipCount(.a)) == 1)
        #expect(rf.read(InterruptBank.dePipeA.iir) == 1 << 3)
        #expect(de.advance(to: at(1), registers: &rf) == [.vblank(.a, frame: 1)])
    }

    @Test func cursorLatchesSilently() {
        var (de, rf) = setup()
        de.write(Reg.curBase(.a), 0x5000, registers: &rf, at: .zero)
        #expect(de.advance(to: at(1), registers: &rf) == [.vblank(.a, frame: 1)])
        #expect(rf.read(Reg.curSurfLive(.a)) == 0x5000)
    }

    // MARK: Plane images

    /// Memory: a graphics-address → byte store; pixel (x, y) of a 3x2 image at `base`
    /// with a 128-byte stride holds 0xFF000000 | y << 8 | x.
    struct FakeMemory {
        var bytes: [UInt64: UInt8] = [:]
        init(base: UInt64, stride: UInt64, width: Int, height: Int, offsetX: Int = 0, offsetY: Int = 0) {
            for y in 0..<(height + offsetY) {
                for x in 0..<(width + offsetX) {
                    let value: UInt32 = 0xFF00_0000 | UInt32(y) << 8 | UInt32(x) | 0x0A_0000
                    for k in 0..<4 {
                        bytes[base + UInt64(y) * stride + UInt64(x) * 4 + UInt64(k)] = UInt8((value >> (8 * UInt32(k))) & 0xFF)
                    }
                }
            }
        }
        func read(_ gma: GraphicsAddress, _ count: Int) -> [UInt8]? {
            var out: [UInt8] = []
            for i in 0..<UInt64(count) {
                guard let b = bytes[gma.rawValue + i] else { return nil }
                out.append(b)
            }
            return out
        }
    }

    func programPlane(_ rf: inout RegisterFile, width: Int, height: Int, strideBytes: UInt32, surf: UInt32,
                      offset: UInt32 = 0, ctl: UInt32 = DisplayEngine.planeEnable | DisplayEngine.planeFormatXRGB8888) {
        rf.write(Reg.planeCtl(.b, 1), ctl)
        rf.write(Reg.planeStride(.b, 1), strideBytes / 64)
        rf.write(Reg.planeSize(.b, 1), UInt32(height - 1) << 16 | UInt32(width - 1))
        rf.write(Reg.planeSurf(.b, 1), surf)
        rf.write(Reg.planeOffset(.b, 1), offset)
    }

    @Test func planeImageWithPaddedStride() {
        let de = DisplayEngine()
        var rf = RegisterFile()
        programPlane(&rf, width: 3, height: 2, strideBytes: 128, surf: 0x8000)
        let mem = FakeMemory(base: 0x8000, stride: 128, width: 3, height: 2)
        let image = de.planeImage(pipe: .b, plane: 1, registers: rf, read: mem.read)
        #expect(image?.width == 3)
        #expect(image?.height == 2)
        #expect(image?.pixels == [0x0A_0000, 0x0A_0001, 0x0A_0002, 0x0A_0100, 0x0A_0101, 0x0A_0102])
        #expect(image?[2, 1] == 0x0A_0102)
    }

    @Test func planeImageHonoursOffsetAndChannelOrder() {
        let de = DisplayEngine()
        var rf = RegisterFile()
        programPlane(&rf, width: 2, height: 1, strideBytes: 64, surf: 0x8000, offset: 1 << 16 | 1,
                     ctl: DisplayEngine.planeEnable | DisplayEngine.planeFormatXRGB8888 | DisplayEngine.planeOrderRGBX)
        let mem = FakeMemory(base: 0x8000, stride: 64, width: 2, height: 1, offsetX: 1, offsetY: 1)
        // Pixel (1,1) stored as 0x..0A0101 little-endian; RGBX order swaps R and B.
        #expect(de.planeImage(pipe: .b, plane: 1, registers: rf, read: mem.read)?.pixels == [0x01_010A, 0x02_010A])
    }

    @Test func planeImageRefusals() {
        let de = DisplayEngine()
        let mem = FakeMemory(base: 0x8000, stride: 128, width: 3, height: 2)
        var rf = RegisterFile()
        // Disabled plane.
        programPlane(&rf, width: 3, height: 2, strideBytes: 128, surf: 0x8000, ctl: DisplayEngine.planeFormatXRGB8888)
        #expect(de.planeImage(pipe: .b, plane: 1, registers: rf, read: mem.read) == nil)
        // Unsupported format (NV12 = 0) and tiled.
        programPlane(&rf, width: 3, height: 2, strideBytes: 128, surf: 0x8000, ctl: DisplayEngine.planeEnable)
        #expect(de.planeImage(pipe: .b, plane: 1, registers: rf, read: mem.read) == nil)
        programPlane(&rf, width: 3, height: 2, strideBytes: 128, surf: 0x8000,
                     ctl: DisplayEngine.planeEnable | DisplayEngine.planeFormatXRGB8888 | 1 << 10)
        #expect(de.planeImage(pipe: .b, plane: 1, registers: rf, read: mem.read) == nil)
        // Stride shorter than a row.
        programPlane(&rf, width: 32, height: 1, strideBytes: 64, surf: 0x8000)
        #expect(de.planeImage(pipe: .b, plane: 1, registers: rf, read: mem.read) == nil)
        // Unreadable memory (second row missing) and short reads.
        programPlane(&rf, width: 3, height: 3, strideBytes: 128, surf: 0x8000)
        #expect(de.planeImage(pipe: .b, plane: 1, registers: rf, read: mem.read) == nil)
        programPlane(&rf, width: 3, height: 2, strideBytes: 128, surf: 0x8000)
        #expect(de.planeImage(pipe: .b, plane: 1, registers: rf, read: { _, _ in [1, 2] }) == nil)
        #expect(de.planeImage(pipe: .b, plane: 4, registers: rf, read: mem.read) == nil)
    }
}
