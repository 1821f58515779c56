import Foundation
import Journal
import Testing

/// Damage to a journal recorded on a live bench: truncated at every frame boundary, inside
/// frames, and with bit flips. No verb crashes or hangs; everything before the damage is
/// read; messages name the offset.
@Suite(.serialized) struct RecordedJournalDamageTests {
    /// A recorded smoke journal with small frames (several boundaries to cut at).
    static func recorded() throws -> (path: String, bytes: [UInt8], frames: [JournalIndex.Frame], events: UInt64) {
        let path = RecordCommandTests.temporaryPath("damage")
        let result = try runGVTRR(["record", "--bench", "smoke", "--ops", "2", "--frame-events", "150", "-o", path])
        #expect(result.status == 0, "\(result.stderr)")
        let reader = try JournalReader(path: path)
        let frames = try reader.index().frames
        let events = try reader.summary().events
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try? FileManager.default.removeItem(atPath: path)
        return (path, bytes, frames, events)
    }

    /// Runs info, dump and verify on `bytes`; each must exit 0, 1 or 2 (never a signal) and,
    /// when it reports damage, name a byte offset.
    static func checkVerbs(_ bytes: [UInt8], what: String) throws -> (verify: CLIResult, dumpLines: Int) {
        let path = RecordCommandTests.temporaryPath("damaged")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var verify: CLIResult?
        var dumpLines = 0
        for verb in [["info", path], ["info", path, "--json"], ["dump", path], ["verify", path]] {
            let result = try runGVTRR(verb)
            #expect([0, 1, 2].contains(result.status), "\(what): \(verb[0]) exited \(result.status): \(result.stderr)")
            let text = result.stderr + result.stdout
            if text.contains("is damaged") || text.contains("damaged at") {
                #expect(text.contains("byte offset"), "\(what): \(verb[0]) \(text)")
            }
            if verb[0] == "dump" { dumpLines = result.stdout.split(separator: "\n").count }
            if verb[0] == "verify" { verify = result }
        }
        return (verify!, dumpLines)
    }

    @Test func truncatedAtEveryFrameBoundaryEverythingBeforeIsRead() throws {
        let (_, bytes, frames, _) = try Self.recorded()
        #expect(frames.count > 3)
        var eventsBefore: UInt64 = 0
        for frame in frames {
            let cut = Int(frame.offset)
            let (verify, dumpLines) = try Self.checkVerbs(Array(bytes[..<cut]), what: "cut at \(cut)")
            #expect(verify.status == 1)
            #expect(verify.stdout.contains("\(eventsBefore) events"), "cut at \(cut): \(verify.stdout)")
            #expect(dumpLines == Int(eventsBefore))
            eventsBefore += frame.events
        }
    }

    @Test func truncatedInsideFramesTheMessageNamesTheFrame() throws {
        let (_, bytes, frames, _) = try Self.recorded()
        var rng = SystemRandomNumberGenerator()
        var eventsBefore: UInt64 = 0
        for frame in frames.prefix(4) {
            let inside = Int(frame.offset) + Int.random(in: 1..<Int(frame.length), using: &rng)
            let (verify, dumpLines) = try Self.checkVerbs(Array(bytes[..<inside]), what: "cut at \(inside)")
            #expect(verify.status == 1)
            #expect(verify.stdout.contains("damaged at byte offset \(frame.offset)"), "cut at \(inside): \(verify.stdout)")
            #expect(verify.stdout.contains("\(eventsBefore) events before the damage are readable"))
            #expect(dumpLines == Int(eventsBefore))
            eventsBefore += frame.events
        }
    }

    @Test func bitFlipsAreFoundAndNothingCrashes() throws {
        let (_, bytes, frames, events) = try Self.recorded()
        var rng = SystemRandomNumberGenerator()
        let framesEnd = Int(frames.last!.offset + frames.last!.length)
        for _ in 0..<6 {
            var damaged = bytes
            let at = Int.random(in: Int(frames[0].offset)..<framesEnd, using: &rng)
            damaged[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            let (verify, dumpLines) = try Self.checkVerbs(damaged, what: "flip at \(at)")
            #expect(verify.status == 1, "flip at \(at): \(verify.stdout)")
            let frame = try #require(frames.last { Int($0.offset) <= at })
            #expect(verify.stdout.contains("damaged at byte offset \(frame.offset)"), "flip at \(at): \(verify.stdout)")
            #expect(UInt64(dumpLines) <= events)
        }
        // Flips in the trailer and the header are found too.
        for at in [bytes.count - 3, framesEnd + 20, 30] {
            var damaged = bytes
            damaged[at] ^= 0x10
            let (verify, _) = try Self.checkVerbs(damaged, what: "flip at \(at)")
            #expect(verify.status != 0, "flip at \(at): \(verify.stdout)")
        }
    }
}
