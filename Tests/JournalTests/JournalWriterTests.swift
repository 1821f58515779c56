import Foundation
import Testing
@testable import Journal

/// A sink that fails once `limit` bytes have been appended (a full disk), optionally writing
/// the part of the failing append that fits (a short write).
final class FailingSink: JournalSink, @unchecked Sendable {
    let destination = "failing-disk"
    let memory = MemoryJournalSink()
    let limit: Int
    let writePartial: Bool
    init(limit: Int, writePartial: Bool = true) {
        self.limit = limit
        self.writePartial = writePartial
    }
    var bytes: [UInt8] { memory.bytes }
    func append(_ bytes: [UInt8]) throws {
        let used = memory.bytes.count
        if used + bytes.count > limit {
            if writePartial && used < limit { try memory.append(Array(bytes[0..<(limit - used)])) }
            throw SystemError(code: ENOSPC, operation: "write")
        }
        try memory.append(bytes)
    }
    func overwrite(_ bytes: [UInt8], at offset: UInt64) throws { try memory.overwrite(bytes, at: offset) }
    func synchronize() throws {}
    func close() throws {}
}

@Suite struct JournalWriterTests {
    @Test func everyKindRoundTripsThroughAJournal() throws {
        let events = Fixtures.ordinary + Fixtures.extreme
        let records = events.enumerated().map { JournalRecord(sequence: UInt64($0.offset) * 3 + 7, time: UInt64($0.offset) * 999, event: $0.element) }
        let bytes = try Fixtures.journal(records, options: Fixtures.options(events: 5))
        let (read, damage) = try Fixtures.readAll(bytes)
        #expect(damage == nil)
        #expect(read == records)
        let reader = try JournalReader(source: MemoryByteSource(bytes))
        #expect(reader.completeness == .complete)
        var expectedHeader = Fixtures.header
        expectedHeader.formatVersion = JournalFormat.version
        #expect(reader.header == expectedHeader)
    }

    @Test func framesAreCutByEventsAndBytesAndOnDemand() throws {
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: Fixtures.header, options: Fixtures.options(events: 10, bytes: 300))
        for r in Fixtures.records(25) { try writer.append(r) }
        try writer.cutFrame()
        try writer.cutFrame()  // empty: nothing written
        try writer.append(sequence: 100, time: 1, .clockReading(value: 5))
        let summary = try writer.close()
        let index = try JournalReader(source: MemoryByteSource(sink.bytes)).index()
        #expect(index.frames.allSatisfy { $0.events <= 10 })
        #expect(index.frames.allSatisfy { $0.rawLength < 300 + 4200 })
        #expect(index.frames.reduce(0) { $0 + $1.events } == 26)
        #expect(index.frames.last?.events == 1)
        #expect(summary.frames == UInt64(index.frames.count))
        #expect(summary.events == 26)
    }

    @Test func flushIfOlderThanUsesTheCallersClock() throws {
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: Fixtures.header)
        #expect(try writer.flushIfOlderThan(100, now: 1_000_000) == false)  // nothing pending
        try writer.append(sequence: 1, time: 1_000, .timerExpiry(kind: 1))
        let before = writer.bytesWritten
        #expect(try writer.flushIfOlderThan(100, now: 1_050) == false)
        #expect(writer.bytesWritten == before)
        #expect(try writer.flushIfOlderThan(100, now: 1_100) == true)
        #expect(writer.bytesWritten > before)
        #expect(writer.eventsWritten == 1)
    }

    @Test func lz4CommandLineDecodesTheRawStream() throws {
        let lz4 = "/usr/bin/lz4"
        guard FileManager.default.isExecutableFile(atPath: lz4) else { return }
        let made = try Fixtures.journalWithPages(events: 500)
        let reader = try JournalReader(source: MemoryByteSource(made.bytes))
        var raw: [UInt8] = []
        #expect(try reader.forEachRawFrame { raw += $0 } == nil)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-lz4-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("j.gvtj")
        try Data(made.bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: lz4)
        process.arguments = ["-d", "-c", "-q", file.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let decoded = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(raw.count > 0)
        #expect(Array(decoded) == raw)
    }

    @Test func aFullDiskIsAClearErrorAndThePrefixStaysReadable() throws {
        let records = Fixtures.records(2_000)
        let full = try Fixtures.journal(records, options: Fixtures.options(events: 100))
        let sink = FailingSink(limit: full.count / 2)
        let writer = try JournalWriter(sink: sink, header: Fixtures.header, options: Fixtures.options(events: 100))
        let failure = try Fixtures.writeFailure {
            for r in records { try writer.append(r) }
            try writer.close()
        }
        let f = try #require(failure)
        #expect(f.reason.contains("No space left on device"))
        #expect(f.description.contains("failing-disk"))
        #expect(f.description.contains("--salvage"))
        // Every event up to the reported one is readable; nothing after it was claimed.
        let (read, damage) = try Fixtures.readAll(sink.bytes)
        #expect(UInt64(read.count) == f.eventsWritten)
        #expect(read.last?.sequence == f.lastWrittenSequence)
        #expect(read == Array(records.prefix(read.count)))
        #expect(damage != nil)  // the torn frame
        #expect(try JournalReader(source: MemoryByteSource(sink.bytes)).completeness != .complete)
        // Further use repeats the error instead of dropping events silently.
        #expect(throws: JournalError.writeFailed(f)) { try writer.append(sequence: 1_000_000, time: 0, .timerExpiry(kind: 0)) }
    }

    @Test func anUnwritablePathFailsAtOnce() {
        #expect(throws: JournalError.self) {
            _ = try JournalWriter(path: "/nonexistent-dir/j.gvtj", header: Fixtures.header)
        }
    }

    @Test func closeTwiceIsAnError() throws {
        let writer = try JournalWriter(sink: MemoryJournalSink(), header: Fixtures.header)
        try writer.close()
        #expect(throws: JournalError.writerClosed) { try writer.close() }
        #expect(throws: JournalError.writerClosed) { try writer.append(sequence: 1, time: 1, .timerExpiry(kind: 1)) }
    }
}
