import Foundation
import GPUModel
import Journal
import Mediator
import Recorder
import Testing
@testable import Replay

/// Replay of scripted journals: verdicts and their reports, damage, alterations, options,
/// determinism.
@Suite(.serialized) struct ReplayerTests {
    static func replay(_ path: String, _ configure: (inout ReplayOptions) -> Void = { _ in }) throws -> ReplayResult {
        var options = ReplayOptions()
        configure(&options)
        return try Replayer(reader: JournalReader(path: path), options: options).run()
    }

    /// Copies a journal, renumbering, with `change` giving the events that replace each record.
    static func rewrite(_ path: String, change: (JournalRecord) -> [JournalEvent]) throws -> String {
        let out = path + ".rewritten-\(UUID().uuidString).gvtj"
        let reader = try JournalReader(path: path)
        let writer = try JournalWriter(path: out, header: reader.header)
        let cursor = try reader.records()
        var sequence: UInt64 = 0
        while let record = try cursor.next() {
            for var event in change(record) {
                if case let .guestPageWritten(v, frame, key) = event {
                    event = .guestPageWritten(vgpu: v, frame: frame, page: try writer.storePage(try reader.page(key)))
                }
                sequence += 1
                try writer.append(JournalRecord(sequence: sequence, time: record.time, event: event))
            }
        }
        _ = try writer.close()
        return out
    }

    @Test(arguments: ScriptedJournal.allCases)
    func eachScriptReplaysWithoutDivergenceAndWithItsVerdict(_ script: ScriptedJournal) throws {
        let path = try script.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.replay(path)
        #expect(result.divergences.isEmpty, "\(result.divergences.first.map(\.description) ?? "")")
        #expect(result.stoppedEarly == nil)
        switch script {
        case .clean:
            #expect(result.meets(.clean))
            #expect(!result.meets(.hang) && !result.meets(.isolation) && !result.meets(.failsafe))
        case .hang:
            #expect(result.meets(.hang) && !result.meets(.clean) && !result.meets(.isolation))
        case .isolation:
            #expect(result.meets(.isolation) && !result.meets(.clean) && !result.meets(.hang))
        case .failsafe:
            #expect(result.meets(.failsafe) && !result.meets(.clean) && !result.meets(.hang))
        }
    }

    @Test func aHangReportSaysWhereTheEngineIsStuckAndWhoSubmittedIt() throws {
        let path = try ScriptedJournal.hang.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.replay(path)
        let hang = try #require(result.hangs.first)
        #expect(result.hangs.count == 1)
        #expect(hang.engine == .rcs)
        #expect(hang.reason == "semaphore")
        #expect(hang.vgpu != nil && hang.workload != nil)
        #expect(hang.stuckCommand == "MI_SEMAPHORE_WAIT")
        #expect(hang.semaphore?.contains("equal to 0x00000001") == true)
        #expect(hang.buffers.map(\.role) == ["ring", "first-level batch"])
        #expect(hang.buffers.last?.start == 0x50_0000 && hang.buffers.last?.ppgtt == true)
        let submission = try #require(hang.submission)
        #expect(submission.elspWrites.count == 4)
        #expect(submission.created != nil)
        let verdict = try #require(result.verdicts.first { $0.kind == .hang })
        #expect(verdict.vgpu == hang.vgpu)
        #expect(verdict.seq == hang.sequence)
        #expect(verdict.detail.contains("stuck on MI_SEMAPHORE_WAIT"))
        let text = hang.text()
        #expect(text.contains("hang: rcs (semaphore)"))
        #expect(text.contains("MI_SEMAPHORE_WAIT (4 dwords)  <== ACTHD"))
        #expect(text.contains("MI_BATCH_BUFFER_START"))  // the ring around HEAD
        #expect(text.contains("mov dword ptr [rax], ecx"))  // the guest's ELSP write, disassembled
        let libdrm = hang.text(decoder: .libdrm)
        #expect(libdrm.contains("MI_SEMAPHORE_WAIT") || libdrm.contains("0x"))  // libdrm_intel's view of the same dwords
        #expect(libdrm != text)
    }

    @Test func anIsolationReportNamesTheCauseWhatWasTouchedAndTheResponse() throws {
        let path = try ScriptedJournal.isolation.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.replay(path)
        let finding = try #require(result.isolations.first)
        #expect(finding.kind == "engineWrite")
        #expect(finding.victim == "host")
        #expect(finding.cause.hasPrefix("#"))
        #expect(finding.touched.contains("host frame"))
        #expect(!finding.response.isEmpty)
        #expect(result.verdicts.contains { $0.kind == .isolation && $0.seq == finding.sequence })
        // Replayed under the fixed revision, the same inputs no longer break isolation (the store is
        // redirected to the guest's own status page, which no recorded output shows).
        let fixed = try Self.replay(path) { $0.revision = .current; $0.keepGoing = true }
        #expect(!fixed.meets(.isolation))
        #expect(fixed.notes.contains { $0.contains("replaying under revision current") })
    }

