import Foundation
import Testing
@testable import Journal

/// A sink that blocks each append until the test lets it through (a slow disk).
final class GatedSink: JournalSink, @unchecked Sendable {
    let destination = "slow-disk"
    let memory = MemoryJournalSink()
    let gate = DispatchSemaphore(value: 0)
    let lock = NSLock()
    private var _appends = 0
    var appends: Int { lock.withLock { _appends } }
    var gated = false
    func append(_ bytes: [UInt8]) throws {
        if lock.withLock({ gated }) { gate.wait() }
        lock.withLock { _appends += 1 }
        try memory.append(bytes)
    }
    func overwrite(_ bytes: [UInt8], at offset: UInt64) throws { try memory.overwrite(bytes, at: offset) }
    func synchronize() throws {}
    func close() throws {}
}

@Suite struct BackgroundJournalWriterTests {
    @Test func writesTheSameEventsAsTheSynchronousWriter() throws {
        let records = Fixtures.records(5_000)
        let sink = MemoryJournalSink()
        let writer = try BackgroundJournalWriter(sink: sink, header: Fixtures.header, options: Fixtures.options(events: 100))
        for r in records { try writer.append(r) }
        let summary = try writer.close()
        #expect(summary.events == 5_000)
        let (read, damage) = try Fixtures.readAll(sink.bytes)
        #expect(damage == nil)
        #expect(read == records)
        // Same bytes as the synchronous writer: the format does not depend on who compresses.
        #expect(sink.bytes == (try Fixtures.journal(records, options: Fixtures.options(events: 100))))
    }

    @Test func aSlowDiskBlocksAppendInsteadOfDroppingEvents() throws {
        let sink = GatedSink()
        var options = Fixtures.options(events: 10)
        options.queuedFrames = 2
        let writer = try BackgroundJournalWriter(sink: sink, header: Fixtures.header, options: options)
        sink.lock.withLock { sink.gated = true }
        let done = DispatchSemaphore(value: 0)
        let appended = ManagedCounter()
        let records = Fixtures.records(100)
        DispatchQueue.global().async {
            for r in records {
                try? writer.append(r)
                appended.increment()
            }
            done.signal()
        }
        // With the disk stalled, at most (queue + the frame being written + the open frame) frames fit.
        #expect(done.wait(timeout: .now() + 0.5) == .timedOut)
        #expect(appended.value <= 10 * 4)
        for _ in 0..<20 { sink.gate.signal() }
        done.wait()
        sink.lock.withLock { sink.gated = false }
        sink.gate.signal()
        try writer.close()
        let (read, _) = try Fixtures.readAll(sink.memory.bytes)
        #expect(read == records)
    }

    @Test func aWriteErrorReachesTheCallerAndThePrefixIsReadable() throws {
        let records = Fixtures.records(3_000)
        let sink = FailingSink(limit: 20_000)
        let writer = try BackgroundJournalWriter(sink: sink, header: Fixtures.header, options: Fixtures.options(events: 50))
        let caught = try Fixtures.writeFailure {
            for r in records { try writer.append(r) }
            try writer.close()
        }
        let failure = try #require(caught)
        #expect(writer.writeFailure == failure)
        #expect(failure.reason.contains("No space left on device"))
        let (read, _) = try Fixtures.readAll(sink.bytes)
        #expect(UInt64(read.count) == failure.eventsWritten)
        #expect(read == Array(records.prefix(read.count)))
    }

    @Test func flushIfOlderThanAndDrainWriteThePendingFrame() throws {
        let sink = MemoryJournalSink()
        let writer = try BackgroundJournalWriter(sink: sink, header: Fixtures.header)
        try writer.append(sequence: 1, time: 10, .clockReading(value: 1))
        #expect(try writer.flushIfOlderThan(1_000, now: 500) == false)
        #expect(try writer.flushIfOlderThan(1_000, now: 1_010) == true)
        try writer.drain()
        let (read, _) = try Fixtures.readAll(sink.bytes)
        #expect(read.count == 1)
        try writer.close()
    }
}

final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// The writer thread cuts a frame whose first record has waited `maxFrameAge`, so a capture
/// that crashes loses at most that much, however slowly events arrive.
@Suite struct BackgroundJournalWriterAgeTests {
    /// Waits (up to a minute, polling) until `condition` holds; returns whether it did.
    static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<6000 {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    @Test func aFrameOlderThanTheMaximumAgeReachesTheSinkWithoutMoreEvents() throws {
        let sink = MemoryJournalSink()
        var options = Fixtures.options(events: 1_000_000, bytes: 64 << 20)
        options.maxFrameAge = 0.01
        let writer = try BackgroundJournalWriter(sink: sink, header: Fixtures.header, options: options)
        let records = Fixtures.records(10)
        for r in records { try writer.append(r) }
        #expect(Self.eventually { writer.progress.eventsWritten == 10 })
        let progress = writer.progress
        #expect(progress.framesCutByAge == 1)
        #expect(progress.lastWrittenSequence == records.last?.sequence)
        #expect(progress.eventsAppended == 10)
        // What is on disk now is readable without a trailer: a crash here loses nothing.
        let (read, damage) = try Fixtures.readAll(sink.bytes)
        #expect(damage == nil)
        #expect(read == records)
        _ = try writer.close()
    }

    @Test func withoutAMaximumAgeFramesWaitForTheirSize() throws {
        let sink = GatedSink()
        var options = Fixtures.options(events: 1_000_000, bytes: 64 << 20)
        options.maxFrameAge = nil
        let writer = try BackgroundJournalWriter(sink: sink, header: Fixtures.header, options: options)
        for r in Fixtures.records(10) { try writer.append(r) }
        try writer.drain()
        #expect(writer.progress.eventsWritten == 0)
        #expect(sink.appends == 1)  // the preamble only
        _ = try writer.close()
        #expect(writer.progress.eventsWritten == 10)
    }
}
