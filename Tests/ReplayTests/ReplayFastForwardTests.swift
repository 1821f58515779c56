import Foundation
import Journal
import Testing
@testable import Replay

/// A seek that fast-forwards (no checks behind the frontier) lands in exactly the state, and
/// with exactly the result, of a straight checked replay at the same entry.
@Suite(.serialized) struct ReplayFastForwardTests {
    /// What a replay has found and where it is after one entry.
    struct Point: Equatable {
        var lastSequence: UInt64
        var events: UInt64
        var inputs: UInt64
        var verdicts: [Verdict]
        var hangs: [UInt64]
        var isolations: [UInt64]
        var divergences: [Divergence]
        var digest: String
    }

    static func point(_ replayer: Replayer) -> Point {
        let r = replayer.result
        return Point(lastSequence: r.lastSequence, events: r.events, inputs: r.inputs, verdicts: r.verdicts,
                     hangs: r.hangs.map(\.sequence), isolations: r.isolations.map(\.sequence), divergences: r.divergences,
                     digest: replayer.engine.gpu.stateDigest())
    }

    static func golden(_ name: String) -> String {
        GoldenRecordingTests.directory.appendingPathComponent(name + ".gvtj").path
    }

    /// Targets spread over the journal, and the straight replay's point and produced
    /// sequences at the entry holding each.
    static func straight(_ path: String, targets count: Int) throws
        -> (targets: [UInt64], points: [UInt64: Point], produced: [UInt64: [UInt64]], last: UInt64)
    {
        let total = try #require(try JournalReader(path: path).summary().lastSequence)
        // Evenly spread, plus the record after the journal's first verdict (so a cut keeps one).
        var cursor = try JournalReader(path: path).records()
        var firstVerdict: UInt64?
        while firstVerdict == nil, let record = try cursor.next() {
            if record.event.verdict != nil { firstVerdict = record.sequence }
        }
        let spread = (1...count).map { max(1, total * UInt64($0) / UInt64(count + 1)) }
        let targets = (spread + [firstVerdict.map { $0 + 1 }].compactMap { $0 }).sorted()
        let replayer = try Replayer(reader: JournalReader(path: path))
        var points: [UInt64: Point] = [:]
        var produced: [UInt64: [UInt64]] = [:]
        var next = 0
        while let entry = try replayer.step() {
            produced[entry.input.sequence] = entry.produced.map(\.sequence)
            while next < targets.count, replayer.result.lastSequence >= targets[next] {
                points[targets[next]] = point(replayer)
                next += 1
            }
        }
        return (targets, points, produced, replayer.result.lastSequence)
    }

