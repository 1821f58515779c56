import Testing
@testable import Journal

/// Pages stored as patches against an earlier content of the same guest page.
@Suite struct PagePatchTests {
    static func page(_ seed: UInt8) -> [UInt8] { (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7 + Int(seed)) } }

    @Test func aPatchRebuildsThePage() throws {
        let base = Self.page(1)
        var content = base
        content[10] ^= 0xFF
        content[11] ^= 0x01
        content[2000..<2040] = ArraySlice(repeating: 0xAB, count: 40)
        content[4095] = 0
        let patch = base.withUnsafeBytes { b in content.withUnsafeBytes { PagePatch.make(from: b, to: $0) } }
        #expect(patch.count < 80)
        #expect(try patch.withUnsafeBytes { try PagePatch.apply($0, to: base) } == content)
        let empty = base.withUnsafeBytes { b in base.withUnsafeBytes { PagePatch.make(from: b, to: $0) } }
        #expect(empty.isEmpty)
    }

    @Test func aPatchThatDoesNotFitIsAnErrorNotACrash() {
        var w = ByteWriter()
        w.varint(4090)
        w.varint(100)
        w.append(contentsOf: [UInt8](repeating: 1, count: 100))
        let patch = w.bytes
        #expect(throws: DecodeFailure.self) { try patch.withUnsafeBytes { try PagePatch.apply($0, to: Self.page(0)) } }
        #expect(throws: DecodeFailure.self) { try [UInt8]([5, 200]).withUnsafeBytes { try PagePatch.apply($0, to: Self.page(0)) } }
    }

    @Test func theWriterStoresSmallChangesAsPatchesAndTheReaderRebuildsThem() throws {
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: Fixtures.header)
        var contents: [[UInt8]] = [Self.page(3)]
        var keys = [try writer.storePage(contents[0], basis: nil)]
        for k in 1..<40 {  // a guest writing a few dwords of a ring page at a time
            var next = contents[k - 1]
            for j in 0..<8 { next[(k * 32 + j) % 4096] = UInt8(k) }
            contents.append(next)
            keys.append(try writer.storePage(next, basis: keys[k - 1]))
            try writer.append(sequence: UInt64(k), time: UInt64(k),
                              .guestPageWritten(vgpu: 1, frame: 0x100, page: keys[k]))
        }
        let summary = try writer.close()
        let reader = try JournalReader(source: MemoryByteSource(sink.bytes))
        for (key, content) in zip(keys, contents) { #expect(try reader.page(key) == content) }
        // 40 pages of 4 KiB in far less than 40 whole pages of raw bytes.
        #expect(summary.rawBytes < 4 * 4096 + 40 * 64, "\(summary.rawBytes) raw bytes")
        // Salvage copies them (whole) into a readable journal.
        let copy = MemoryJournalSink()
        _ = try reader.salvage(to: copy)
        let salvaged = try JournalReader(source: MemoryByteSource(copy.bytes))
        #expect(try salvaged.page(keys[39]) == contents[39])
    }
}
