import GPUModel
import Mediator

/// A minimal guest driver for mediator tests: it follows i915's vGPU steps (read PVINFO,
/// use its own GGTT slices, build a 4-level PPGTT in its memory, context images and rings,
/// enable execlists, submit through ELSP) through the mediator's trap entry points. The
/// bench's guest driver is the full version.
public final class TestGuest {
    public let fixture: MediatorFixture
    public let id: VGPUID
    public var mediator: Mediator { fixture.mediator }
    /// Next free guest frame (RAM) and next free GGTT page of the aperture slice.
    var nextFrame: UInt64 = 16
    var nextGGTTPage: UInt64
    /// Guest frames of the PPGTT's PML4.
    public private(set) var pml4: GuestFrameNumber = 0
    public let guestPages: Int

    public init(_ fixture: MediatorFixture, type: VGPUType = .v5_4, guestPages: Int = 1024) throws {
        self.fixture = fixture
        self.guestPages = guestPages
        id = try fixture.makeVGPU(type, guestPages: guestPages)
        let slices = fixture.mediator.vgpu(id)!.slices
        nextGGTTPage = slices.aperture.lowerBound >> 12
        _ = mmioRead(0x78000, size: 8)  // PVINFO magic: now a GVT-aware guest
    }

    public func mmioRead(_ offset: UInt64, size: Int = 4) -> UInt64 { mediator.emulateMMIORead(id, offset: offset, size: size) }
    public func mmioWrite(_ offset: UInt64, _ value: UInt64, size: Int = 4) {
        mediator.emulateMMIOWrite(id, offset: offset, size: size, value: value)
    }

    /// A fresh guest frame.
    public func allocateFrame() -> GuestFrameNumber {
        precondition(nextFrame < UInt64(guestPages), "test guest out of memory")
        defer { nextFrame += 1 }
        return GuestFrameNumber(nextFrame)
    }

    /// Maps fresh guest frames into its GGTT (through the trapped GGTT window); returns the gma.
    public func mapGGTT(pages: Int) -> GraphicsAddress {
        let first = nextGGTTPage
        for k in 0..<UInt64(pages) {
            let frame = allocateFrame()
            mmioWrite(BARLayout.ggttOffset + (first + k) * 8, frame.rawValue << 12 | 1, size: 8)
        }
        nextGGTTPage += UInt64(pages)
        return GraphicsAddress(first << 12)
    }

    /// The guest frame behind a GGTT address (the guest's own view).
    public func frame(ofGGTT gma: GraphicsAddress) -> GuestFrameNumber {
        GuestFrameNumber(mmioRead(BARLayout.ggttOffset + gma.pageNumber * 8, size: 8) >> 12)
    }

    public func write(_ gpa: GuestPhysicalAddress, _ dwords: [UInt32]) {
        var bytes: [UInt8] = []
        for dword in dwords { withUnsafeBytes(of: dword.littleEndian) { bytes += $0 } }
        fixture.hypervisor.guestWrite(id, gpa, bytes: bytes)
    }

    public func read32(_ gpa: GuestPhysicalAddress) -> UInt32 {
        let bytes = fixture.hypervisor.readGuest(id, gpa, count: 4)!
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
    }

    /// Writes through a GGTT address of its own.
    public func writeGGTT(_ gma: GraphicsAddress, _ dwords: [UInt32]) {
        write(GuestPhysicalAddress(frame: frame(ofGGTT: gma), offset: gma.pageOffset), dwords)
    }

    public func readGGTT(_ gma: GraphicsAddress) -> UInt32 {
        read32(GuestPhysicalAddress(frame: frame(ofGGTT: gma), offset: gma.pageOffset))
    }

    // MARK: PPGTT

    /// Builds an empty 4-level PPGTT and tells the mediator (PVINFO pdp[0] + g2v L4 create).
    public func createPPGTT() {
        pml4 = allocateFrame()
        mmioWrite(0x78838, pml4.rawValue << 12)
        mmioWrite(0x7883C, 0)
        mmioWrite(0x78818, 4)  // VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE
    }

    /// Maps a fresh guest frame at `gma` in its PPGTT; returns the frame. Writes to the
    /// page tables go through the trap path when the mediator write-protects them.
    @discardableResult
    public func mapPPGTT(_ gma: GraphicsAddress) -> GuestFrameNumber {
        func slot(_ table: GuestFrameNumber, _ index: Int) -> GuestPhysicalAddress {
            GuestPhysicalAddress(frame: table, offset: UInt64(index) * 8)
        }
        let table = GuestPageTables.walk(
            gma.rawValue, pml4: pml4, downTo: 1,
            read: { table, index in
                let bytes = fixture.hypervisor.readGuest(id, slot(table, index), count: 8)!
                return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            },
            allocate: allocateFrame, link: { writePageTableEntry(slot($0, $1), $2) })
        let frame = allocateFrame()
        writePageTableEntry(slot(table, Int((gma.rawValue >> 12) & 0x1FF)), GuestPageTables.entry(frame))
        return frame
    }