    @Test(arguments: ["fuzz", "hang-bb-loop", "iso-2019-gvt2018", "iso-cmd-ggtt"])
    func seeksBehindTheFrontierLandAsAStraightReplayDoes(_ name: String) throws {
        let path = Self.golden(name)
        let reference = try Self.straight(path, targets: 5)
        #expect(reference.points.values.contains { !$0.verdicts.isEmpty }, "the journal has verdicts to cut")

        let replayer = try Replayer(reader: JournalReader(path: path))
        replayer.checkpoints = CheckpointStore(interval: 40, limit: 16)
        try replayer.run()
        var fastForwarded = 0
        // Backwards, then forwards again: every seek restores a checkpoint behind the frontier.
        for target in reference.targets.reversed() + reference.targets {
            if let best = replayer.checkpoints?.latest(atOrBefore: target) { try replayer.restore(best) }
            fastForwarded += try replayer.fastForward(before: target)
            let entry = try #require(try replayer.step())
            while replayer.result.lastSequence < target { _ = try replayer.step() }
            #expect(Self.point(replayer) == reference.points[target], "\(name): seek to #\(target)")
            #expect(entry.produced.map(\.sequence) == reference.produced[entry.input.sequence],
                    "\(name): the recorder numbers the target's entry as the straight replay did")
            #expect(entry.divergences.isEmpty)
        }
        #expect(fastForwarded > 0, "seeks crossed entries without checks")
        // And on to the end from the last seek: the same end state as the straight replay.
        while try replayer.step() != nil {}
        #expect(replayer.result.lastSequence == reference.last)
        #expect(!replayer.result.diverged)
    }

    @Test func seekUsesFastForwardAndGivesTheStraightResult() throws {
        let path = Self.golden("fuzz")
        let reference = try Self.straight(path, targets: 3)
        let replayer = try Replayer(reader: JournalReader(path: path))
        replayer.checkpoints = CheckpointStore(interval: 40, limit: 16)
        try replayer.run()
        for target in reference.targets.reversed() {
            try replayer.seek(to: target)
            #expect(Self.point(replayer) == reference.points[target], "seek to #\(target)")
        }
    }

    @Test func nothingIsFastForwardedBeyondTheFrontier() throws {
        let path = Self.golden("hang-bb-loop")
        let replayer = try Replayer(reader: JournalReader(path: path))
        #expect(try replayer.fastForward(before: 500) == 0, "a fresh replay has checked nothing yet")
        try replayer.seek(to: 300)
        let here = replayer.result.lastSequence
        #expect(try replayer.fastForward(before: here + 200) == 0, "past the furthest checked entry")
        // Back to the start: behind the frontier now, so entries before #100's go unchecked.
        try replayer.restore(try #require(replayer.initialCheckpoint))
        #expect(try replayer.fastForward(before: 100) > 0)
        #expect(replayer.result.lastSequence < 100)
        try replayer.seek(to: 100)
        #expect(replayer.result.lastSequence >= 100 && replayer.result.lastSequence < here)
    }

    @Test func nothingIsFastForwardedWhileEmittingAJournal() throws {
        let path = Self.golden("smoke")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-ff-\(UUID()).gvtj").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let reader = try JournalReader(path: path)
        var options = ReplayOptions()
        options.emit = try JournalWriter(path: out, header: reader.header)
        let replayer = try Replayer(reader: reader, options: options)
        try replayer.run()
        if let start = replayer.initialCheckpoint { try replayer.restore(start) }
        #expect(try replayer.fastForward(before: replayer.result.lastSequence + 50) == 0)
    }

    @Test func cuttingKeepsWhatWasFoundUpToTheSequence() {
        var later = ReplayResult()
        later.lastSequence = 900
        later.divergences = [Divergence(sequence: 400, inputSequence: 398, input: "in", kind: "k", vgpu: nil, engine: nil,
                                        recorded: "a", replayed: "b")]
        later.verdicts = [Verdict(seq: 10, kind: .hang, vgpu: nil, detail: "x"), Verdict(seq: 500, kind: .reset, vgpu: 1, detail: "y")]
        var now = ReplayResult()
        now.cut(to: later, through: 450)
        #expect(now.divergences.map(\.sequence) == [400])
        #expect(now.verdicts.map(\.seq) == [10])
        now.cut(to: later, through: 9)
        #expect(now.divergences.isEmpty && now.verdicts.isEmpty)
    }
}

extension ReplayFastForwardTests {
    @Test func aDivergenceStopsTheFastForwardBeforeIt() throws {
        // Recorded under the 2018 revision, replayed under the current one: outputs differ.
        var options = ReplayOptions()
        options.revision = .current
        options.keepGoing = true
        let replayer = try Replayer(reader: JournalReader(path: Self.golden("iso-2019-gvt2018")), options: options)
        try replayer.run()
        let first = try #require(replayer.result.firstDivergence, "the revisions disagree somewhere")
        let start = try #require(replayer.initialCheckpoint)
        try replayer.restore(start)
        #expect(try replayer.fastForward(before: replayer.result.lastSequence + first + 1) == 0,
                "beyond a divergence the recorder's numbering is not the journal's")
        try replayer.restore(start)
        #expect(try replayer.fastForward(before: first) > 0, "up to the divergence it applies")
        #expect(replayer.result.divergences.isEmpty)
    }
}