    @Test func aTornJournalReplaysUpToItsLastCompleteFrameAndSaysSo() throws {
        let path = try ScriptedJournal.hang.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let full = try Self.replay(path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = path + ".torn"
        defer { try? FileManager.default.removeItem(atPath: cut) }
        try bytes.prefix(bytes.count * 6 / 10).write(to: URL(fileURLWithPath: cut))
        let torn = try Self.replay(cut)
        #expect(torn.divergences.isEmpty)
        #expect(torn.events > 0 && torn.events < full.events)
        #expect(torn.notes.contains { $0.contains("did not finish cleanly") && $0.contains("last complete frame") })
        #expect(torn.torn)
        #expect(torn.stoppedEarly?.contains("replayed up to #") == true)
    }

    @Test func anAlteredReadValueDivergesExactlyThere() throws {
        let path = try ScriptedJournal.clean.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reads = 0
        var altered: UInt64 = 0
        let out = try Self.rewrite(path) { record in
            guard case var .mmioRead(trap) = record.event else { return [record.event] }
            reads += 1
            guard reads == 5 else { return [record.event] }
            altered = record.sequence
            trap.value ^= 0x10
            return [.mmioRead(trap)]
        }
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try Self.replay(out)
        let divergence = try #require(result.divergences.first)
        #expect(result.divergences.count == 1)
        #expect(divergence.sequence == altered && divergence.inputSequence == altered)
        #expect(divergence.kind == "mmio-read")
        #expect(divergence.vgpu != nil)
        #expect(divergence.recorded != divergence.replayed)
        #expect(!divergence.context.isEmpty && divergence.context.count <= Replayer.contextRecords)
        #expect(result.stoppedEarly?.contains("first divergence") == true)
    }

    @Test func anInsertedOutputDivergesExactlyThere() throws {
        let path = try ScriptedJournal.clean.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var inserted: UInt64?
        var sequence: UInt64 = 0
        let out = try Self.rewrite(path) { record in
            sequence += 1
            guard inserted == nil, case .mmioWrite = record.event, sequence > 40 else { return [record.event] }
            inserted = sequence + 1  // the rewrite numbers from 1 with no gaps: the extra record comes next
            return [record.event, .msiInjected(vgpu: 1, address: 0xFEE0_0000, data: 0x41)]
        }
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try Self.replay(out)
        let divergence = try #require(result.divergences.first)
        #expect(divergence.sequence == inserted)
        #expect(divergence.kind == "msi-injected")
        #expect(divergence.recorded?.hasPrefix("msi-injected") == true)
        #expect(divergence.replayed?.hasPrefix("msi-injected") != true)
    }

    @Test func keepGoingListsEveryDivergenceAndUntilStops() throws {
        let path = try ScriptedJournal.clean.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reads = 0
        var altered: [UInt64] = []
        let out = try Self.rewrite(path) { record in
            guard case var .mmioRead(trap) = record.event else { return [record.event] }
            reads += 1
            guard [2, 4, 6].contains(reads) else { return [record.event] }
            altered.append(record.sequence)
            trap.value ^= 0x1
            return [.mmioRead(trap)]
        }
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(try Self.replay(out).divergences.map(\.sequence) == [altered[0]])
        let all = try Self.replay(out) { $0.keepGoing = true }
        #expect(all.divergences.map(\.sequence) == altered)
        #expect(all.stoppedEarly == nil)
        // --until: stops after that input, before the second alteration.
        let until = altered[1] - 1
        let some = try Self.replay(out) { $0.keepGoing = true; $0.until = until }
        #expect(some.divergences.map(\.sequence) == [altered[0]])
        #expect(some.lastSequence >= until && some.lastSequence < altered[1])
        #expect(some.stoppedEarly?.contains("--until") == true)
    }

    /// Replays `path` with `--emit` into memory; returns the emitted bytes.
    static func emitted(_ path: String) throws -> [UInt8] {
        let reader = try JournalReader(path: path)
        let sink = MemoryJournalSink()
        var options = ReplayOptions()
        let configuration = try Replayer.configuration(for: reader.header, options: options).configuration
        let writer = try JournalWriter(sink: sink, header: ReplayEmitHeader.make(from: reader.header, configuration: configuration))
        options.emit = writer
        let result = try Replayer(reader: reader, options: options).run()
        #expect(!result.diverged)
        _ = try writer.close()
        return sink.bytes
    }

    @Test func replayingTwiceEmitsIdenticalJournalsThatReplayClean() throws {
        let path = try ScriptedJournal.hang.record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try Self.emitted(path)
        let second = try Self.emitted(path)
        #expect(first == second)
        let out = path + ".emitted.gvtj"
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Data(first).write(to: URL(fileURLWithPath: out))
        let reader = try JournalReader(path: out)
        #expect(reader.completeness == .complete)
        #expect(reader.header.configuration[ReplayEmitHeader.replayOfKey] != nil)
        let original = try JournalReader(path: path)
        #expect(reader.header.host == original.header.host)
        #expect(reader.header.startTimeUnixNanoseconds == original.header.startTimeUnixNanoseconds)
        // The emitted journal is itself a recording this build replays without divergence.
        let again = try Replayer(reader: reader).run()
        #expect(again.divergences.isEmpty)
        #expect(again.meets(.hang))
        #expect(again.events == (try Self.replay(path)).events)
    }
}
