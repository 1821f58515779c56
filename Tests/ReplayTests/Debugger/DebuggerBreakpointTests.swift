import Foundation
import GPUModel
import Journal
import Testing
@testable import Replay

/// break / watch / delete / next / reverse-continue.
@Suite(.serialized) struct DebuggerBreakpointTests {
    @Test func breakOnAKindStopsAtEachEntryHoldingOne() throws {
        let session = try DebuggerSession()
        let records = try session.records()
        let completions = records.filter { $0.event.knownKind == .workloadCompleted }.map(\.sequence)
        try #require(completions.count >= 2)
        #expect(session.run("break kind workload-completed") == "breakpoint 1: kind workload-completed")
        let first = session.run("continue")
        #expect(first.hasPrefix("stopped: breakpoint 1: kind workload-completed"), "\(first)")
        let entry = try #require(session.debugger.current)
        #expect(entry.recorded.contains { $0.sequence == completions[0] })
        _ = session.run("continue")
        #expect(session.debugger.current?.recorded.contains { $0.sequence == completions[1] } == true)
        #expect(session.run("info breakpoints").contains("hit 2 times"))

        // Back to the first stop, then delete and run to the end.
        let back = session.run("reverse-continue")
        #expect(back.hasPrefix("stopped: breakpoint 1"), "\(back)")
        #expect(session.debugger.current?.recorded.contains { $0.sequence == completions[0] } == true)
        #expect(session.run("delete 1") == "deleted 1")
        #expect(session.run("break") == "no breakpoints")
        #expect(session.run("continue").contains("end of the journal"))
    }

    @Test func reverseContinueFindsAStopOnTheEntryOfACheckpoint() throws {
        // A checkpoint after every input: each earlier stop sits exactly on a checkpoint's entry.
        let session = try DebuggerSession(interval: 1, limit: 1 << 20)
        let completions = try session.records().filter { $0.event.knownKind == .workloadCompleted }.map(\.sequence)
        try #require(completions.count >= 2)
        _ = session.run("break kind workload-completed")
        _ = session.run("continue")
        _ = session.run("continue")
        let back = session.run("reverse-continue")
        #expect(back.hasPrefix("stopped: breakpoint 1"), "\(back)")
        #expect(session.debugger.current?.recorded.contains { $0.sequence == completions[0] } == true)
    }

    @Test func breakOnVGPUEngineRegisterAndAddress() throws {
        let session = try DebuggerSession()
        _ = session.run("break register BCS_RING_ELSP")
        let out = session.run("continue")
        #expect(out.contains("breakpoint 1: register 0x22230 BCS_RING_ELSP"), "\(out)")
        guard case let .mmioWrite(trap) = session.debugger.current?.input.event else {
            Issue.record("stopped on \(String(describing: session.debugger.current?.input))")
            return
        }
        #expect(trap.offset == 0x22230)
        _ = session.run("delete")
        _ = session.run("break engine bcs")
        _ = session.run("continue")
        let entry = try #require(session.debugger.current)
        #expect(([entry.input] + entry.recorded).contains { Replayer.engine(of: $0.event) == EngineID.bcs.rawValue })
        // A GGTT address: stops at the entry writing that GGTT entry.
        let records = try session.records()
        let ggtt = try #require(records.first { if case .ggttWrite = $0.event { true } else { false } })
        guard case let .ggttWrite(_, index, _, _) = ggtt.event else { return }
        let fresh = try Debugger(reader: JournalReader(path: session.path))
        _ = fresh.execute("break address \(hex(index << 12))")
        #expect(fresh.execute("continue").hasPrefix("stopped: breakpoint 1: address"))
        #expect(fresh.current?.recorded.contains { $0.sequence == ggtt.sequence } == true)
    }

    @Test func watchingARegisterStopsWhereItChanges() throws {
        let session = try DebuggerSession()
        #expect(session.run("watch reg BCS_RING_TAIL") == "watchpoint 1: host register 0x22030 BCS_RING_TAIL = 0x00000000")
        let out = session.run("continue")
        #expect(out.hasPrefix("stopped: watchpoint 1: host register 0x22030 BCS_RING_TAIL: 0x00000000 -> "), "\(out)")
        let after = session.debugger.replayer.engine.gpu.registers[.ring(.tail, .bcs)]
        #expect(after != 0)
        // One entry back the register still had its old value.
        _ = session.run("reverse-step")
        #expect(session.debugger.replayer.engine.gpu.registers[.ring(.tail, .bcs)] == 0)
        _ = session.run("step")
        #expect(session.debugger.replayer.engine.gpu.registers[.ring(.tail, .bcs)] == after)
        #expect(session.run("info watchpoints").contains("watchpoint 1: host register 0x22030 BCS_RING_TAIL = \(hex(after))"))
    }

