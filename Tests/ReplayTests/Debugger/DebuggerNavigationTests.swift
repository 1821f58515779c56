import Foundation
import GPUModel
import Journal
import Testing
@testable import Replay

/// goto / step / reverse-step / where, driven by script lines over a recorded journal.
@Suite(.serialized) struct DebuggerNavigationTests {
    /// `where` without its last line (the checkpoint count grows as replay goes).
    static func place(_ session: DebuggerSession) -> String {
        session.run("where").split(separator: "\n").dropLast().joined(separator: "\n")
    }

    @Test func gotoLandsOnTheEntryHoldingTheSequenceAndWhereSaysSo() throws {
        let session = try DebuggerSession()
        let records = try session.records()
        // An output record in the middle: goto lands on the entry of the input before it.
        let target = try #require(records.dropFirst(records.count / 2).first { !$0.event.isInput })
        let input = try #require(records.last { $0.sequence < target.sequence && $0.event.isInput })
        let landing = session.run("goto \(target.sequence)")
        #expect(landing.hasPrefix("at #"), "\(landing)")
        let entry = try #require(session.debugger.current)
        #expect(entry.input.sequence == input.sequence)
        #expect(session.position >= target.sequence)
        let place = session.run("where")
        #expect(place.contains("entry of input #\(input.sequence)"))
        #expect(place.contains(EventText.line(input)))
        #expect(place.contains("t=\(VirtualTime(nanoseconds: input.time))"))

        // Back to an earlier sequence, then forward again: the same entry.
        _ = session.run("goto 3")
        #expect(session.debugger.current?.input.sequence ?? 99 <= 3)
        _ = session.run("goto #\(target.sequence)")
        #expect(session.debugger.current?.input.sequence == input.sequence)
    }

    @Test func stepThenReverseStepReturnsToTheSameState() throws {
        let session = try DebuggerSession(interval: 40)
        _ = session.run("step 150")
        let before = (session.run("regs"), session.run("regs vgpu 1"), Self.place(session), session.position)
        #expect(before.0.contains("host registers:"))
        #expect(before.1.contains("vgpu 1 virtual registers:"))
        _ = session.run("step 60")
        #expect(session.position > before.3)
        #expect(Self.place(session) != before.2, "60 entries later the position moved on")
        #expect(!session.debugger.checkpoints.all.isEmpty, "reverse execution has checkpoints to start from")
        _ = session.run("reverse-step 60")
        #expect(session.position == before.3)
        #expect(session.run("regs") == before.0)
        #expect(session.run("regs vgpu 1") == before.1)
        #expect(Self.place(session) == before.2)
        // One more back and forth, by single steps.
        _ = session.run("reverse-step")
        #expect(session.position < before.3)
        _ = session.run("step")
        #expect(session.position == before.3)
        #expect(session.run("regs vgpu 1") == before.1)
        #expect(!session.debugger.replayer.result.diverged)
    }

    @Test func reverseStepPastTheStartStopsThere() throws {
        let session = try DebuggerSession()
        #expect(session.run("reverse-step").contains("at the start"))
        _ = session.run("step 3")
        #expect(session.run("reverse-step 10").contains("back at the start"))
        #expect(session.debugger.current == nil)
        #expect(session.run("where").contains("at the start of the journal"))
        _ = session.run("step")
        #expect(session.debugger.current?.input.sequence == (try session.records().first { $0.event.isInput })?.sequence)
    }

    @Test func continueRunsToTheEndAndSaysSo() throws {
        let session = try DebuggerSession()
        let records = try session.records()
        let out = session.run("continue")
        #expect(out.contains("end of the journal"))
        #expect(session.position == records.last?.sequence)
        #expect(session.run("step").contains("nothing more to replay"))
        #expect(session.run("goto \(records.last!.sequence + 100)").contains("the journal ends before"))
    }
}
