import Foundation
import Testing

@Suite struct VerifyCommandTests {
    @Test func aCleanJournalIsOK() throws {
        let path = try SampleJournal.write(rounds: 3)
        let result = try runGVTRR(["verify", path])
        #expect(result.status == 0)
        #expect(result.stdout == "\(path): ok: 21 events, 0 pages in 1 frames, complete\n")
    }

    @Test func damageNamesTheOffsetAndTheLastGoodEventAndSalvageRepairs() throws {
        let path = try SampleJournal.write(rounds: 30, eventsPerFrame: 50)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let middle = bytes.count / 2
        bytes[middle] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        let result = try runGVTRR(["verify", path])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("\(path): damaged at byte offset "))
        #expect(lines[1].hasPrefix("last good event: #"))
        #expect(lines.last == "to keep what is readable: gvtrr verify \(path) --salvage FIXED.gvtj")

        let fixed = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("fixed.gvtj").path
        let salvage = try runGVTRR(["verify", path, "--salvage", fixed])
        #expect(salvage.status == 1)
        #expect(salvage.stdout.contains("into \(fixed) (a complete journal)"))
        let again = try runGVTRR(["verify", fixed])
        #expect(again.status == 0)
        #expect(again.stdout.contains("complete"))
    }

    @Test func anIncompleteJournalExitsOneWithTheSalvageHint() throws {
        let path = try SampleJournal.write(rounds: 2, close: false)
        let result = try runGVTRR(["verify", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("incomplete: the capture did not finish cleanly"))
        #expect(result.stdout.contains("all 14 events in 1 frames are readable"))
    }

    @Test func salvagingOntoItselfOrUnreadableInputExitsTwo() throws {
        let path = try SampleJournal.write()
        let same = try runGVTRR(["verify", path, "--salvage", path])
        #expect(same.status == 2)
        #expect(same.stderr.contains("--salvage must name a new file"))
        let missing = try runGVTRR(["verify", "/nonexistent/x.gvtj"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read journal /nonexistent/x.gvtj"))
    }

    @Test func everyTruncationOfAJournalIsHandled() throws {
        let path = try SampleJournal.write(rounds: 10, eventsPerFrame: 20)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cutPath = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("cut.gvtj").path
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: cutPath))
            // verify: never clean; its message names the file.
            let verify = try runGVTRR(["verify", cutPath])
            #expect([1, 2].contains(verify.status), "verify cut at \(cut): \(verify.status)")
            #expect((verify.stdout + verify.stderr).contains(cutPath), "verify cut at \(cut)")
            // info and dump: 0 when every event is readable (only the trailer is cut), else 1 or 2 with a message.
            for verb in ["info", "dump"] {
                let result = try runGVTRR([verb, cutPath])
                #expect([0, 1, 2].contains(result.status), "\(verb) cut at \(cut): \(result.status)")
                if result.status == 0 {
                    if verb == "info" { #expect(result.stdout.contains("state: incomplete"), "info cut at \(cut)") }
                } else {
                    #expect(result.stderr.contains(cutPath), "\(verb) cut at \(cut)")
                }
            }
        }
    }
}
