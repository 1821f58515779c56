import GPUModel
import Mediator

/// A vGPU set up for command-parser tests: the first `mappedPages` pages of its aperture
/// slice and of its hidden slice are mapped by its guest GGTT to guest memory, the ring sits
/// at the start of the aperture, batches go after it.
public struct ParserFixture {
    /// The GPU, hypervisor and mediator.
    public let fixture: MediatorFixture
    /// The vGPU's id.
    public let id: VGPUID
    /// The vGPU.
    public let vgpu: VGPU
    /// Pages of each slice the guest GGTT maps (aperture: gfn 0..., hidden: gfn 128...).
    public let mappedPages: Int
    /// Ring size in bytes.
    public let ringSize: UInt64 = 4 * 4096

    /// A fixture with one vGPU of `type`.
    public init(configuration: MediatorConfiguration = MediatorConfiguration(), type: VGPUType = .v5_4,
                mappedPages: Int = 64) throws {
        fixture = MediatorFixture(configuration: configuration)
        id = try fixture.makeVGPU(type, guestPages: 256)
        vgpu = fixture.mediator.vgpu(id)!
        self.mappedPages = mappedPages
        for page in 0..<mappedPages {
            mapGGTT(GraphicsAddress(vgpu.slices.aperture.lowerBound + UInt64(page) * 4096), to: GuestFrameNumber(UInt64(page)))
            mapGGTT(GraphicsAddress(vgpu.slices.hidden.lowerBound + UInt64(page) * 4096),
                    to: GuestFrameNumber(UInt64(128 + page)))
        }
    }

    /// The mediator.
    public var mediator: Mediator { fixture.mediator }
    /// Start of the aperture slice: the ring.
    public var ringStart: GraphicsAddress { GraphicsAddress(vgpu.slices.aperture.lowerBound) }
    /// A graphics address `pages` pages into the aperture slice (batches: pages 4...).
    public func aperture(page: Int, offset: UInt64 = 0) -> GraphicsAddress {
        GraphicsAddress(vgpu.slices.aperture.lowerBound + UInt64(page) * 4096 + offset)
    }
    /// A graphics address `page` pages into the hidden slice.
    public func hidden(page: Int, offset: UInt64 = 0) -> GraphicsAddress {
        GraphicsAddress(vgpu.slices.hidden.lowerBound + UInt64(page) * 4096 + offset)
    }

    /// Writes a guest GGTT PTE mapping `gma`'s page to guest frame `gfn` (through BAR0).
    public func mapGGTT(_ gma: GraphicsAddress, to gfn: GuestFrameNumber) {
        let offset = BARLayout.ggttOffset + gma.pageNumber * 8
        fixture.mediator.emulateMMIOWrite(id, offset: offset, size: 8, value: gfn.rawValue << 12 | GGTTEntry.presentBit)
    }

    /// Writes dwords into guest memory at graphics address `gma` (GGTT), as the guest CPU does.
    public func write(_ dwords: [UInt32], at gma: GraphicsAddress) {
        for (k, dword) in dwords.enumerated() {
            let at = gma.advanced(by: UInt64(k) * 4)
            let gpa = fixture.mediator.guestGGTTTranslate(vgpu, at)!
            fixture.hypervisor.guestWrite(id, gpa, bytes: withUnsafeBytes(of: dword.littleEndian) { Array($0) })
        }
    }

    /// Writes dwords at a guest-physical address.
    public func write(_ dwords: [UInt32], atPhysical gpa: GuestPhysicalAddress) {
        fixture.hypervisor.guestWrite(id, gpa, bytes: dwords.flatMap { d in withUnsafeBytes(of: d.littleEndian) { Array($0) } })
    }

    /// A request scanning `commands` as the ring contents from HEAD 0 (they are also written
    /// to the guest ring, as the guest would have).
    public func request(_ commands: [UInt32], engine: EngineID = .rcs, head: UInt64 = 0,
                        ppgttRoot: GuestPPGTTRoot? = nil, limits: ScanLimits = ScanLimits()) -> ScanRequest {
        var ring = commands
        if ring.count % 2 == 1 { ring.append(0) }  // i915 pads to a qword
        for (k, dword) in ring.enumerated() {
            write([dword], at: ringStart.advanced(by: (head + UInt64(k) * 4) % ringSize))
        }
        let tail = (head + UInt64(ring.count) * 4) % ringSize
        return ScanRequest(engine: engine, ring: ring, ringStart: ringStart, ringSize: ringSize, head: head, tail: tail,
                           ppgttRoot: ppgttRoot, limits: limits)
    }

    /// Scans `commands` as a ring.
    public func scan(_ commands: [UInt32], engine: EngineID = .rcs, ppgttRoot: GuestPPGTTRoot? = nil,
                     limits: ScanLimits = ScanLimits()) -> ScanResult {
        mediator.scanWorkload(vgpu, request(commands, engine: engine, ppgttRoot: ppgttRoot, limits: limits))
    }
}
