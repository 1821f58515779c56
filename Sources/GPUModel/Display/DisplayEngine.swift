/// Pipes, planes and vblank in virtual time. GVT counterpart: `display.c` (vblank timer,
/// `emulate_vblank_on_pipe`), `handlers.c` (`pipeconf_mmio_write`, `pri_surf_mmio_write`),
/// `fb_decoder.c` (plane decoding).
///
/// Vblanks happen at every multiple of the period since virtual time 0 (a free-running
/// timeline shared by all pipes). At each vblank, for each pipe whose PIPECONF enable bit is
/// set: armed plane surfaces latch into PLANE_SURFLIVE (flip-done interrupt; plane 1 flips
/// also count in PIPE_FLIPCOUNT), the cursor base latches into CUR_SURFLIVE, PIPE_FRMCOUNT
/// increments and the pipe's vblank interrupt is raised. Disabled pipes don't count frames
/// and keep their armed flips.
public struct DisplayEngine: Sendable, Hashable {
    /// PLANE_CTL bit 31: plane enable.
    public static let planeEnable: UInt32 = 1 << 31
    /// PLANE_CTL bits 27:24: source pixel format.
    public static let planeFormatMask: UInt32 = 0xF << 24
    /// PLANE_CTL format value for XRGB 8:8:8:8 on SKL (PLANE_CTL_FORMAT_XRGB_8888).
    public static let planeFormatXRGB8888: UInt32 = 4 << 24
    /// PLANE_CTL bit 20: RGBX channel order (XBGR in memory).
    public static let planeOrderRGBX: UInt32 = 1 << 20
    /// PLANE_CTL bits 12:10: tiling (0 linear).
    public static let planeTilingMask: UInt32 = 0x7 << 10
    /// PLANE_CTL bit 9: asynchronous flip (a PLANE_SURF write takes effect at once).
    public static let planeAsyncFlip: UInt32 = 1 << 9
    /// PIPECONF bit 31: enable.
    public static let pipeEnable: UInt32 = 1 << 31
    /// PIPECONF bit 30: state (active), mirrors enable.
    public static let pipeState: UInt32 = 1 << 30

    /// Vblank period at the default 60 Hz: 16,666,667 ns (GVT: 1e12 / 60000, rounded).
    public static let defaultVblankPeriod: UInt64 = period(forRefreshRate: 60)

    /// Refresh rate in Hz.
    public let refreshRateHz: UInt64
    /// Vblank period in nanoseconds.
    public let vblankPeriod: UInt64
    /// Number of vblank instants processed so far (vblank k happens at k * period, k ≥ 1).
    public private(set) var vblanksProcessed: UInt64 = 0
    /// Armed surfaces per pipe: index pipe * 4 + slot, slot 0 cursor, 1...3 planes.
    private var armed: [UInt32?] = Array(repeating: nil, count: Pipe.allCases.count * 4)

    /// A display engine refreshing at `refreshRateHz` (> 0).
    public init(refreshRateHz: UInt64 = 60) {
        precondition(refreshRateHz > 0, "refresh rate must be positive")
        self.refreshRateHz = refreshRateHz
        self.vblankPeriod = Self.period(forRefreshRate: refreshRateHz)
    }

    /// Nanoseconds per frame at `hz`, rounded to the closest nanosecond.
    public static func period(forRefreshRate hz: UInt64) -> UInt64 { (1_000_000_000 + hz / 2) / hz }

    /// The next vblank instant (whether or not any pipe is enabled).
    public var nextVblank: VirtualTime { VirtualTime(nanoseconds: (vblanksProcessed + 1) &* vblankPeriod) }

    /// The next vblank instant if any pipe is enabled in `registers`, else `.never`.
    public func nextVblank(registers: RegisterFile) -> VirtualTime {
        enabledPipes(registers).isEmpty ? .never : nextVblank
    }

    /// The surface armed for `plane` (1...3; 0 = cursor) of `pipe`, not yet latched.
    public func armedSurface(pipe: Pipe, plane: Int) -> GraphicsAddress? {
        armed[slot(pipe, plane)].map { GraphicsAddress(UInt64($0 & 0xFFFF_F000)) }
    }

    /// Processes every vblank instant up to and including `time`; returns what happened, in
    /// time order (per vblank: pipes A..C; per pipe: flips, then the vblank).
    /// Catching up over a long stretch with a pipe enabled costs one step per frame.
    public mutating func advance(to time: VirtualTime, registers: inout RegisterFile) -> [DisplayEvent] {
        let target = time.nanoseconds / vblankPeriod
        guard target > vblanksProcessed else { return [] }
        let pipes = enabledPipes(registers)
        guard !pipes.isEmpty else {
            vblanksProcessed = target
            return []
        }
        var events: [DisplayEvent] = []
        while vblanksProcessed < target {
            vblanksProcessed += 1
            for pipe in pipes { vblank(pipe, registers: &registers, events: &events) }
        }
        return events
    }

    /// True for the registers whose writes the display engine implements: PIPECONF,
    /// PLANE_SURF and CUR_BASE of every pipe.
    public static func handlesWrite(to offset: MMIOOffset) -> Bool { decode(offset) != nil }

