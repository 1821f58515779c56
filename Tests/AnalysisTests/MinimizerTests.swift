import Foundation
import Journal
import Mediator
import Replay
import Testing
@testable import Analysis

/// Minimisation keeps the verdict and removes the bulk; the result replays without divergence.
@Suite(.serialized) struct MinimizerTests {
    static func minimize(_ path: String, keep: MinimizeTarget, budget: Double = 12) throws -> (String, MinimizeResult) {
        let out = AnalysisRecording.temporaryPath("min")
        var options = MinimizeOptions(keep: keep)
        options.budget = budget
        let minimizer = try Minimizer(reader: JournalReader(path: path), options: options)
        do {
            return (out, try minimizer.run(to: FileJournalSink(path: out)))
        } catch {
            AnalysisRecording.remove(out)  // a refused minimization leaves no empty file behind
            throw error
        }
    }

    /// The result is at most `1/factor` of the original's events, keeps the verdict and replays without divergence.
    static func check(_ out: String, _ result: MinimizeResult, expect kind: Verdict.Kind, factor: UInt64) throws {
        #expect(result.after.events < result.before.events / factor, "\(result.before) → \(result.after)")
        #expect(result.after.guestOperations <= result.before.guestOperations)
        #expect(result.after.bytes < result.before.bytes)
        let replay = try Replayer(reader: JournalReader(path: out)).run()
        #expect(!replay.diverged, "\(replay.divergences.first.map(\.description) ?? "")")
        #expect(replay.meets(kind))
    }

    @Test func aHangJournalKeepsTheHangAndLosesTheBulk() throws {
        let path = try AnalysisRecording.record("hang-semaphore", ops: 12)
        defer { AnalysisRecording.remove(path) }
        let (out, result) = try Self.minimize(path, keep: .hang)
        defer { AnalysisRecording.remove(out) }
        #expect(result.verdict.hasPrefix("hang"))
        try Self.check(out, result, expect: .hang, factor: 4)
    }

    @Test func anIsolationJournalUnderTheEarlierRevisionKeepsTheBreach() throws {
        let path = try AnalysisRecording.record("iso-2019", ops: 2, revision: .gvt2018)
        defer { AnalysisRecording.remove(path) }
        // Isolation candidates run the oracle after every mediator event: slow in a debug
        // build (a release build takes this journal from ~3200 to ~850 events in 1.3 s), so
        // the test asks for a reduction only.
        let (out, result) = try Self.minimize(path, keep: .isolation, budget: 16)
        defer { AnalysisRecording.remove(out) }
        #expect(result.verdict.hasPrefix("isolation"))
        try Self.check(out, result, expect: .isolation, factor: 1)
    }

    @Test func aJournalWithoutTheVerdictDoesNotReproduce() throws {
        let path = try AnalysisRecording.record("smoke", ops: 2)
        defer { AnalysisRecording.remove(path) }
        #expect(throws: MinimizeError.self) { _ = try Self.minimize(path, keep: .hang, budget: 5) }
    }
}
