import Testing
@testable import GPUModel

/// Execlist submission, context load/save and the context status buffer.
@Suite struct ExeclistTests {
    func statuses(_ events: [GPUEvent], engine: EngineID = .rcs) -> [ContextStatus.Flags] {
        events.compactMap { if case let .contextStatus(e, status, _) = $0, e == engine { status.flags } else { nil } }
    }

    @Test func singleContextRunsToIdleWithCSB() {
        let bench = Workbench(gpu: GPU())
        var ctx = bench.makeContext(engine: .rcs, contextID: 0x42)
        bench.emit(CommandEncoder.noop + CommandEncoder.noop + CommandEncoder.userInterrupt + CommandEncoder.noop, to: &ctx)
        bench.submit(ctx)
        #expect(bench.gpu.run(.rcs, until: .never) == .idle)
        let events = bench.gpu.drainEvents()
        #expect(statuses(events) == [.idleToActive, [.complete, .activeToIdle]])
        #expect(events.contains(.userInterrupt(.rcs)))
        // The ring head was saved into the image: it equals the tail.
        let headSlot = ctx.descriptor.lrca.advanced(by: 4096 + ContextImage.Slot.ringHead.valueByteOffset)
        #expect(bench.read32(headSlot).map { $0 & 0x1F_FFFC } == ctx.tail)
        // CSB registers and pointer: two entries written, write pointer 1.
        #expect(bench.gpu.registers[.ring(.csbPointer, .rcs)] & 7 == 1)
        #expect(bench.gpu.registers[.csb(.rcs, entry: 1, upper: true)] == 0x42)
        // The HWSP mirror holds the same entries and the write pointer.
        let hwsp = GraphicsAddress(UInt64(bench.gpu.registers[.ring(.hwsPGA, .rcs)]))
        #expect(bench.read32(hwsp.advanced(by: 0x10 * 4)) == ContextStatus.Flags.idleToActive.rawValue)
        #expect(bench.read32(hwsp.advanced(by: 0x1F * 4)) == 1)
    }

    @Test func twoElementsSwitch() {
        let bench = Workbench(gpu: GPU())
        var a = bench.makeContext(engine: .bcs, contextID: 1)
        var b = bench.makeContext(engine: .bcs, contextID: 2)
        bench.emit(CommandEncoder.noop, to: &a)
        bench.emit(CommandEncoder.noop, to: &b)
        bench.submit(a, b)
        #expect(bench.gpu.run(.bcs, until: .never) == .idle)
        let flags = statuses(bench.gpu.drainEvents(), engine: .bcs)
        #expect(flags == [.idleToActive, [.complete, .elementSwitch], [.complete, .activeToIdle]])
    }

    @Test func contextSwitchInterruptReachesIIRWhenUnmasked() {
        let bench = Workbench(gpu: GPU())
        let gt0 = InterruptBank.gt0
        bench.gpu.writeRegister(gt0.imr, ~UInt32(1 << 8))
        bench.gpu.writeRegister(gt0.ier, 1 << 8)
        bench.gpu.writeRegister(Reg.masterIRQ, 1 << 31)
        var ctx = bench.makeContext(engine: .rcs)
        bench.emit(CommandEncoder.noop, to: &ctx)
        bench.submit(ctx)
        bench.gpu.run(.rcs, until: .never)
        #expect(bench.gpu.registers[gt0.iir] & (1 << 8) != 0)
        #expect(bench.gpu.drainEvents().contains(.interrupt))
    }

    @Test func liteRestoreTakesNewTail() {
        let bench = Workbench(gpu: GPU())
        var ctx = bench.makeContext(engine: .rcs, contextID: 7)
        bench.emit(Array(repeating: 0, count: 64), to: &ctx)  // 64 MI_NOOPs
        bench.submit(ctx)
        _ = bench.gpu.run(.rcs, until: .never, maxCommands: 4)
        bench.emit(CommandEncoder.userInterrupt, to: &ctx)
        bench.submit(ctx)
        #expect(bench.gpu.run(.rcs, until: .never) == .idle)
        let events = bench.gpu.drainEvents()
        #expect(statuses(events) == [.idleToActive, [.preempted, .liteRestore], [.complete, .activeToIdle]])
        #expect(events.contains(.userInterrupt(.rcs)))
    }

    @Test func anotherContextPreemptsAtArbitrationPoint() {
        let bench = Workbench(gpu: GPU())
        var a = bench.makeContext(engine: .rcs, contextID: 1)
        var b = bench.makeContext(engine: .rcs, contextID: 2)
        bench.emit(Array(repeating: 0, count: 32), to: &a)
        bench.emit(CommandEncoder.noop, to: &b)
        bench.submit(a)
        _ = bench.gpu.run(.rcs, until: .never, maxCommands: 2)
        bench.submit(b)
        _ = bench.gpu.run(.rcs, until: .never)
        let events = bench.gpu.drainEvents()
        let entries = events.compactMap { if case let .contextStatus(_, s, _) = $0 { s } else { nil } }
        #expect(entries.map(\.flags) == [.idleToActive, .preempted, [.complete, .activeToIdle]])
        #expect(entries[1].contextID == 1)
        #expect(entries[2].contextID == 2)
        // A's progress was saved: its head is past the first commands but short of its tail.
        let head = bench.read32(a.descriptor.lrca.advanced(by: 4096 + ContextImage.Slot.ringHead.valueByteOffset))!
        #expect(head > 0 && head < a.tail)
    }

    @Test func invalidRingControlStallsWithBadContext() {
        let bench = Workbench(gpu: GPU())
        let ctx = bench.makeContext(engine: .vcs)
        let ctlSlot = ctx.descriptor.lrca.advanced(by: 4096 + ContextImage.Slot.ringCtl.valueByteOffset)
        bench.write([0], at: ctlSlot)
        bench.submit(ctx)
        guard case .stalled(.badContext) = bench.gpu.run(.vcs, until: .never) else {
            Issue.record("expected a bad-context stall")
            return
        }
    }

    @Test func elspIgnoresInvalidElementZero() {
        let gpu = GPU()
        var port = ExeclistSubmitPort()
        for dword in ExeclistSubmission(element0: ContextDescriptor(rawValue: 0)).elspDwords {
            if let submission = port.write(dword) { #expect(!submission.element0.isValid) }
        }
        let elsp = MMIOOffset.ring(.elsp, .rcs)
        for _ in 0..<4 { gpu.writeRegister(elsp, 0) }
        #expect(!gpu.engine(.rcs).isBusy)
    }

    @Test func descriptorFields() {
        let d = ContextDescriptor(lrca: 0x12_3000, contextID: 0xABCD, addressingMode: .legacy32, privileged: true)
        #expect(d.isValid && d.isPrivileged)
        #expect(d.lrca == 0x12_3000)
        #expect(d.contextID == 0xABCD)
        #expect(d.addressingMode == .legacy32)
        #expect(d.rawValue & 0xFFF == 0x1 | 1 << 3 | 1 << 8)
    }

    @Test func csbWrapsAfterSixEntries() {
        var csb = ContextStatusBuffer()
        let indices = (0..<8).map { csb.append(ContextStatus(flags: .complete, contextID: UInt32($0))) }
        #expect(indices == [0, 1, 2, 3, 4, 5, 0, 1])
    }
}