    /// A register write at `time`: first catches up with vblanks before `time` (their events
    /// are returned first), then applies the write. PIPECONF: enable (31) mirrored into state
    /// (30). PLANE_SURF / CUR_BASE: arms the surface for the next vblank, or with PLANE_CTL's
    /// async-flip bit flips at once. Other offsets: plain `RegisterFile.write`.
    @discardableResult
    public mutating func write(
        _ offset: MMIOOffset, _ value: UInt32, registers: inout RegisterFile, at time: VirtualTime
    ) -> [DisplayEvent] {
        var events = advance(to: time, registers: &registers)
        registers.write(offset, value)
        switch Self.decode(offset) {
        case .pipeConf(let pipe):
            let conf = registers[offset]
            registers[offset] = conf & Self.pipeEnable != 0 ? conf | Self.pipeState : conf & ~Self.pipeState
        case .surface(let pipe, let plane):
            let stored = registers[offset]
            if plane > 0 && registers[Reg.planeCtl(pipe, plane)] & Self.planeAsyncFlip != 0 {
                armed[slot(pipe, plane)] = nil
                latch(pipe, plane, stored, registers: &registers, events: &events)
            } else {
                armed[slot(pipe, plane)] = stored
            }
        case nil:
            break
        }
        return events
    }

    /// Decodes a linear XRGB8888 plane into pixels: PLANE_CTL enabled with format 4 and linear
    /// tiling, PLANE_STRIDE (64-byte units), PLANE_SIZE, PLANE_SURF + PLANE_OFFSET. `read`
    /// returns `count` bytes at a graphics address, or nil. Returns nil for a disabled plane,
    /// another format or tiling, a stride shorter than a row, or unreadable memory.
    public func planeImage(
        pipe: Pipe, plane: Int, registers: RegisterFile, read: (GraphicsAddress, Int) -> [UInt8]?
    ) -> PlaneImage? {
        guard plane >= 1 && plane <= Pipe.planeCount else { return nil }
        let ctl = registers[Reg.planeCtl(pipe, plane)]
        guard ctl & Self.planeEnable != 0,
            ctl & Self.planeFormatMask == Self.planeFormatXRGB8888,
            ctl & Self.planeTilingMask == 0
        else { return nil }
        let size = registers[Reg.planeSize(pipe, plane)]
        let width = Int(size & 0x1FFF) + 1
        let height = Int((size >> 16) & 0xFFF) + 1
        let stride = UInt64(registers[Reg.planeStride(pipe, plane)] & 0x3FF) * 64
        let rowBytes = width * 4
        guard stride >= UInt64(rowBytes) else { return nil }
        let surf = UInt64(registers[Reg.planeSurf(pipe, plane)] & 0xFFFF_F000)
        let offset = registers[Reg.planeOffset(pipe, plane)]
        let x0 = UInt64(offset & 0x1FFF)
        let y0 = UInt64((offset >> 16) & 0x1FFF)
        let swapRB = ctl & Self.planeOrderRGBX != 0
        var pixels: [UInt32] = []
        pixels.reserveCapacity(width * height)
        for row in 0..<UInt64(height) {
            let address = surf + (y0 + row) * stride + x0 * 4
            guard let bytes = read(GraphicsAddress(address), rowBytes), bytes.count >= rowBytes else { return nil }
            for x in 0..<width {
                let b0 = UInt32(bytes[4 * x]), b1 = UInt32(bytes[4 * x + 1]), b2 = UInt32(bytes[4 * x + 2])
                // Memory order B, G, R, X (XRGB little-endian); RGBX order stores R first.
                pixels.append(swapRB ? (b0 << 16 | b1 << 8 | b2) : (b2 << 16 | b1 << 8 | b0))
            }
        }
        return PlaneImage(width: width, height: height, pixels: pixels)
    }

    // MARK: Internals

    private enum Target {
        case pipeConf(Pipe)
        /// plane 0 = cursor.
        case surface(Pipe, plane: Int)
    }

    private static func decode(_ offset: MMIOOffset) -> Target? {
        let raw = offset.rawValue
        guard raw >= 0x70000 && raw < 0x73000 else { return nil }
        guard let pipe = Pipe(rawValue: Int((raw - 0x70000) >> 12)) else { return nil }
        switch raw & 0xFFF {
        case 0x008: return .pipeConf(pipe)
        case 0x084: return .surface(pipe, plane: 0)
        case 0x19C: return .surface(pipe, plane: 1)
        case 0x29C: return .surface(pipe, plane: 2)
        case 0x39C: return .surface(pipe, plane: 3)
        default: return nil
        }
    }

    private func slot(_ pipe: Pipe, _ plane: Int) -> Int {
        precondition(plane >= 0 && plane <= Pipe.planeCount, "plane \(plane) out of range")
        return pipe.rawValue * 4 + plane
    }

    private func enabledPipes(_ registers: RegisterFile) -> [Pipe] {
        Pipe.allCases.filter { registers[Reg.pipeConf($0)] & Self.pipeEnable != 0 }
    }

    private mutating func vblank(_ pipe: Pipe, registers: inout RegisterFile, events: inout [DisplayEvent]) {
        for plane in 0...Pipe.planeCount {
            let s = slot(pipe, plane)
            guard let surface = armed[s] else { continue }
            armed[s] = nil
            latch(pipe, plane, surface, registers: &registers, events: &events)
        }
        let frame = registers[Reg.pipeFrameCount(pipe)] &+ 1
        registers[Reg.pipeFrameCount(pipe)] = frame
        InterruptController.raise(.vblank(pipe), in: &registers)
        events.append(.vblank(pipe, frame: frame))
    }

    private func latch(
        _ pipe: Pipe, _ plane: Int, _ surface: UInt32, registers: inout RegisterFile, events: inout [DisplayEvent]
    ) {
        if plane == 0 {
            registers[Reg.curSurfLive(pipe)] = surface
            return
        }
        registers[Reg.planeSurfLive(pipe, plane)] = surface
        if plane == 1 { registers[Reg.pipeFlipCount(pipe)] &+= 1 }
        InterruptController.raise(.planeFlipDone(pipe, plane: plane), in: &registers)
        events.append(.flipDone(pipe, plane: plane, surface: GraphicsAddress(UInt64(surface & 0xFFFF_F000))))
    }
}
