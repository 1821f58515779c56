import Testing
@testable import GPUModel

/// Hang detection and engine reset.
@Suite struct HangcheckTests {
    typealias Fixture = CommandStreamerTests.Fixture

    func hangs(_ gpu: GPU) -> [HangReport] {
        gpu.drainEvents().compactMap { if case let .hang(report) = $0 { report } else { nil } }
    }

    @Test func semaphoreThatNeverCompletesIsAHang() {
        var f = Fixture()
        let flag = f.ppgttBase.advanced(by: 0x200)
        let waitAt = f.ctx.ringStart.advanced(by: UInt64(f.ctx.tail))
        #expect(f.run(CommandEncoder.semaphoreWait(flag, data: 1)) == .waiting)
        let threshold = f.bench.gpu.configuration.hangcheckThreshold
        for _ in 0..<(threshold - 1) { #expect(f.bench.gpu.hangcheck().isEmpty) }
        let reports = f.bench.gpu.hangcheck()
        #expect(reports.count == 1)
        #expect(reports.first?.reason == .semaphore)
        #expect(reports.first?.acthd == waitAt)
        #expect(reports.first?.instruction == CommandEncoder.semaphoreWait(flag, data: 1)[0])
        #expect(f.bench.gpu.hangcheck().isEmpty)  // reported once
    }

    @Test func batchThatJumpsToItselfIsALoopHang() {
        var f = Fixture()
        let batch = f.ppgttBase.advanced(by: 0x1000)
        f.bench.write(CommandEncoder.noop + CommandEncoder.batchStart(batch, ppgtt: true), at: batch, in: f.space)
        f.bench.emit(CommandEncoder.batchStart(batch, ppgtt: true), to: &f.ctx)
        f.bench.submit(f.ctx)
        var reports: [HangReport] = []
        for step in 1...40 {
            #expect(f.bench.gpu.run(.rcs, until: VirtualTime(nanoseconds: UInt64(step) * 1_000_000) + 7) == .busy)
            reports += f.bench.gpu.hangcheck()
        }
        #expect(reports.count == 1)
        #expect(reports.first?.reason == .loop)
    }

    @Test func stalledEngineIsReportedAndResetRecovers() {
        var f = Fixture(engine: .vecs)
        _ = f.run([0x3F00_0000])
        for _ in 0..<3 { f.bench.gpu.hangcheck() }
        let reports = hangs(f.bench.gpu)
        #expect(reports.map(\.reason) == [.stalled])
        #expect(reports.first?.stall != nil)

        // GDRST VECS bit resets the engine; GDRST reads back 0; CSB pointer back to 7.
        f.bench.gpu.writeRegister(Reg.gdrst, GPU.ResetBit.vecs)
        #expect(f.bench.gpu.readRegister(Reg.gdrst) == 0)
        #expect(f.bench.gpu.drainEvents().contains(.reset(.vecs)))
        #expect(f.bench.gpu.engine(.vecs).stall == nil)
        #expect(f.bench.gpu.engine(.vecs).csb.writePointer == 7)

        // The engine takes new work after the reset (HWS_PGA must be set again).
        let bench = f.bench
        var ctx = bench.makeContext(engine: .vecs, contextID: 9)
        bench.emit(CommandEncoder.userInterrupt, to: &ctx)
        bench.submit(ctx)
        #expect(bench.gpu.run(.vecs, until: .never) == .idle)
        #expect(bench.gpu.drainEvents().contains(.userInterrupt(.vecs)))
    }

    @Test func busyEngineMakingProgressIsNotHung() {
        var f = Fixture()
        f.bench.emit(Array(repeating: CommandEncoder.storeDataImmediate(f.ppgttBase, 1), count: 400).flatMap { $0 }, to: &f.ctx)
        f.bench.submit(f.ctx)
        for step in 1...10 {
            _ = f.bench.gpu.run(.rcs, until: VirtualTime(nanoseconds: UInt64(step) * 1_000))
            #expect(f.bench.gpu.hangcheck().isEmpty)
        }
    }

    @Test func idleEnginesAreNeverHung() {
        let gpu = GPU()
        for _ in 0..<10 { #expect(gpu.hangcheck().isEmpty) }
    }

    @Test func fullResetKeepsMemoryAndGGTT() {
        let bench = Workbench(gpu: GPU())
        let page = bench.mapGGTT(pages: 1)
        bench.write([0x1234], at: page)
        bench.gpu.writeRegister(Reg.fence(0), 0x1000_0001)
        bench.gpu.writeRegister(Reg.gdrst, GPU.ResetBit.full)
        #expect(bench.read32(page) == 0x1234)
        #expect(bench.gpu.registers[Reg.fence(0)] == 0)
        #expect(bench.gpu.drainEvents().contains(.reset(.all)))
    }
}
