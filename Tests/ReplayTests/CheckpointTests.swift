import Foundation
import GPUModel
import Journal
import Mediator
import Testing
@testable import Replay

/// A checkpoint restored and replayed forward gives exactly the state of a straight replay.
@Suite(.serialized) struct CheckpointTests {
    /// Every entry's produced records by input sequence, and the GPU's digest at the end.
    static func straight(_ path: String) throws -> (entries: [UInt64: [JournalEvent]], digest: String, last: UInt64) {
        let replayer = try Replayer(reader: JournalReader(path: path))
        var entries: [UInt64: [JournalEvent]] = [:]
        while let entry = try replayer.step() { entries[entry.input.sequence] = entry.produced.map(\.event) }
        #expect(!replayer.result.diverged)
        return (entries, replayer.engine.gpu.stateDigest(), replayer.result.lastSequence)
    }

    @Test func seekingBackToACheckpointReplaysExactlyTheSame() throws {
        let (path, _) = try LiveRecordReplayTests.record("smoke", ops: 6)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reference = try Self.straight(path)

        let replayer = try Replayer(reader: JournalReader(path: path))
        let store = CheckpointStore(interval: 200, limit: 4)
        replayer.checkpoints = store
        try replayer.run()
        #expect(store.all.count >= 2, "the journal is long enough for several checkpoints")
        #expect(store.all.count <= 4)
        #expect(replayer.engine.gpu.stateDigest() == reference.digest)

        // Back to the middle: from a checkpoint, then forward to the end, entry by entry.
        let middle = reference.last / 2
        let landed = try #require(try replayer.seek(to: middle))
        #expect(landed.input.sequence <= middle && replayer.result.lastSequence >= middle)
        #expect(landed.produced.map(\.event) == reference.entries[landed.input.sequence])
        var compared = 0
        while let entry = try replayer.step() {
            #expect(entry.produced.map(\.event) == reference.entries[entry.input.sequence], "entry #\(entry.input.sequence)")
            compared += 1
        }
        #expect(compared > 0)
        #expect(replayer.engine.gpu.stateDigest() == reference.digest)
        #expect(!replayer.result.diverged)
    }

    @Test func seekingBeforeTheFirstCheckpointStartsOver() throws {
        let (path, _) = try LiveRecordReplayTests.record("smoke", ops: 3)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reference = try Self.straight(path)
        let replayer = try Replayer(reader: JournalReader(path: path))
        try replayer.run()
        let entry = try #require(try replayer.seek(to: 5))
        #expect(entry.input.sequence <= 5 && replayer.result.lastSequence >= 5)
        while try replayer.step() != nil {}
        #expect(replayer.engine.gpu.stateDigest() == reference.digest)
        #expect(!replayer.result.diverged)
    }

    @Test func theStoreThinsToStayWithinItsBudget() throws {
        let (path, _) = try LiveRecordReplayTests.record("smoke", ops: 6)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reference = try Self.straight(path)

        let roomy = CheckpointStore(interval: 20, limit: 10_000, budget: 1 << 40)
        let first = try Replayer(reader: JournalReader(path: path))
        first.checkpoints = roomy
        try first.run()
        #expect(roomy.all.count >= 8, "the journal is long enough for many checkpoints")
        #expect(roomy.interval == 20)
        #expect(roomy.estimatedBytes == roomy.addedBytes.reduce(0, +))
        #expect(roomy.addedBytes.allSatisfy { $0 >= CheckpointStore.fixedBytesPerCheckpoint })
        // Later checkpoints share most storage with the one before them.
        #expect(roomy.addedBytes.dropFirst().max()! < roomy.addedBytes[0])

        // Room for the first checkpoint (the whole state) and a third of what the others add.
        let budget = roomy.addedBytes[0] + (roomy.estimatedBytes - roomy.addedBytes[0]) / 3
        let tight = CheckpointStore(interval: 20, limit: 10_000, budget: budget)
        let replayer = try Replayer(reader: JournalReader(path: path))
        replayer.checkpoints = tight
        try replayer.run()
        #expect(tight.all.count < roomy.all.count)
        #expect(tight.all.count >= 2)
        #expect(tight.estimatedBytes <= budget)
        #expect(tight.interval > 20)
        #expect(tight.all.allSatisfy { $0.inputs % tight.interval == 0 }, "thinning keeps them evenly spaced")
        #expect(zip(tight.all, tight.all.dropFirst()).allSatisfy { $0.lastSequence < $1.lastSequence })

        // Seeking back twice to the same checkpoint replays the same way both times.
        for _ in 0..<2 {
            _ = try replayer.seek(to: reference.last / 3)
            while try replayer.step() != nil {}
            #expect(replayer.engine.gpu.stateDigest() == reference.digest)
            #expect(!replayer.result.diverged)
        }
    }

    @Test func aCheckpointTakenTwiceInARowAddsAlmostNothing() throws {
        let (path, _) = try LiveRecordReplayTests.record("smoke", ops: 3)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replayer = try Replayer(reader: JournalReader(path: path))
        for _ in 0..<200 { _ = try replayer.step() }
        let first = replayer.checkpoint()
        let second = replayer.checkpoint(reusing: first)
        #expect(first.bytesNotShared(with: nil) > 1 << 20, "registers, GGTT chunks and pages")
        #expect(second.bytesNotShared(with: first) < 64 << 10, "only the page table is new")
        #expect(CheckpointStore.bytes(of: second, beyond: first) == second.bytesNotShared(with: first) + CheckpointStore.fixedBytesPerCheckpoint)
    }

    @Test func checkpointsKeepMemoryPagesCompressed() throws {
        let (path, _) = try LiveRecordReplayTests.record("smoke", ops: 3)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replayer = try Replayer(reader: JournalReader(path: path))
        for _ in 0..<200 { _ = try replayer.step() }
        let memory = replayer.checkpoint().engine.gpu.memory
        // Guest rings, batches, contexts and page tables are mostly zeros: LZ4 (PageSnapshotCodec.lz4).
        #expect(memory.pageBytes > 0)
        #expect(memory.storedPageBytes < memory.pageBytes / 2)
    }
}
