import Foundation
import Testing
@testable import Journal

@Suite struct JournalReaderTests {
    @Test func aCompleteJournalHasItsTrailerAndAScanAgrees() throws {
        let made = try Fixtures.journalWithPages(events: 1_000)
        let reader = try JournalReader(source: MemoryByteSource(made.bytes))
        #expect(reader.completeness == .complete)
        let trailerSummary = try reader.summary()
        let scan = try reader.scan()
        #expect(scan.damage == nil)
        #expect(scan.summary == trailerSummary)
        #expect(scan.index == (try reader.index()))
        #expect(trailerSummary.events == 1_000)
        #expect(trailerSummary.pages == 7)  // seven distinct contents, stored once each
        #expect(trailerSummary.firstSequence == 1 && trailerSummary.lastSequence == 1_000)
        #expect(trailerSummary.duration == 999 * 1_000)
        #expect(try reader.verify().isClean)
    }

    @Test func aJournalWithoutTrailerIsReadableAndItsIndexIsRebuilt() throws {
        let records = Fixtures.records(1_000)
        let complete = try Fixtures.journal(records, options: Fixtures.options(events: 64))
        let open = try Fixtures.journal(records, options: Fixtures.options(events: 64), close: false)
        let reader = try JournalReader(source: MemoryByteSource(open))
        guard case let .incomplete(reason) = reader.completeness else {
            Issue.record("should be incomplete")
            return
        }
        #expect(reason.contains("did not finish cleanly"))
        let rebuilt = try reader.index()
        let written = try JournalReader(source: MemoryByteSource(complete)).index()
        #expect(rebuilt == written)
        #expect(try reader.summary() == (try JournalReader(source: MemoryByteSource(complete)).summary()))
        #expect(try Fixtures.readAll(open).records == records)
        let verification = try reader.verify()
        #expect(verification.damage == nil)
        #expect(!verification.isClean)
    }

    @Test func seekingBySequenceStartsAtTheRightEvent() throws {
        let records = Fixtures.records(1_000, from: 10).enumerated().filter { $0.offset % 3 != 1 }.map(\.element)
        for close in [true, false] {
            let bytes = try Fixtures.journal(records, options: Fixtures.options(events: 50), close: close)
            let reader = try JournalReader(source: MemoryByteSource(bytes))
            for target: UInt64 in [0, 10, 11, 12, 500, 501, 502, 1_009, 1_010, 5_000] {
                let cursor = try reader.records(from: target)
                let first = try cursor.next()
                #expect(first == records.first { $0.sequence >= target }, "seek to \(target)")
            }
        }
    }

    @Test func pagesAreServedByKeyWithBoundedCaching() throws {
        let made = try Fixtures.journalWithPages(events: 2_000)
        let reader = try JournalReader(source: MemoryByteSource(made.bytes))
        for (key, content) in made.pages.sorted(by: { $0.key < $1.key }) {
            #expect(try reader.page(key) == content)
        }
        for record in made.records {
            if case let .guestMemoryRead(_, _, length, reference) = record.event {
                let expected = Array(made.pages[reference.page]![8..<72])
                #expect(try reader.content(of: reference, length: length) == expected)
            }
        }
        #expect(throws: JournalError.pageNotFound(PageKey(hash: 1, variant: 0))) { try reader.page(PageKey(hash: 1, variant: 0)) }
    }

    @Test func thePageIndexIsLoadedOnlyWhenALookupNeedsIt() throws {
        let made = try Fixtures.journalWithPages(events: 1_000)
        let reader = try JournalReader(source: MemoryByteSource(made.bytes))
        let cursor = try reader.records(from: 500)
        while try cursor.next() != nil {}
        _ = try reader.summary()
        #expect(!reader.pageIndexLoaded, "reading events, seeking and the summary need no page index")
        let (key, content) = try #require(made.pages.first)
        #expect(try reader.page(key) == content)
        #expect(reader.pageIndexLoaded)
        #expect(try reader.index().pages.count == made.pages.count)
    }

