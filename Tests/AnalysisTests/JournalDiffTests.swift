import Foundation
import GPUModel
import Journal
import Mediator
import Replay
import Testing
@testable import Analysis

/// Diffs of a recording against itself and against replays of it under another
/// configuration or revision.
@Suite(.serialized) struct JournalDiffTests {
    static func all() -> DiffOptions {
        var options = DiffOptions()
        options.examplesPerCategory = 100_000
        return options
    }

    @Test func aJournalAgainstItselfHasNoDifference() throws {
        let path = try AnalysisRecording.record("smoke", ops: 3)
        defer { AnalysisRecording.remove(path) }
        let report = try JournalDiff.run(path, path)
        #expect(report.mode == .aligned)
        #expect(report.same)
        #expect(report.first == nil)
        #expect(report.entriesA == report.entriesB && report.entriesA > 100)
        #expect(report.matchedEntries == report.entriesA)
        #expect(report.text.contains("no difference in behaviour"))
    }

    @Test func aReplayUnderTheRecordedConfigurationHasNoDifference() throws {
        let path = try AnalysisRecording.record("smoke", ops: 3)
        let (emitted, result) = try AnalysisRecording.emit(path)
        defer { AnalysisRecording.remove(path, emitted) }
        #expect(!result.diverged)
        let report = try JournalDiff.run(path, emitted)
        #expect(report.mode == .aligned)
        #expect(report.same, "\(report.text)")
    }

    @Test func anotherSchedulerPolicyShowsSchedulerDifferencesWhereReplayDiverges() throws {
        let path = try AnalysisRecording.record("multi-vm", ops: 4, vms: 2)
        defer { AnalysisRecording.remove(path) }
        var configuration = ReplayEmission.recordedConfiguration(try JournalReader(path: path).header)
        configuration.schedulerPolicy = .roundRobin
        var options = ReplayOptions()
        options.configuration = configuration
        let (emitted, _) = try AnalysisRecording.emit(path, options: options)
        defer { AnalysisRecording.remove(emitted) }
        // Where a replay under round robin diverges, entry by entry.
        options.keepGoing = true
        let replay = try Replayer(reader: JournalReader(path: path), options: options).run()
        let divergedEntries = Set(replay.divergences.map(\.inputSequence))
        #expect(!divergedEntries.isEmpty)

        let report = try JournalDiff.run(path, emitted, options: Self.all())
        #expect(report.mode == .aligned)
        #expect(!report.same)
        let scheduler = try #require(report.categories.first { $0.category == .scheduler })
        #expect(scheduler.count > 0)
        // The first scheduler difference is a scheduler decision, shown with its run queue.
        let example = try #require(scheduler.examples.first)
        #expect(example.kind == "scheduler-decision")
        #expect((example.a ?? example.b ?? "").contains("queue:"))
        // Differences sit exactly in the entries where replay diverges.
        let differing = Set(report.categories.flatMap(\.examples).compactMap(\.inputA))
        #expect(differing == divergedEntries)
        #expect(report.first?.inputA == divergedEntries.min())
        // Filtering keeps the scheduler only.
        var filtered = Self.all()
        filtered.categories = [.scheduler]
        let only = try JournalDiff.run(path, emitted, options: filtered)
        #expect(only.categories.map(\.category) == [.scheduler])
        #expect(only.differences == scheduler.count)
    }

    @Test func theEarlierRevisionOnIso2019DiffersAtTheAttackEvents() throws {
        let path = try AnalysisRecording.record("iso-2019", ops: 2)
        var options = ReplayOptions()
        options.revision = .gvt2018
        let (emitted, _) = try AnalysisRecording.emit(path, options: options)
        defer { AnalysisRecording.remove(path, emitted) }
        // The attack writes: the GFX_MODE (RING_MODE) privilege-disable bit and CSFE_CHICKEN1's cross-engine bits.
        let mode = MMIOOffset.ring(.mode, .rcs).rawValue, chicken = GPU.csfeChicken1.rawValue
        let bits = UInt64(GPU.crossEngineAccessBits)
        var attackInputs: [UInt64] = []
        let cursor = try JournalReader(path: path).records()
        while let record = try cursor.next() {
            guard case let .mmioWrite(trap) = record.event else { continue }
            if (trap.offset == mode && trap.value & 0x1_0001 == 0x1_0001) || (trap.offset == chicken && trap.value & bits != 0) {
                attackInputs.append(record.sequence)
            }
        }
        #expect(attackInputs.count >= 2)

        let report = try JournalDiff.run(path, emitted, options: Self.all())
        #expect(report.mode == .aligned)
        let first = try #require(report.first)
        #expect(first.inputA == attackInputs.first, "\(report.text)")
        let differing = Set(report.categories.flatMap(\.examples).compactMap(\.inputA))
        for attack in attackInputs { #expect(differing.contains(attack), "attack write #\(attack) \(differing.count)") }
        #expect(report.context.count == 5)
        #expect(report.text.contains("- A #"))
        // JSON for CI.
        let json = try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any]
        #expect(json?["differences"] as? Int == Int(report.differences))
    }

    @Test func unreadableInputIsAnErrorNamingTheFile() throws {
        let path = AnalysisRecording.temporaryPath("garbage")
        try Data("not a journal".utf8).write(to: URL(fileURLWithPath: path))
        defer { AnalysisRecording.remove(path) }
        #expect(throws: JournalError.self) { try JournalDiff.run(path, path) }
        do {
            _ = try JournalDiff.run(path, path)
        } catch {
            #expect(error.description.contains(path))
        }
    }
}
