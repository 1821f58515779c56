import Testing
@testable import GPUModel

/// The remaining MI commands and engine-specific command classes.
@Suite struct MoreCommandTests {
    typealias Fixture = CommandStreamerTests.Fixture

    @Test func storeDataIndexWritesTheStatusPage() {
        var f = Fixture(engine: .vcs)
        #expect(f.run(CommandEncoder.storeDataIndex(offset: 0xC0, 0x5EED)) == .idle)
        let hwsp = GraphicsAddress(UInt64(f.bench.gpu.registers[.ring(.hwsPGA, .vcs)]))
        #expect(f.bench.read32(hwsp.advanced(by: 0xC0)) == 0x5EED)
    }

    @Test func reportPerfCountWritesIdAndTimestamp() {
        var f = Fixture()
        let target = f.ppgttBase.advanced(by: 0x400)
        // MI_REPORT_PERF_COUNT: dw1 address (bit 0 = GGTT), dw2 upper address, dw3 report id.
        #expect(f.run([0x1400_0002, UInt32(target.rawValue), 0, 0xABCD]) == .idle)
        #expect(f.ppgttRead(0x400) == 0xABCD)
        #expect(f.ppgttRead(0x404) != 0)  // timestamp of a busy engine
    }

    @Test func displayFlipProgramsThePlane() {
        var f = Fixture()
        // MI_DISPLAY_FLIP plane B (select 2), pitch 4096 bytes, surface 0x200000.
        #expect(f.run([0x0A00_0001 | 2 << 19, 4096, 0x20_0000]) == .idle)
        let gpu = f.bench.gpu
        #expect(gpu.registers[Reg.planeStride(.b, 1)] == 4096 / 64)
        #expect(gpu.registers[Reg.planeSurf(.b, 1)] == 0x20_0000)
    }

    @Test func arbitrationOffDefersPreemption() {
        let bench = Workbench(gpu: GPU())
        var a = bench.makeContext(engine: .rcs, contextID: 1)
        var b = bench.makeContext(engine: .rcs, contextID: 2)
        bench.emit(CommandEncoder.arbitration(enabled: false) + Array(repeating: 0, count: 20), to: &a)
        bench.emit(CommandEncoder.noop, to: &b)
        bench.submit(a)
        _ = bench.gpu.run(.rcs, until: .never, maxCommands: 3)
        bench.submit(b)
        _ = bench.gpu.run(.rcs, until: .never)
        let flags = bench.gpu.drainEvents().compactMap { if case let .contextStatus(_, s, _) = $0 { s.flags } else { nil } }
        // A ran to completion before B: no preemption while arbitration was off.
        #expect(flags == [.idleToActive, [.complete, .activeToIdle], .idleToActive, [.complete, .activeToIdle]])
    }

    @Test func videoCommandsRunOnVCSButNotOnRCS() throws {
        let table = CommandTable.gen9
        let mfx = try #require(table.command(named: "MFX_PIPE_MODE_SELECT"))
        var f = Fixture(engine: .vcs)
        var command = [mfx.defaultHeader]
        command += Array(repeating: 0, count: mfx.length(header: mfx.defaultHeader) - 1)
        #expect(f.run(command) == .idle)
        #expect(f.bench.gpu.engine(.vcs).commandsExecuted == (command.count % 2 == 0 ? 1 : 2))  // + qword padding NOOP
        // The same header on RCS is a media command (type-3 opcodes collide across engines).
        let media = try #require(table.lookup(mfx.defaultHeader, engine: .rcs))
        #expect(media.name.hasPrefix("MEDIA_"))
    }

    @Test func blitterCommandOnRenderIsInvalid() {
        var f = Fixture(engine: .rcs)
        let blit = CommandEncoder.colorBlit(f.ppgttBase, pitch: 64, x1: 0, y1: 0, x2: 1, y2: 1, color: 1)
        guard case .stalled(.invalidCommand(let header, _)) = f.run(blit) else {
            Issue.record("XY_COLOR_BLT must be invalid on RCS")
            return
        }
        #expect(header == blit[0])
    }
}