    @Test func aPatchWhoseBaseIsNotCachedIsRebuiltFromACandidateBaseWithTheBasesHash() throws {
        // A page in the first frame, then (frames later) a patch of it against it.
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: Fixtures.header, options: Fixtures.options(events: 16))
        let base = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var changed = base
        changed[100] = 0xAA
        changed[3000] = 0x55
        let baseKey = try writer.storePage(base)
        let records = Fixtures.records(100)
        for (i, record) in records.enumerated() {
            var record = record
            if i == 0 { record.event = .guestPageWritten(vgpu: 1, frame: 9, page: baseKey) }
            if i == 80 { record.event = .guestPageWritten(vgpu: 1, frame: 9, page: try writer.storePage(changed, basis: baseKey)) }
            try writer.append(record)
        }
        try writer.close()
        let patchKey = XXHash64.hash(changed)

        // Without the base at hand, the lookup decodes the patch's frame and then its base's.
        for (candidate, decodes) in [(base, 0), (changed, 2), ([], 2)] {
            // Streaming from #60: the base's frame is not read, so the patch's base is not cached.
            let reader = try JournalReader(source: MemoryByteSource(sink.bytes))
            let cursor = try reader.records(from: 60)
            cursor.cachesPages = true
            var key: PageKey?
            while let record = try cursor.next() {
                if case let .guestPageWritten(_, _, page) = record.event { key = page; break }
            }
            let found = try #require(key)
            #expect(found.hash == patchKey)
            #expect(try reader.page(found) { candidate } == changed)
            #expect(reader.pageFramesDecoded == decodes, "a candidate with the base's hash saves decoding its frame; another does not")
            #expect(reader.basesFromCandidates == (decodes == 0 ? 1 : 0))
        }
    }

    @Test func notJournalsAreRefusedWithAReason() throws {
        let cases: [[UInt8]] = [[], Array("hello world, not a journal".utf8), [0x04, 0x22, 0x4D, 0x18]]
        for bytes in cases {
            #expect(throws: JournalError.self) { try JournalReader(source: MemoryByteSource(bytes, name: "x")) }
        }
        #expect(throws: JournalError.cannotRead(path: "/nonexistent/j.gvtj", reason: "open: No such file or directory")) {
            try JournalReader(path: "/nonexistent/j.gvtj")
        }
    }

    @Test func aNewerIncompatibleVersionIsRefusedAndAnOlderCompatibleOneRead() throws {
        let bytes = try Fixtures.journal(Fixtures.records(10))
        // Header section: empty LZ4 frame, then magic, size, "GVTH", u32 version, u32 readable-by, JSON, xxHash64.
        let start = try LZ4FrameCompressor().emptyFrame().count
        let size = Int(bytes[start + 4]) | Int(bytes[start + 5]) << 8
        func withVersions(_ version: UInt8, _ readableBy: UInt8) -> [UInt8] {
            var payload = Array(bytes[(start + 8)..<(start + 8 + size - 8)])
            payload[4] = version
            payload[8] = readableBy
            let section = JournalFormat.skippableFrame(.header, payload: payload)
            return Array(bytes[..<start]) + section + Array(bytes[(start + section.count)...])
        }
        #expect(throws: JournalError.unsupportedVersion(path: "memory", found: 9, minimumReadable: 1,
                                                        current: JournalFormat.version)) {
            try JournalReader(source: MemoryByteSource(withVersions(9, 9)))
        }
        // Version 9 that readers of this version can still read.
        let newer = try JournalReader(source: MemoryByteSource(withVersions(9, UInt8(JournalFormat.version))))
        #expect(newer.readableByVersion == JournalFormat.version)
        #expect(newer.completeness == .complete)
    }

    @Test func streamingAMillionEventsUsesOneFrameOfMemory() throws {
        let count = 1 << 20
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: Fixtures.header)
        for i in 0..<UInt64(count) {
            try writer.append(sequence: i, time: i &* 250, .clockReading(value: i &* 7))
        }
        try writer.close()
        let reader = try JournalReader(source: MemoryByteSource(sink.bytes))
        let cursor = try reader.records()
        var seen: UInt64 = 0
        var last: UInt64 = 0
        while let r = try cursor.next() {
            last = r.sequence
            seen += 1
        }
        #expect(seen == UInt64(count))
        #expect(last == UInt64(count) - 1)
        // One frame's content (256 KiB limit plus the last record) is the most ever held.
        #expect(cursor.peakFrameBytes <= 512 << 10)
        #expect(try reader.summary().frames == UInt64(count / 4096))
    }
}