    @Test func watchingAVGPURegisterAndAGuestPage() throws {
        let session = try DebuggerSession()
        _ = session.run("next vgpu-created")
        // The first register the guest writes with a value its virtual register did not hold.
        let vregs = try #require(session.debugger.replayer.engine.mediator.vgpu(.init(1))?.vregs)
        let write = try #require(try session.records().lazy.compactMap { record -> MMIOTrap? in
            if case let .mmioWrite(t) = record.event, t.size == 4, t.offset < 0x78000 || t.offset >= 0x79000,
               UInt64(vregs[MMIOOffset(t.offset)]) != t.value { return t }
            return nil
        }.first)
        let name = RegisterCatalogue.gen9.name(of: MMIOOffset(write.offset)) ?? hex(write.offset)
        #expect(session.run("watch reg \(name) vgpu 1").hasPrefix("watchpoint 1: vgpu 1 register \(hex(write.offset, width: 5))"))
        let out = session.run("continue")
        #expect(out.hasPrefix("stopped: watchpoint 1: vgpu 1 register"), "\(out)")
        let after = try #require(session.debugger.replayer.engine.mediator.vgpu(.init(1))?.vregs[MMIOOffset(write.offset)])
        #expect(after != vregs[MMIOOffset(write.offset)])
        _ = session.run("reverse-step")
        #expect(session.debugger.replayer.engine.mediator.vgpu(.init(1))?.vregs[MMIOOffset(write.offset)] == vregs[MMIOOffset(write.offset)])
        _ = session.run("delete")
        // The page holding the guest's first ring: changes when the guest writes it.
        #expect(session.run("watch page 1 0x0").hasPrefix("watchpoint 2: vgpu 1 guest page 0x00000"))
        #expect(session.run("watch page 1 0xffffffffff").hasPrefix("error: guest address"))
        #expect(session.run("watch page 9 0x0").hasPrefix("error: no vgpu 9"))
    }

    @Test func nextStopsAtTheNextEntryOfAKind() throws {
        let session = try DebuggerSession()
        let out = session.run("next workload-dispatched")
        #expect(out.hasPrefix("stopped: next workload-dispatched"), "\(out)")
        let entry = try #require(session.debugger.current)
        #expect(entry.recorded.contains { $0.event.knownKind == .workloadDispatched })
        #expect(session.run("next nonsense").hasPrefix("error: unknown event kind"))
    }

    @Test func conditionsMatchEventsDirectly() {
        let write = JournalEvent.mmioWrite(MMIOTrap(vgpu: 2, vcpu: 0, rip: 0, instruction: [], offset: 0x2030, size: 4, value: 1))
        #expect(BreakCondition.register(0x2030).matches(write))
        #expect(BreakCondition.register(0x2032).matches(write))
        #expect(!BreakCondition.register(0x2034).matches(write))
        #expect(BreakCondition.vgpu(2).matches(write))
        #expect(!BreakCondition.vgpu(1).matches(write))
        #expect(BreakCondition.kind(.mmioWrite).matches(write))
        #expect(BreakCondition.address(0x1234_5678).matches(.ggttWrite(vgpu: 1, index: 0x12345, guestPTE: 0, hostPTE: 0)))
        #expect(!BreakCondition.address(0x1234_5678).matches(.ggttWrite(vgpu: 1, index: 0x12346, guestPTE: 0, hostPTE: 0)))
        #expect(BreakCondition.engine(.vcs).matches(.completion(engine: 2, context: 0)))
        let verdicts = [Verdict(seq: 1, kind: .hang, vgpu: nil, detail: "")]
        #expect(BreakCondition.verdict(.hang).matches([], verdicts: verdicts[...]))
        #expect(BreakCondition.verdict(nil).matches([], verdicts: verdicts[...]))
        #expect(!BreakCondition.verdict(.failsafe).matches([], verdicts: verdicts[...]))
    }
}
