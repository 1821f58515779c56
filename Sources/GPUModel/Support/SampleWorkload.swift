/// A fixed, multi-engine workload on a bare GPU: render work with batches and post-sync
/// writes, a blitter fill and copy into a 256×64 framebuffer shown on pipe A, a video and
/// a VEBOX context, interrupts enabled. Used by `gvtrr gpu-demo`, the determinism tests
/// and the benchmark; the same `seed` gives the same work.
public struct SampleWorkload {
    /// What the workload left behind.
    public struct Result: Sendable {
        public var framebuffer: GraphicsAddress
        public var width: Int
        public var height: Int
        /// The render batch's address, for decoding.
        public var renderBatch: GraphicsAddress
        public var renderBatchDwords: [UInt32]
        public var events: [GPUEvent]
        public var outcomes: [EngineRunOutcome]
    }

    public var seed: UInt64
    public var rounds: Int

    public init(seed: UInt64 = 1, rounds: Int = 4) {
        self.seed = seed
        self.rounds = rounds
    }

    /// Clears every pending IIR bit the way an interrupt handler does (master off, W1C, master on).
    func acknowledgeInterrupts(_ gpu: GPU) {
        gpu.writeRegister(Reg.masterIRQ, 0)
        for bank in InterruptBank.allCases {
            let pending = gpu.readRegister(bank.iir)
            if pending != 0 { gpu.writeRegister(bank.iir, pending) }
        }
        gpu.writeRegister(Reg.masterIRQ, 1 << 31)
    }

    /// Programs `gpu` and runs everything to idle.
    public func run(on gpu: GPU) -> Result {
        let bench = Workbench(gpu: gpu)
        var rng = SplitMix64(seed: seed)
        // Interrupts: unmask user/context-switch/notify bits of every engine, master on.
        for bank in [InterruptBank.gt0, .gt1, .gt3] {
            gpu.writeRegister(bank.imr, 0)
            gpu.writeRegister(bank.ier, 0xFFFF_FFFF)
        }
        gpu.writeRegister(Reg.masterIRQ, 1 << 31)

        let ppgtt = bench.makePPGTT()
        let data: GraphicsAddress = 0x100_0000
        ppgtt.mapFresh(data, pages: 32)
        let space = AddressSpace.ppgtt(ppgtt.root)

        // Framebuffer in the GGTT, scanned out by pipe A's primary plane.
        let width = 256, height = 64
        let framebuffer = bench.mapGGTT(pages: width * height * 4 / 4096)
        // The blitter reaches it through the PPGTT, at the same address (as i915 maps it).
        for page in 0..<(width * height * 4 / 4096) {
            let gma = framebuffer.advanced(by: UInt64(page) << 12)
            ppgtt.map(gma, to: gpu.ggtt[Int(gma.pageNumber)].frame)
        }
        gpu.writeRegister(Reg.pipeConf(.a), 1 << 31)
        gpu.writeRegister(Reg.planeStride(.a, 1), UInt32(width * 4 / 64))
        gpu.writeRegister(Reg.planeSize(.a, 1), UInt32(height - 1) << 16 | UInt32(width - 1))
        gpu.writeRegister(Reg.planeCtl(.a, 1), 1 << 31 | 4 << 24)

        var render = bench.makeContext(engine: .rcs, ppgtt: ppgtt, contextID: 0x10)
        var blit = bench.makeContext(engine: .bcs, ppgtt: ppgtt, contextID: 0x20)
        var video = bench.makeContext(engine: .vcs, ppgtt: ppgtt, contextID: 0x30)
        var vebox = bench.makeContext(engine: .vecs, ppgtt: ppgtt, contextID: 0x40)

        // The render batch: 3D state and primitives, a second-level batch, a post-sync write.
        let batch = data.advanced(by: 0x1_0000)
        let second = data.advanced(by: 0x1_8000)
        var dwords: [UInt32] = []
        dwords += [0x6904_0300]  // PIPELINE_SELECT 3D (Gen9: mask bits 9:8, select 0)
        for k in 0..<8 {
            dwords += CommandEncoder.loadRegisterImmediate([(0x7300, UInt32(k))])
            dwords += CommandEncoder.primitive(vertices: UInt32(3 + rng.next() % 300))
        }
        dwords += CommandEncoder.batchStart(second, ppgtt: true, secondLevel: true)
        dwords += CommandEncoder.pipeControl(store: 0xC0FFEE, at: data.advanced(by: 0x40), notify: true)
        dwords += CommandEncoder.batchEnd
        bench.write(dwords, at: batch, in: space)
        bench.write(CommandEncoder.storeDataImmediate(data.advanced(by: 0x80), UInt32(truncatingIfNeeded: seed))
                    + CommandEncoder.batchEnd, at: second, in: space)

        // Let user batches load the register they use (as i915 whitelists registers).
        bench.emit(CommandEncoder.loadRegisterImmediate([(.ring(.forceToNonPriv, .rcs), 0x7300)]), to: &render)

        var outcomes: [EngineRunOutcome] = []
        var events: [GPUEvent] = []
        for round in 0..<rounds {
            let color = UInt32(truncatingIfNeeded: rng.next()) | 0xFF00_0000
            bench.emit(CommandEncoder.batchStart(batch, ppgtt: true) + CommandEncoder.userInterrupt, to: &render)
            let fbPitch = UInt32(width * 4)
            let y = UInt32(round * height / max(rounds, 1))
            bench.emit(CommandEncoder.colorBlit(framebuffer, pitch: fbPitch, x1: 0, y1: y, x2: UInt32(width),
                                                y2: y + UInt32(height / max(rounds, 1)), color: color)
                       + CommandEncoder.flushDW(store: UInt32(round), at: data.advanced(by: 0x100), notify: true),
                       to: &blit)
            bench.emit(CommandEncoder.storeDataImmediate(data.advanced(by: 0x200), UInt32(round)) + CommandEncoder.userInterrupt,
                       to: &video)
            bench.emit(CommandEncoder.flushDW(store: UInt32(round), at: data.advanced(by: 0x300), notify: true), to: &vebox)
            for ctx in [render, blit, video, vebox] { bench.submit(ctx) }
            outcomes = bench.runUntilIdle()
            gpu.writeRegister(Reg.planeSurf(.a, 1), UInt32(framebuffer.rawValue))
            gpu.advance(to: gpu.now + 16_666_667)
            events += gpu.drainEvents()
            acknowledgeInterrupts(gpu)
        }
        // A final copy of the top-left quarter onto the bottom-right.
        bench.emit(CommandEncoder.sourceCopyBlit(
            to: framebuffer, pitch: UInt32(width * 4), x1: UInt32(width / 2), y1: UInt32(height / 2),
            x2: UInt32(width), y2: UInt32(height), from: framebuffer, sourcePitch: UInt32(width * 4), sourceX: 0, sourceY: 0),
                   to: &blit)
        bench.submit(blit)
        outcomes = bench.runUntilIdle()
        events += gpu.drainEvents()
        return Result(framebuffer: framebuffer, width: width, height: height, renderBatch: batch,
                      renderBatchDwords: dwords, events: events, outcomes: outcomes)
    }
}

/// SplitMix64: a tiny seeded generator for workloads (never used inside the engine's
/// decisions; the seed is an input).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
