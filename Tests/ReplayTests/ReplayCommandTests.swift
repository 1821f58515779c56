import Foundation
import Journal
import Testing

/// `gvtrr replay`, run as a process on scripted journals: exit status, text, JSON, emit.
/// (Here rather than in gvtrrTests: the journals are recorded in-process, which needs the
/// Recorder and Mediator targets that gvtrrTests does not depend on.)
@Suite(.serialized) struct ReplayCommandTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `gvtrr` binary built beside the test bundle.
    static func executable() -> URL {
        for bundle in Bundle.allBundles {
            let candidate = bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("gvtrr")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: ".build/debug/gvtrr")
    }

    static func gvtrr(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = executable()
        process.arguments = arguments
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("gvtrr-out-\(UUID().uuidString)")
        let errURL = directory.appendingPathComponent("gvtrr-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                   stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    @Test func unreadableInputAndBadUsageExitTwoWithAMessage() throws {
        let missing = try Self.gvtrr(["replay", "/nonexistent/x.gvtj"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/x.gvtj"))
        let junk = FileManager.default.temporaryDirectory.appendingPathComponent("junk-\(UUID().uuidString).gvtj")
        try Data("not a journal at all".utf8).write(to: junk)
        defer { try? FileManager.default.removeItem(at: junk) }
        let notJournal = try Self.gvtrr(["replay", junk.path])
        #expect(notJournal.status == 2)
        #expect(notJournal.stderr.contains(junk.path))
        let path = try ScriptedJournal.clean.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let revision = try Self.gvtrr(["replay", path, "--revision", "gvt-1999"])
        #expect(revision.status == 2)
        #expect(revision.stderr.contains("unknown revision \"gvt-1999\""))
        let expect = try Self.gvtrr(["replay", path, "--expect", "sunny"])
        #expect(expect.status == 2)
        #expect(expect.stderr.contains("--expect must be clean, hang, isolation or failsafe"))
    }

    @Test func aCleanJournalMatchesAndAnUnmetExpectationExitsOne() throws {
        let path = try ScriptedJournal.clean.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Self.gvtrr(["replay", path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let last = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("\(path): "))
        #expect(last.hasSuffix("inputs), no divergence; verdicts: clean"))
        #expect(try Self.gvtrr(["replay", path, "--expect", "clean"]).status == 0)
        let unmet = try Self.gvtrr(["replay", path, "--expect", "hang"])
        #expect(unmet.status == 1)
        #expect(unmet.stdout.contains("expected hang: NOT met"))
    }

    @Test(arguments: ["hang", "isolation", "failsafe"])
    func eachVerdictScriptMeetsItsExpectation(_ kind: String) throws {
        let path = try ScriptedJournal(rawValue: kind)!.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Self.gvtrr(["replay", path, "--expect", kind])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("expected \(kind): met"))
        #expect(try Self.gvtrr(["replay", path, "--expect", "clean"]).status == 1)
        if kind == "hang" {
            #expect(run.stdout.contains("hang: rcs (semaphore)"))
            #expect(run.stdout.contains("<== ACTHD"))
            #expect(run.stdout.contains("submitted by:"))
            let libdrm = try Self.gvtrr(["replay", path, "--decoder", "libdrm"])
            #expect(libdrm.status == 0)
            #expect(libdrm.stdout.contains("hang: rcs (semaphore)"))
        }
        if kind == "isolation" { #expect(run.stdout.contains("mediator response:")) }
    }

    @Test func jsonHasTheContractKeys() throws {
        let path = try ScriptedJournal.hang.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Self.gvtrr(["replay", path, "--json", "--expect", "hang"])
        #expect(run.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((object["events"] as? Int ?? 0) > 100)
        #expect(object["diverged"] as? Bool == false)
        #expect(object["firstDivergence"] is NSNull)
        #expect(object["stoppedEarly"] is NSNull)
        #expect(object["expectationMet"] as? Bool == true)
        let verdicts = try #require(object["verdicts"] as? [[String: Any]])
        let hang = try #require(verdicts.first { $0["kind"] as? String == "hang" })
        #expect(hang["seq"] is Int && hang["vgpu"] is Int && hang["detail"] is String)
        #expect(verdicts.allSatisfy { $0.keys.sorted() == ["detail", "kind", "seq", "vgpu"] })
        #expect((object["hangs"] as? [Any])?.count == 1)
        #expect(object["notes"] is [Any] && object["divergences"] is [Any] && object["inputs"] is Int)
    }

    @Test func anAlteredJournalDivergesWithContextAndExitsOne() throws {
        let path = try ScriptedJournal.clean.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reads = 0
        let altered = try ReplayerTests.rewrite(path) { record in
            guard case var .mmioRead(trap) = record.event else { return [record.event] }
            reads += 1
            guard reads == 3 else { return [record.event] }
            trap.value ^= 0x4
            return [.mmioRead(trap)]
        }
        defer { try? FileManager.default.removeItem(atPath: altered) }
        let run = try Self.gvtrr(["replay", altered])
        #expect(run.status == 1)
        #expect(run.stdout.contains("before the divergence:"))
        #expect(run.stdout.contains("divergence at #"))
        #expect(run.stdout.contains("  recorded: mmio-read vgpu 1"))
        #expect(run.stdout.contains("  replayed: mmio-read vgpu 1"))
        #expect(run.stdout.contains("DIVERGED at #"))
        let json = try Self.gvtrr(["replay", altered, "--json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["diverged"] as? Bool == true)
        #expect(object["firstDivergence"] is Int)
    }

    @Test func twoProcessesEmitByteIdenticalJournals() throws {
        let path = try ScriptedJournal.hang.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = path + ".a.gvtj", b = path + ".b.gvtj"
        defer {
            try? FileManager.default.removeItem(atPath: a)
            try? FileManager.default.removeItem(atPath: b)
        }
        #expect(try Self.gvtrr(["replay", path, "--emit", a]).status == 0)
        #expect(try Self.gvtrr(["replay", path, "--emit", b]).status == 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: a))
        let second = try Data(contentsOf: URL(fileURLWithPath: b))
        #expect(!first.isEmpty && first == second)
        // The emitted journal replays clean, and says what it is a replay of.
        let again = try Self.gvtrr(["replay", a, "--expect", "hang"])
        #expect(again.status == 0, "\(again.stdout)")
        #expect(try JournalReader(path: a).header.configuration["replay-of"] != nil)
        #expect(try Self.gvtrr(["replay", path, "--emit", path]).status == 2)
    }

    @Test func aTornJournalSaysSoAndStillMatches() throws {
        let path = try ScriptedJournal.hang.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = path + ".torn"
        defer { try? FileManager.default.removeItem(atPath: cut) }
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let run = try Self.gvtrr(["replay", cut])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasPrefix("note: the capture did not finish cleanly"))
        #expect(run.stdout.contains("journal torn"))
        let until = try Self.gvtrr(["replay", path, "--until", "50"])
        #expect(until.status == 0)
        #expect(until.stdout.contains("stopped after #50 as asked (--until)"))
    }
}
