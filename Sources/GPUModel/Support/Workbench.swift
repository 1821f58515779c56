/// Programs a `GPU` the way a minimal host driver does: maps fresh pages into the GGTT,
/// builds 4-level PPGTTs, writes context images and rings, and submits through ELSP.
///
/// Used by `gvtrr gpu-demo`, the benchmarks and the tests; the bench's i915-faithful guest
/// driver is a separate, fuller thing. Everything it allocates is deterministic.
public final class Workbench {
    /// The GPU being programmed.
    public let gpu: GPU
    /// Next free GGTT page index handed out by `mapGGTT`.
    public private(set) var nextGGTTPage: Int

    /// Starts handing out GGTT pages at `firstGGTTPage` (default 1 MiB into the space).
    public init(gpu: GPU, firstGGTTPage: Int = 256) {
        self.gpu = gpu
        self.nextGGTTPage = firstGGTTPage
    }

    /// Maps `pages` freshly allocated host frames at consecutive GGTT pages; returns the first
    /// graphics address.
    public func mapGGTT(pages: Int) -> GraphicsAddress {
        precondition(pages > 0)
        guard let frames = gpu.memory.allocateFrames(count: pages) else {
            preconditionFailure("Workbench: host memory exhausted")
        }
        let first = nextGGTTPage
        for (k, frame) in frames.enumerated() { gpu.ggtt[first + k] = GGTTEntry(frame: frame) }
        nextGGTTPage += pages
        return GraphicsAddress(UInt64(first) << 12)
    }

    /// Writes dwords at a graphics address through `space`.
    public func write(_ dwords: [UInt32], at gma: GraphicsAddress, in space: AddressSpace = .ggtt) {
        for (k, value) in dwords.enumerated() {
            do { try gpu.graphicsMemory.write32(gma.advanced(by: UInt64(k * 4)), in: space, value) } catch {
                preconditionFailure("Workbench: write to unmapped \(gma): \(error)")
            }
        }
    }

    /// Reads one dword through `space` (nil if unmapped).
    public func read32(_ gma: GraphicsAddress, in space: AddressSpace = .ggtt) -> UInt32? {
        try? gpu.graphicsMemory.read32(gma, in: space)
    }

    // MARK: PPGTT

    /// A 4-level PPGTT whose tables live in host frames.
    public final class PPGTTBuilder {
        let memory: PhysicalMemory
        /// The PML4 table's frame.
        public let pml4: PageFrameNumber

        init(memory: PhysicalMemory) {
            self.memory = memory
            self.pml4 = memory.allocateFrame()!
        }

        /// The address space to put in a context.
        public var root: PPGTTRoot { .fourLevel(pml4: pml4.address) }

        /// Maps the 4 KiB page at `gma` to `frame` (creating tables on the way).
        public func map(_ gma: GraphicsAddress, to frame: PageFrameNumber) {
            var table = pml4
            for level in stride(from: 3, through: 1, by: -1) {
                let index = (gma.rawValue >> (12 + 9 * UInt64(level))) & 0x1FF
                let slot = table.address.advanced(by: index * 8)
                var entry = memory.read64(slot)
                if entry & 1 == 0 {
                    let next = memory.allocateFrame()!
                    entry = next.address.rawValue | 0x3
                    memory.write64(slot, entry)
                }
                table = PageFrameNumber((entry & 0x0000_FFFF_FFFF_F000) >> 12)
            }
            let index = (gma.rawValue >> 12) & 0x1FF
            memory.write64(table.address.advanced(by: index * 8), frame.address.rawValue | 0x3)
        }

        /// Allocates and maps `pages` fresh frames from `gma` on.
        public func mapFresh(_ gma: GraphicsAddress, pages: Int) {
            for k in 0..<pages { map(gma.advanced(by: UInt64(k) << 12), to: memory.allocateFrame()!) }
        }
    }

    /// A new, empty 4-level PPGTT.
    public func makePPGTT() -> PPGTTBuilder { PPGTTBuilder(memory: gpu.memory) }

    // MARK: Contexts and submission

    /// A context image, its ring and the engine status page, all in the GGTT.
    public struct Context: Sendable {
        public var engine: EngineID
        public var descriptor: ContextDescriptor
        public var ringStart: GraphicsAddress
        public var ringSize: UInt32
        /// Software's tail: where the next command goes.
        public var tail: UInt32
    }

    /// Creates a context for `engine` with a ring of `ringPages` pages, sets the engine's
    /// HWS_PGA to a fresh status page if it has none, and returns it.
    public func makeContext(
        engine: EngineID, ringPages: Int = 4, ppgtt: PPGTTBuilder? = nil, contextID: UInt32 = 1, privileged: Bool = true
    ) -> Context {
        if gpu.registers[.ring(.hwsPGA, engine)] == 0 {
            let hwsp = mapGGTT(pages: 1)
            gpu.writeRegister(.ring(.hwsPGA, engine), UInt32(hwsp.rawValue))
        }
        let lrca = mapGGTT(pages: ContextImage.pageCount(for: engine))
        let ring = mapGGTT(pages: ringPages)
        let size = UInt32(ringPages) * 4096
        let pml4 = ppgtt?.pml4.address.rawValue ?? 0
        let state = ContextImage.initialStatePage(
            engine: engine, ringStart: ring, ringSize: size, pdps: [pml4, 0, 0, 0])
        write(state, at: lrca.advanced(by: 4096))
        let descriptor = ContextDescriptor(lrca: lrca, contextID: contextID, addressingMode: .legacy64, privileged: privileged)
        return Context(engine: engine, descriptor: descriptor, ringStart: ring, ringSize: size, tail: 0)
    }

    /// Appends commands to the context's ring (wrapping), padded with MI_NOOP to a qword
    /// (RING_TAIL is qword aligned: bits 20:3), and updates RING_TAIL in its image.
    public func emit(_ dwords: [UInt32], to context: inout Context) {
        let padded = dwords.count % 2 == 0 ? dwords : dwords + CommandEncoder.noop
        for value in padded {
            write([value], at: context.ringStart.advanced(by: UInt64(context.tail)))
            context.tail = (context.tail + 4) % context.ringSize
        }
        let tailSlot = context.descriptor.lrca.advanced(by: 4096 + ContextImage.Slot.ringTail.valueByteOffset)
        write([context.tail], at: tailSlot)
    }

    /// Submits `first` (and optionally `second`) through the engine's ELSP, four MMIO writes.
    public func submit(_ first: Context, _ second: Context? = nil) {
        let submission = ExeclistSubmission(
            element0: first.descriptor, element1: second?.descriptor ?? ContextDescriptor(rawValue: 0))
        let elsp = MMIOOffset.ring(.elsp, first.engine)
        for dword in submission.elspDwords { gpu.mmioWrite(UInt64(elsp.rawValue), size: 4, value: UInt64(dword)) }
    }

    /// Runs every engine until none has work (or `limit`), advancing time as they go.
    @discardableResult
    public func runUntilIdle(limit: VirtualTime = VirtualTime(nanoseconds: 10_000_000_000)) -> [EngineRunOutcome] {
        var outcomes: [EngineRunOutcome] = []
        for engine in EngineID.allCases {
            outcomes.append(gpu.run(engine, until: limit))
        }
        let latest = gpu.engines.map(\.clock).max() ?? gpu.now
        gpu.advance(to: min(latest, limit))
        return outcomes
    }
}
