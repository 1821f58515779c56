import Testing
@testable import GPUModel

/// The command streamer: MI commands, batches, post-sync writes, semaphores, stalls.
@Suite struct CommandStreamerTests {
    /// A bench with an RCS context using a PPGTT that maps 16 pages at 0x10_0000.
    struct Fixture {
        let bench = Workbench(gpu: GPU())
        let ppgtt: Workbench.PPGTTBuilder
        var ctx: Workbench.Context
        let ppgttBase: GraphicsAddress = 0x10_0000
        var space: AddressSpace { .ppgtt(ppgtt.root) }

        init(engine: EngineID = .rcs, privileged: Bool = true) {
            ppgtt = bench.makePPGTT()
            ppgtt.mapFresh(ppgttBase, pages: 16)
            ctx = bench.makeContext(engine: engine, ppgtt: ppgtt, privileged: privileged)
        }

        mutating func run(_ commands: [UInt32]) -> EngineRunOutcome {
            bench.emit(commands, to: &ctx)
            bench.submit(ctx)
            return bench.gpu.run(ctx.engine, until: .never, maxCommands: 100_000)
        }

        func ppgttRead(_ offset: UInt64) -> UInt32? { bench.read32(ppgttBase.advanced(by: offset), in: space) }
    }

    @Test func loadRegisterImmediateWritesRegisters() {
        var f = Fixture()
        let plain: MMIOOffset = 0xB118  // GEN8_L3SQCREG4: not masked
        let masked: MMIOOffset = 0x7300  // HDC_CHICKEN0: masked (bits 31:16 enable 15:0)
        #expect(f.run(CommandEncoder.loadRegisterImmediate([(plain, 0xDEAD_BEEF), (masked, 0x0003_0001)])) == .idle)
        #expect(f.bench.gpu.registers[plain] == 0xDEAD_BEEF)
        #expect(f.bench.gpu.registers[masked] == 0x0001)
    }

    @Test func storeAndLoadRegisterMemoryAndRegisterCopy() {
        var f = Fixture()
        let a = MMIOOffset.csGPR(.rcs, 0)
        let b = MMIOOffset.csGPR(.rcs, 1)
        let target = f.ppgttBase.advanced(by: 0x100)
        let outcome = f.run(
            CommandEncoder.loadRegisterImmediate([(a, 0x1234_5678)])
                + CommandEncoder.storeRegisterMemory(a, to: target)
                + CommandEncoder.storeDataImmediate(target.advanced(by: 8), 0xCAFE)
                + CommandEncoder.loadRegisterMemory(b, from: target.advanced(by: 8))
                + CommandEncoder.loadRegisterRegister(from: b, to: a))
        #expect(outcome == .idle)
        #expect(f.ppgttRead(0x100) == 0x1234_5678)
        #expect(f.bench.gpu.registers[b] == 0xCAFE)
        #expect(f.bench.gpu.registers[a] == 0xCAFE)
    }

