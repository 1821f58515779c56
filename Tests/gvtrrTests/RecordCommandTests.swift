import Foundation
import Journal
import Testing

/// `gvtrr record` through the built binary: usage errors, a complete journal with its summary,
/// a disk that fails during the capture, and the journal as `lz4 -d` sees it.
@Suite(.serialized) struct RecordCommandTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-rec-\(name)-\(UUID().uuidString).gvtj").path
    }

    /// Records a short smoke bench; returns the journal's path and the run.
    static func recordSmoke(_ extra: [String] = []) throws -> (String, CLIResult) {
        let path = temporaryPath("smoke")
        let result = try runGVTRR(["record", "--bench", "smoke", "--ops", "3", "--seed", "5", "-o", path] + extra)
        return (path, result)
    }

    @Test(arguments: [
        (["record", "--bench", "no-such-bench", "-o", "/tmp/x.gvtj"], "unknown bench 'no-such-bench'"),
        (["record", "--bench", "smoke", "--vms", "0", "-o", "/tmp/x.gvtj"], "--vms must be between 1 and 8"),
        (["record", "--bench", "smoke", "--seconds", "1", "--ops", "3", "-o", "/tmp/x.gvtj"], "give --seconds or --ops, not both"),
        (["record", "--bench", "smoke", "--seconds", "0", "-o", "/tmp/x.gvtj"], "--seconds must be more than 0"),
        (["record", "--bench", "smoke", "--revision", "gvt-1999", "-o", "/tmp/x.gvtj"], "unknown revision 'gvt-1999'"),
        (["record", "--bench", "smoke", "--types", "GVTg_V9_9", "-o", "/tmp/x.gvtj"], "unknown vGPU type 'GVTg_V9_9'"),
        (["record", "--bench", "smoke"], "--output"),
    ])
    func badFlagsExitTwoWithAMessage(arguments: [String], message: String) throws {
        let result = try runGVTRR(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func anUnwritableOutputExitsTwoNamingIt() throws {
        let missing = "/nonexistent-dir-\(UUID().uuidString)/x.gvtj"
        let result = try runGVTRR(["record", "--bench", "smoke", "--ops", "2", "-o", missing])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot write \(missing)"))
        if FileManager.default.fileExists(atPath: "/dev/full") {
            let full = try runGVTRR(["record", "--bench", "smoke", "--ops", "2", "-o", "/dev/full"])
            #expect(full.status == 2)
            #expect(full.stderr.contains("cannot write /dev/full"))
            #expect(full.stderr.contains("No space left on device"))
        }
    }

    @Test func aRecordingIsCompleteReadableAndSummarised() throws {
        let (path, result) = try Self.recordSmoke()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("journal: \(path) (complete)"))
        #expect(result.stdout.contains("bytes/event: "))
        #expect(result.stdout.contains("events by kind:"))
        #expect(result.stdout.contains("  mmio-write "))
        #expect(result.stdout.contains("verdicts seen live: none"))
        #expect(result.stdout.contains("smoke seed 5 revision current: 1 VM(s)"))
        // Not a terminal: no progress line.
        #expect(!result.stderr.contains("recording smoke"))

        let reader = try JournalReader(path: path)
        #expect(reader.completeness == .complete)
        #expect(reader.header.bench == "smoke")
        #expect(reader.header.benchParameters["ops"] == "3")
        #expect(reader.header.configuration["oracle"] == "off")
        let summary = try reader.summary()
        #expect(summary.vms?.map(\.vgpuType) == ["GVTg_V5_4"])
        #expect(result.stdout.contains("events: \(summary.events), "))

        let info = try runGVTRR(["info", path, "--json"])
        #expect(info.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        #expect((json["events"] as? NSNumber)?.uint64Value == summary.events)
        #expect((json["bytes"] as? NSNumber)?.uint64Value == reader.fileSize)
        #expect(json["complete"] as? Bool == true)
        #expect(json["bench"] as? String == "smoke")
        #expect(json["revision"] as? String == "current")
        #expect((json["vms"] as? [[String: Any]])?.first?["vgpuType"] as? String == "GVTg_V5_4")

        let verify = try runGVTRR(["verify", path])
        #expect(verify.status == 0)
    }

    @Test func withTheOracleTheHeaderSaysSo() throws {
        let (path, result) = try Self.recordSmoke(["--oracle", "--revision", "gvt-2018"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(result.status == 0, "\(result.stderr)")
        let reader = try JournalReader(path: path)
        #expect(reader.header.configuration["oracle"] == "on")
        #expect(reader.header.revision == "gvt-2018")
    }

    @Test func dumpNamesRegistersDecodesELSPAndDisassembles() throws {
        let (path, result) = try Self.recordSmoke()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(result.status == 0)
        let dump = try runGVTRR(["dump", path])
        #expect(dump.status == 0)
        let lines = dump.stdout.split(separator: "\n")
        let elsp = try #require(lines.first { $0.contains("RING_ELSP") && $0.contains("submit=[") })
        #expect(elsp.contains("elsp=4/4"))
        #expect(elsp.contains("lrca 0x"))
        #expect(elsp.contains("asm=\"mov dword ptr ["))
        #expect(lines.contains { $0.contains("timer-expiry timer=scheduler-tick") })
        #expect(lines.contains { $0.contains("scheduler-decision") && $0.contains("reason=") && $0.contains("/") })
        #expect(lines.contains { $0.contains(" note ") && $0.contains("topic=") && !$0.contains("topic=topic-") })
        let json = try runGVTRR(["dump", path, "--kind", "timer-expiry", "--count", "1", "--json"])
        // Which timer fired first depends on the live run's timing: any of them, by name.
        #expect(["scheduler-tick", "vblank", "hangcheck", "gpu-slice"].contains { json.stdout.contains("\"timerName\":\"\($0)\"") })
    }

    @Test func aDiskFailingDuringTheCaptureStopsItAndKeepsWhatWasWritten() throws {
        let path = Self.temporaryPath("full")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let started = Date()
        let result = try runGVTRR(["record", "--bench", "multi-vm", "--seconds", "20", "--frame-events", "500",
                                   "--fail-after-bytes", "20000", "-o", path])
        #expect(result.status == 1, "\(result.stderr)")
        // The guests stop at once instead of running their 20 seconds.
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(result.stderr.contains("capture stopped: writing journal \(path) failed at byte offset"))
        #expect(result.stderr.contains("No space left on device"))
        let marker = "last record written: #"
        let line = try #require(result.stderr.split(separator: "\n").first { $0.contains(marker) })
        let last = try #require(UInt64(line.split(separator: "#")[1].prefix { $0.isNumber }))
        #expect(result.stdout.contains("(incomplete)"))

        let reader = try JournalReader(path: path)
        #expect(!reader.completeness.isComplete)
        let scan = try reader.scan()
        #expect(scan.damage == nil)
        #expect(scan.summary.lastSequence == last)
        #expect(scan.summary.events == last)
        let verify = try runGVTRR(["verify", path])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("all \(last) events"))
    }

    /// The path of the `lz4` command, if installed.
    static let lz4: String? = ["/usr/bin/lz4", "/usr/local/bin/lz4", "/bin/lz4"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: lz4 != nil, "the lz4 command is missing (tools/install-deps installs it)"))
    func lz4DecompressesARecordedJournalIntoTheRawEventStream() throws {
        let (path, result) = try Self.recordSmoke(["--frame-events", "300"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(result.status == 0)
        let reader = try JournalReader(path: path)
        var raw: [UInt8] = []
        var frames = 0
        let damage = try reader.forEachRawFrame { raw += $0; frames += 1 }
        #expect(damage == nil)
        #expect(frames > 1)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.lz4!)
        process.arguments = ["-d", "-c", path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(data.count == raw.count)
        #expect(Array(data) == raw)
    }
}
