import Bench
import Foundation
import GPUModel
import Journal
import Mediator
import Testing
@testable import Recorder
@testable import Replay

/// The product's promise end to end: a live bench (real threads, real timing) recorded by the
/// shim replays against a fresh engine with zero divergence.
@Suite(.serialized) struct LiveRecordReplayTests {
    /// Records `scenario` into a temporary journal and returns its path and the bench report.
    static func record(_ scenario: String, ops: Int = 6, seed: UInt64 = 7, revision: MediatorRevision? = nil)
        throws -> (path: String, report: ScenarioReport)
    {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-\(scenario)-\(UUID().uuidString).gvtj").path
        let box = RecorderBox()
        var parameters = ScenarioParameters(ops: ops, seed: seed, revision: revision)
        parameters.prepare = EnginePreparation { engine in
            let header = RecordingHeader.make(configuration: engine.mediator.configuration, bench: scenario,
                                              parameters: ["ops": "\(ops)"], vms: [], oracle: false)
            let writer = try BackgroundJournalWriter(path: path, header: header)
            let recorder = Recorder(sink: writer)
            box.set(writer, recorder)
            engine.attach(recorder)
        }
        let report = try #require(Scenarios.named(scenario)).run(parameters)
        let (writer, recorder) = try #require(box.get())
        #expect(recorder.failure == nil)
        _ = try writer.close()
        return (path, report)
    }

    @Test func smokeRecordingReplaysWithoutDivergence() throws {
        let (path, report) = try Self.record("smoke")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(report.workloadsCompleted > 0)
        let reader = try JournalReader(path: path)
        let replayer = try Replayer(reader: reader)
        let result = try replayer.run()
        #expect(result.divergences.isEmpty, "\(result.divergences.first.map(\.description) ?? "")")
        #expect(result.inputs > 100)
        #expect(result.meets(.clean))
    }
}

/// Holds the writer and recorder made inside the bench's preparation.
final class RecorderBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (BackgroundJournalWriter, Recorder)?
    func set(_ writer: BackgroundJournalWriter, _ recorder: Recorder) {
        lock.lock()
        value = (writer, recorder)
        lock.unlock()
    }
    func get() -> (BackgroundJournalWriter, Recorder)? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

extension LiveRecordReplayTests {
    /// Copies a journal record by record (pages included), letting `change` alter events.
    static func copy(_ path: String, to out: String, change: (JournalRecord) -> JournalEvent) throws {
        let reader = try JournalReader(path: path)
        let writer = try JournalWriter(path: out, header: reader.header)
        let cursor = try reader.records()
        while let record = try cursor.next() {
            var event = change(record)
            if case let .guestPageWritten(v, frame, key) = event {
                event = .guestPageWritten(vgpu: v, frame: frame, page: try writer.storePage(try reader.page(key)))
            }
            try writer.append(JournalRecord(sequence: record.sequence, time: record.time, event: event))
        }
        _ = try writer.close()
    }

    @Test func anAlteredOutputDivergesExactlyThere() throws {
        let (path, _) = try Self.record("smoke", ops: 4)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Alter the 3rd host GGTT write and the value of the 40th MMIO read.
        var ggttSeen = 0, readsSeen = 0
        var alteredGGTT: UInt64 = 0
        let altered = path + ".altered"
        defer { try? FileManager.default.removeItem(atPath: altered) }
        try Self.copy(path, to: altered) { record in
            switch record.event {
            case let .ggttWrite(v, index, guest, host):
                ggttSeen += 1
                if ggttSeen == 3 {
                    alteredGGTT = record.sequence
                    return .ggttWrite(vgpu: v, index: index, guestPTE: guest, hostPTE: host ^ 0x1000)
                }
            case .mmioRead:
                readsSeen += 1
            default:
                break
            }
            return record.event
        }
        let result = try Replayer(reader: JournalReader(path: altered)).run()
        #expect(result.divergences.count == 1)
        let divergence = try #require(result.divergences.first)
        #expect(divergence.sequence == alteredGGTT)
        #expect(divergence.kind == "ggtt-write")
        #expect(result.stoppedEarly != nil)
        // The untouched journal does not diverge.
        #expect(try Replayer(reader: JournalReader(path: path)).run().divergences.isEmpty)
    }
}