    /// A guest page-table write: trapped if the page is write-protected, else direct.
    func writePageTableEntry(_ slot: GuestPhysicalAddress, _ entry: UInt64) {
        let bytes = withUnsafeBytes(of: entry.littleEndian) { Array($0) }
        if fixture.hypervisor.isTracked(id, slot.frame) {
            if !mediator.handlePageTrackWrite(id, address: slot, bytes: bytes) {
                fixture.hypervisor.guestWrite(id, slot, bytes: bytes)
            }
            // With HW write-protection the guest's own write also lands after emulation.
            fixture.hypervisor.guestWrite(id, slot, bytes: bytes)
        } else {
            fixture.hypervisor.guestWrite(id, slot, bytes: bytes)
        }
    }

    // MARK: Engines and contexts

    /// A guest context: its LRCA, ring and software tail.
    public struct Context {
        public var engine: EngineID
        public var descriptor: ContextDescriptor
        public var ring: GraphicsAddress
        public var ringSize: UInt32
        public var tail: UInt32
    }

    /// Sets the engine's HWS_PGA to a page of its own and enables execlists.
    public func enableEngine(_ engine: EngineID) -> GraphicsAddress {
        let hwsp = mapGGTT(pages: 1)
        mmioWrite(UInt64(MMIOOffset.ring(.hwsPGA, engine).rawValue), gma32(hwsp))
        mmioWrite(UInt64(MMIOOffset.ring(.mode, engine).rawValue), 0x8000_8000)  // RUN_LIST_ENABLE
        return hwsp
    }

    /// A context on `engine` with a 4-page ring, using the PPGTT.
    public func makeContext(_ engine: EngineID, contextID: UInt32 = 1, privileged: Bool = true) -> Context {
        let lrca = mapGGTT(pages: ContextImage.pageCount(for: engine))
        let ring = mapGGTT(pages: 4)
        let state = ContextImage.initialStatePage(engine: engine, ringStart: ring, ringSize: 4 * 4096,
                                                  pdps: [pml4.rawValue << 12, 0, 0, 0])
        writeGGTT(lrca.advanced(by: 4096), state)
        let descriptor = ContextDescriptor(lrca: lrca, contextID: contextID, addressingMode: .legacy64, privileged: privileged)
        return Context(engine: engine, descriptor: descriptor, ring: ring, ringSize: 4 * 4096, tail: 0)
    }

    /// Appends commands (qword padded) to the ring and updates RING_TAIL in the image.
    public func emit(_ dwords: [UInt32], to context: inout Context) {
        let padded = dwords.count % 2 == 0 ? dwords : dwords + [0]
        for value in padded {
            writeGGTT(context.ring.advanced(by: UInt64(context.tail)), [value])
            context.tail = (context.tail + 4) % context.ringSize
        }
        writeGGTT(context.descriptor.lrca.advanced(by: 4096 + ContextImage.Slot.ringTail.valueByteOffset), [context.tail])
    }

    /// Submits through ELSP: element 1 high/low, element 0 high/low.
    public func submit(_ first: Context, _ second: Context? = nil) {
        let submission = ExeclistSubmission(element0: first.descriptor, element1: second?.descriptor ?? ContextDescriptor(rawValue: 0))
        let elsp = UInt64(MMIOOffset.ring(.elsp, first.engine).rawValue)
        for dword in submission.elspDwords { mmioWrite(elsp, UInt64(dword)) }
    }

    func gma32(_ gma: GraphicsAddress) -> UInt64 { gma.rawValue & 0xFFFF_FFFF }
}

extension MediatorFixture {
    /// Runs the host GPU until idle and feeds its events to the mediator, repeatedly, until
    /// nothing is left to do (the live GPU thread does this asynchronously).
    public func runHost(maxRounds: Int = 100) {
        for _ in 0..<maxRounds {
            for engine in EngineID.allCases { gpu.run(engine, until: .never, maxCommands: 1 << 20) }
            let events = gpu.drainEvents()
            if events.isEmpty && mediator.currentWorkloads.allSatisfy({ $0 == nil }) { return }
            for event in events { mediator.handleHardwareEvent(event) }
            if events.isEmpty { return }
        }
    }
}
