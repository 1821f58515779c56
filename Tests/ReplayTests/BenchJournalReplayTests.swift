import Bench
import Foundation
import Journal
import Mediator
import Testing
@testable import Replay

/// Every bench scenario, recorded live, replays with zero divergence and the verdict the
/// scenario is about.
@Suite(.serialized) struct BenchJournalReplayTests {
    static func replay(_ scenario: String, ops: Int, revision: MediatorRevision? = nil) throws
        -> (result: ReplayResult, report: ScenarioReport)
    {
        let (path, report) = try LiveRecordReplayTests.record(scenario, ops: ops, revision: revision)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Replayer(reader: JournalReader(path: path)).run()
        #expect(result.divergences.isEmpty, "\(scenario): \(result.divergences.first.map(\.description) ?? "")")
        return (result, report)
    }

    @Test func multiVM() throws {
        let (result, report) = try Self.replay("multi-vm", ops: 8)
        #expect(report.workloadsCompleted > 0)
        #expect(result.meets(.clean))
    }

    @Test(arguments: ["hang-semaphore", "hang-bb-loop"])
    func hangs(_ scenario: String) throws {
        let (result, report) = try Self.replay(scenario, ops: 8)
        #expect(report.gpuHangs >= 1)
        #expect(result.meets(.hang))
        #expect(result.verdicts.contains { $0.kind == .reset })
    }

    @Test func isolationUnderTheEarlierRevision() throws {
        let (result, report) = try Self.replay("iso-2019", ops: 4, revision: .gvt2018)
        #expect(!report.breaches.isEmpty)
        #expect(result.meets(.isolation))
    }

    @Test func isolationIsBlockedUnderCurrent() throws {
        let (result, _) = try Self.replay("iso-2019", ops: 4)
        #expect(!result.meets(.isolation), "\(result.verdicts.filter { $0.kind == .isolation }.map(\.detail))")
    }

    @Test func fuzz() throws {
        let (result, _) = try Self.replay("fuzz", ops: 40)
        #expect(result.inputs > 0)
        #expect(!result.meets(.isolation), "\(result.verdicts.filter { $0.kind == .isolation }.map(\.detail).prefix(3))")
    }
}