    @Test func storeDataImmediateQwordAndGGTT() {
        var f = Fixture()
        let page = f.bench.mapGGTT(pages: 1)
        #expect(f.run(CommandEncoder.storeDataImmediate64(f.ppgttBase, 0x1122_3344_5566_7788)
                      + CommandEncoder.storeDataImmediate(page.advanced(by: 12), 77, ggtt: true)) == .idle)
        #expect(f.ppgttRead(0) == 0x5566_7788)
        #expect(f.ppgttRead(4) == 0x1122_3344)
        #expect(f.bench.read32(page.advanced(by: 12)) == 77)
    }

    @Test func pipeControlPostSyncAndNotify() {
        var f = Fixture()
        let target = f.ppgttBase.advanced(by: 0x40)
        #expect(f.run(CommandEncoder.pipeControl(store: 0x99, at: target, notify: true)
                      + CommandEncoder.pipeControl(store: 0x55, at: 0x80, ggtt: true, storeIndex: true)
                      + CommandEncoder.pipeControl(store: 0x66, at: 0x88, storeIndex: true)) == .idle)
        #expect(f.ppgttRead(0x40) == 0x99)
        // Index mode: GGTT → the global status page (HWS_PGA); PPGTT → the per-process HWSP.
        let hwsp = GraphicsAddress(UInt64(f.bench.gpu.registers[.ring(.hwsPGA, .rcs)]))
        #expect(f.bench.read32(hwsp.advanced(by: 0x80)) == 0x55)
        #expect(f.bench.read32(hwsp.advanced(by: 0x88)) == 0)
        #expect(f.bench.read32(f.ctx.descriptor.lrca.advanced(by: 0x88)) == 0x66)
        #expect(f.bench.gpu.drainEvents().contains(.pipeControlNotify))
    }

    @Test func flushDWPostSyncAndNotifyOnBlitter() {
        var f = Fixture(engine: .bcs)
        let target = f.ppgttBase.advanced(by: 0x80)
        #expect(f.run(CommandEncoder.flushDW(store: 0xAB, at: target, notify: true)) == .idle)
        #expect(f.ppgttRead(0x80) == 0xAB)
        #expect(f.bench.gpu.drainEvents().contains(.flushNotify(.bcs)))
    }

    @Test func firstAndSecondLevelBatchesReturn() {
        var f = Fixture()
        let first = f.ppgttBase.advanced(by: 0x1000)
        let second = f.ppgttBase.advanced(by: 0x2000)
        f.bench.write(CommandEncoder.storeDataImmediate(f.ppgttBase, 1)
                      + CommandEncoder.batchStart(second, ppgtt: true, secondLevel: true)
                      + CommandEncoder.storeDataImmediate(f.ppgttBase.advanced(by: 8), 3)
                      + CommandEncoder.batchEnd, at: first, in: f.space)
        f.bench.write(CommandEncoder.storeDataImmediate(f.ppgttBase.advanced(by: 4), 2) + CommandEncoder.batchEnd,
                      at: second, in: f.space)
        #expect(f.run(CommandEncoder.batchStart(first, ppgtt: true) + CommandEncoder.userInterrupt) == .idle)
        #expect([f.ppgttRead(0), f.ppgttRead(4), f.ppgttRead(8)] == [1, 2, 3])
        #expect(f.bench.gpu.drainEvents().contains(.userInterrupt(.rcs)))
    }

    @Test func chainedBatchReplacesTheCurrentOne() {
        var f = Fixture()
        let a = f.ppgttBase.advanced(by: 0x1000)
        let b = f.ppgttBase.advanced(by: 0x2000)
        f.bench.write(CommandEncoder.batchStart(b, ppgtt: true) + CommandEncoder.storeDataImmediate(f.ppgttBase, 9),
                      at: a, in: f.space)
        f.bench.write(CommandEncoder.storeDataImmediate(f.ppgttBase.advanced(by: 4), 5) + CommandEncoder.batchEnd,
                      at: b, in: f.space)
        #expect(f.run(CommandEncoder.batchStart(a, ppgtt: true)) == .idle)
        #expect(f.ppgttRead(0) == 0)  // never reached: the chain does not return into A
        #expect(f.ppgttRead(4) == 5)
    }

    @Test func secondLevelFromSecondLevelStalls() {
        var f = Fixture()
        let a = f.ppgttBase.advanced(by: 0x1000)
        let b = f.ppgttBase.advanced(by: 0x2000)
        f.bench.write(CommandEncoder.batchStart(b, ppgtt: true, secondLevel: true), at: a, in: f.space)
        f.bench.write(CommandEncoder.batchStart(a, ppgtt: true, secondLevel: true), at: b, in: f.space)
        guard case .stalled(.batchNesting(let at)) = f.run(CommandEncoder.batchStart(a, ppgtt: true)) else {
            Issue.record("expected a nesting stall")
            return
        }
        #expect(at == b)
    }

    @Test func unknownCommandStallsWithHeaderAndACTHD() {
        var f = Fixture()
        let before = f.ctx.ringStart.advanced(by: UInt64(f.ctx.tail) + 4)
        let outcome = f.run(CommandEncoder.noop + [0x3F00_0000])  // header type 1 is reserved
        #expect(outcome == .stalled(.invalidCommand(header: 0x3F00_0000, at: before)))
        #expect(f.bench.gpu.registers[.ring(.acthd, .rcs)] == UInt32(before.rawValue))
        #expect(f.bench.gpu.drainEvents().contains(.engineStalled(.rcs, .invalidCommand(header: 0x3F00_0000, at: before))))
    }

    @Test func commandLongerThanTheRingContentStalls() {
        var f = Fixture()
        let at = f.ctx.ringStart.advanced(by: UInt64(f.ctx.tail))
        // An LRI header claiming 3 pairs with only one dword behind it before the tail.
        #expect(f.run([0x1100_0005, 0x7300]) == .stalled(.malformedCommand(header: 0x1100_0005, at: at)))
    }

    @Test func unmappedBatchFaults() {
        var f = Fixture()
        let unmapped: GraphicsAddress = 0x4000_0000
        guard case .stalled(.pageFault(let fault, _)) = f.run(CommandEncoder.batchStart(unmapped, ppgtt: true)) else {
            Issue.record("expected a page fault")
            return
        }
        #expect(fault.address == unmapped)
        #expect(fault.space == .ppgtt)
        #expect(f.bench.gpu.registers[0x4094] & 1 == 1)  // RING_FAULT_REG valid
    }

    @Test func semaphoreWaitsUntilMemoryChanges() {
        var f = Fixture()
        let flag = f.ppgttBase.advanced(by: 0x200)
        #expect(f.run(CommandEncoder.semaphoreWait(flag, data: 1) + CommandEncoder.userInterrupt) == .waiting)
        #expect(f.bench.gpu.run(.rcs, until: .never) == .waiting)
        f.bench.write([1], at: flag, in: f.space)
        #expect(f.bench.gpu.run(.rcs, until: .never) == .idle)
        #expect(f.bench.gpu.drainEvents().contains(.userInterrupt(.rcs)))
    }

    @Test func conditionalBatchEndCompares() {
        var f = Fixture()
        let batch = f.ppgttBase.advanced(by: 0x1000)
        let value = f.ppgttBase.advanced(by: 0x300)
        f.bench.write([5], at: value, in: f.space)
        f.bench.write(CommandEncoder.conditionalBatchEnd(value, data: 4)  // 5 <= 4 is false: go on
                      + CommandEncoder.storeDataImmediate(f.ppgttBase, 1)
                      + CommandEncoder.conditionalBatchEnd(value, data: 5)  // 5 <= 5: end here
                      + CommandEncoder.storeDataImmediate(f.ppgttBase.advanced(by: 4), 2)
                      + CommandEncoder.batchEnd, at: batch, in: f.space)
        #expect(f.run(CommandEncoder.batchStart(batch, ppgtt: true)) == .idle)
        #expect(f.ppgttRead(0) == 1)
        #expect(f.ppgttRead(4) == 0)
    }

    @Test func timeLimitLeavesTheEngineBusy() {
        var f = Fixture()
        f.bench.emit(Array(repeating: 0, count: 200), to: &f.ctx)
        f.bench.submit(f.ctx)
        let limit = VirtualTime(nanoseconds: 3_000)
        #expect(f.bench.gpu.run(.rcs, until: limit) == .busy)
        #expect(f.bench.gpu.engine(.rcs).clock >= limit)
        #expect(f.bench.gpu.run(.rcs, until: .never) == .idle)
        #expect(f.bench.gpu.engine(.rcs).commandsExecuted == 200)
    }

    @Test func primitiveIsChargedByVertexCount() {
        var small = Fixture()
        var large = Fixture()
        _ = small.run(CommandEncoder.primitive(vertices: 3))
        _ = large.run(CommandEncoder.primitive(vertices: 30_000))
        let cost = CostModel()
        let delta = large.bench.gpu.engine(.rcs).clock.nanoseconds - small.bench.gpu.engine(.rcs).clock.nanoseconds
        #expect(delta == (30_000 - 3) * cost.perVertex)
    }
}

/// The command-write observer sees every write a command makes, with its physical address.
@Suite struct CommandWriteObserverTests {
    @Test func storesAndBlitsAreReported() {
        var f = CommandStreamerTests.Fixture(engine: .bcs)
        final class Box: @unchecked Sendable { var writes: [(EngineID, GraphicsAddress, PhysicalAddress, Int)] = [] }
        let box = Box()
        f.bench.gpu.commandWriteObserver = { box.writes.append(($0, $1, $2, $3)) }
        _ = f.run(CommandEncoder.storeDataImmediate(f.ppgttBase.advanced(by: 16), 7)
                  + CommandEncoder.colorBlit(f.ppgttBase.advanced(by: 0x1000), pitch: 64, x1: 0, y1: 0, x2: 2, y2: 2, color: 1))
        #expect(box.writes.count == 3)  // one dword store + two blit rows
        #expect(box.writes[0].0 == .bcs && box.writes[0].1 == f.ppgttBase.advanced(by: 16) && box.writes[0].3 == 4)
        let expected = try? f.bench.gpu.graphicsMemory.translate(f.ppgttBase.advanced(by: 16), in: f.space).get()
        #expect(box.writes[0].2 == expected)
        #expect(box.writes[1].3 == 8)
    }
}
