import Foundation
import Journal
import Testing

/// `gvtrr debug FILE` driven through a pipe: commands in, plain outputs out.
@Suite struct DebugCommandTests {
    /// A small journal of inputs only (no recorded outputs: replay's own outputs show up as a
    /// divergence, which the debugger reports but does not stop for when stepping).
    static func journal() throws -> String {
        let path = try SampleJournal.directory().appendingPathComponent("debug.gvtj").path
        let header = JournalHeader(mediator: .init(release: "0.1.0", sourceRevision: "test"), revision: "current",
                                   gpuDeviceID: 0x5A84, vms: [.init(name: "vm0", vgpu: 1, vgpuType: "GVTg_V5_4")],
                                   bench: "debug-test", host: "testhost", startTimeUnixNanoseconds: 0)
        let writer = try JournalWriter(path: path, header: header)
        let events: [JournalEvent] = [
            .vgpuCreateRequest(type: "GVTg_V5_4", ramPages: 1024, vgpu: 1, firstFrame: 256),
            .mmioRead(MMIOTrap(vgpu: 1, vcpu: 0, rip: 0x1000, instruction: [0x8B, 0x00], offset: 0x78000, size: 4, value: 0x4776_5447)),
            .mmioWrite(MMIOTrap(vgpu: 1, vcpu: 0, rip: 0x1004, instruction: [0x89, 0x10], offset: 0x2030, size: 4, value: 0x40)),
            .mmioRead(MMIOTrap(vgpu: 1, vcpu: 0, rip: 0x1008, instruction: [0x8B, 0x00], offset: 0x2030, size: 4, value: 0x40)),
        ]
        for (k, event) in events.enumerated() { try writer.append(sequence: UInt64(k + 1), time: UInt64(k + 1) * 1000, event) }
        try writer.close()
        return path
    }

    @Test func aScriptOnStandardInputGetsPlainOutputs() throws {
        let path = try Self.journal()
        let script = "where\nstep\nregs vgpu 1 0x78000\nbogus\nstep\nreverse-step\nwhere\ninfo vgpu 1\nquit\nwhere\n"
        let result = try runGVTRR(["debug", path], stdin: Data(script.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.hasPrefix("at the start of the journal (nothing replayed yet)\n"), "\(out)")
        #expect(!out.contains("(gvtrr)"), "no prompt when standard input is not a terminal")
        #expect(out.contains("entry of input #1"))
        #expect(out.contains("stopped: divergence at #1"), "replay's own outputs were never recorded")
        #expect(out.contains("vgpu 1 virtual registers:"))
        #expect(out.contains("error: unknown command \"bogus\" (help lists the commands)"))
        #expect(out.contains("vgpu 1: type GVTg_V5_4"))
        // `where` after quit is never read: the last output is `info vgpu`'s.
        #expect(out.split(separator: "\n").filter { $0.hasPrefix("at #") }.count == 4, "\(out)")
        #expect(out.hasSuffix("workloads: none\n"), "\(out)")
        #expect(result.stderr.contains("note:"), "the journal records no configuration: said up front")
    }

    @Test func anUnreadableJournalExitsTwo() throws {
        let result = try runGVTRR(["debug", "/nonexistent/j.gvtj"], stdin: Data())
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/j.gvtj"))
    }

    @Test func helpListsTheVerb() throws {
        let result = try runGVTRR(["--help"])
        #expect(result.stdout.contains("debug"))
    }
}
