import Foundation
import Journal
import Testing

/// A small journal written in-test with the writer; the three journal verbs read it.
enum SampleJournal {
    static let header = JournalHeader(
        mediator: .init(release: "0.1.0", sourceRevision: "abc123"), revision: "r42", gpuDeviceID: 0x5A84,
        vms: [.init(name: "vm0", vgpu: 1, vgpuType: "GVTg_V5_4")], bench: "multi-vm",
        benchParameters: ["seed": "7"], host: "testhost", startTimeUnixNanoseconds: 0)

    static let events: [JournalEvent] = [
        .vgpuCreated(vgpu: 1, type: "GVTg_V5_4"),
        .mmioWrite(MMIOTrap(vgpu: 1, vcpu: 0, rip: 0xFFFF_FFFF_8100_1234, instruction: [0x89, 0x10], offset: 0x2030, size: 4, value: 0x40)),
        .mmioRead(MMIOTrap(vgpu: 1, vcpu: 0, rip: 0xFFFF_FFFF_8100_1240, instruction: [0x8B, 0x00], offset: 0x2034, size: 4, value: 0x80)),
        .elspSubmission(vgpu: 1, engine: 0, dwords: ELSPDwords(0, 0, 0x1000_0019, 0x20_0000)),
        .hang(engine: 0, reason: 1, acthd: 0x40, instruction: 0x1880_0001, head: 0x40, tail: 0x80),
        .failsafe(vgpu: 1, reason: 2, detail: "bad \"driver\""),
        .timerExpiry(kind: 1),
    ]

    /// A fresh temporary directory.
    static func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-journal-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes `rounds` × the sample events (sequence 1…, 100 ns apart) to a new file; returns its path.
    static func write(rounds: Int = 1, close: Bool = true, eventsPerFrame: Int = 4096) throws -> String {
        let path = try directory().appendingPathComponent("j.gvtj").path
        var options = JournalWriterOptions()
        options.maxEventsPerFrame = eventsPerFrame
        let writer = try JournalWriter(path: path, header: header, options: options)
        var sequence: UInt64 = 1
        for _ in 0..<rounds {
            for event in events {
                try writer.append(sequence: sequence, time: sequence * 100, event)
                sequence += 1
            }
        }
        if close { try writer.close() } else { try writer.cutFrame() }
        return path
    }
}

@Suite struct InfoCommandTests {
    @Test func textShowsHeaderCountsAndVerdicts() throws {
        let path = try SampleJournal.write()
        let result = try runGVTRR(["info", path])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("state: complete"))
        #expect(lines.contains("bench: multi-vm (seed=7)"))
        #expect(lines.contains("revision: r42"))
        #expect(lines.contains("gpu: device 0x5a84"))
        #expect(lines.contains("vms: vm0 (vgpu 1, GVTg_V5_4)"))
        #expect(lines.contains("events: 7 (#1..#7), duration 600 ns"))
        #expect(lines.contains("  mmio-write       1"))
        #expect(lines.contains("  vgpu 1  5"))
        #expect(lines.contains("  hang  1 (first #5)"))
        #expect(lines.contains("started: 1970-01-01T00:00:00Z"))
    }

    @Test func jsonHasTheAgreedKeys() throws {
        let path = try SampleJournal.write()
        let result = try runGVTRR(["info", path, "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["events"] as? Int == 7)
        #expect(object["complete"] as? Bool == true)
        #expect(object["bench"] as? String == "multi-vm")
        #expect(object["revision"] as? String == "r42")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(object["bytes"] as? Int == size)
        #expect((object["byKind"] as? [String: Int])?["failsafe"] == 1)
    }

    @Test func anIncompleteJournalSaysSoAndStillCounts() throws {
        let path = try SampleJournal.write(rounds: 3, close: false)
        let result = try runGVTRR(["info", path, "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["complete"] as? Bool == false)
        #expect(object["events"] as? Int == 21)
        #expect((object["incompleteReason"] as? String)?.contains("did not finish cleanly") == true)
    }

    @Test func aTornJournalExitsOneAndNamesTheOffset() throws {
        let path = try SampleJournal.write(rounds: 50, close: false, eventsPerFrame: 100)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: path))
        let result = try runGVTRR(["info", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is damaged at byte offset"))
        #expect(result.stderr.contains("gvtrr verify \(path) --salvage"))
        #expect(result.stdout.contains("events: 300 (#1..#300)"))
    }

    @Test func unreadableInputExitsTwo() throws {
        let missing = try runGVTRR(["info", "/nonexistent/j.gvtj"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "gvtrr: cannot read journal /nonexistent/j.gvtj: open: No such file or directory\n")
        let path = try SampleJournal.directory().appendingPathComponent("text.gvtj").path
        try Data("not a journal".utf8).write(to: URL(fileURLWithPath: path))
        let garbage = try runGVTRR(["info", path])
        #expect(garbage.status == 2)
        #expect(garbage.stderr.contains("\(path) is not a gvt-rr journal: byte offset 0"))
    }
}
