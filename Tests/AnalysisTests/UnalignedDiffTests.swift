import Foundation
import Journal
import Testing
@testable import Analysis

/// The unaligned mode on synthetic journals: an inserted and a deleted input do not make
/// everything after them differ.
@Suite struct UnalignedDiffTests {
    /// One entry: an MMIO write of vGPU `vgpu` at `offset` with `value`, and a note output.
    struct Entry {
        var vgpu: UInt32
        var offset: UInt32
        var value: UInt64
        var note: String
    }

    static func entries(_ count: Int) -> [Entry] {
        (0..<count).map { (k: Int) -> Entry in
            let offset: UInt32 = 0x2030 + UInt32(k % 7) * 4
            return Entry(vgpu: UInt32(1 + k % 2), offset: offset, value: UInt64(k), note: "out \(k)")
        }
    }

    /// Writes the entries (with a scheduler tick every 10 entries) as a journal.
    static func write(_ entries: [Entry], to path: String) throws {
        let header = JournalHeader(mediator: .init(release: "test", sourceRevision: "test"), revision: "current",
                                   gpuDeviceID: 0x5A84, vms: [], bench: "synthetic", host: "test", startTimeUnixNanoseconds: 0)
        let writer = try JournalWriter(path: path, header: header)
        var sequence: UInt64 = 0
        func append(_ event: JournalEvent) throws {
            sequence += 1
            try writer.append(sequence: sequence, time: sequence * 1000, event)
        }
        for (k, entry) in entries.enumerated() {
            if k % 10 == 0 { try append(.timerExpiry(kind: 0)) }
            try append(.mmioWrite(MMIOTrap(vgpu: entry.vgpu, vcpu: 0, rip: 0x1000, instruction: [0x89, 0x07],
                                           offset: entry.offset, size: 4, value: entry.value)))
            try append(.note(vgpu: entry.vgpu, engine: nil, topic: 13, text: entry.note))
        }
        _ = try writer.close()
    }

    @Test func anInsertedAndADeletedInputAreTheOnlyDifferences() throws {
        let a = Self.entries(300)
        var b = a
        b.insert(Entry(vgpu: 1, offset: 0x4000, value: 0xAA, note: "inserted"), at: 60)
        b.remove(at: 201)  // a[200]
        let (pathA, pathB) = (AnalysisRecording.temporaryPath("ua"), AnalysisRecording.temporaryPath("ub"))
        defer { AnalysisRecording.remove(pathA, pathB) }
        try Self.write(a, to: pathA)
        try Self.write(b, to: pathB)

        var options = DiffOptions()
        options.window = 32  // several windows slide over the journal
        let report = try JournalDiff.run(pathA, pathB, options: options)
        #expect(report.mode == .unaligned)
        #expect(report.modeReason.contains("differ"))
        #expect(report.differences == 2, "\(report.text)")
        let inputs = try #require(report.categories.first { $0.category == .inputs })
        #expect(inputs.count == 2)
        #expect(inputs.examples.contains { $0.b?.contains("0x00004000") == true && $0.a == nil })
        #expect(inputs.examples.contains { $0.a?.contains("= 0x000000c8") == true && $0.b == nil })
        #expect(report.matchedEntries == report.entriesA - 1)

        // Forced entry-by-entry alignment makes much of the rest differ.
        options.mode = .aligned
        #expect(try JournalDiff.run(pathA, pathB, options: options).differences > 50)
    }

    @Test func pairedEntriesWithOtherOutputsAreReported() throws {
        let a = Self.entries(120)
        var b = a
        b.remove(at: 10)
        b[80].note = "changed"  // a[81]
        let (pathA, pathB) = (AnalysisRecording.temporaryPath("ua"), AnalysisRecording.temporaryPath("ub"))
        defer { AnalysisRecording.remove(pathA, pathB) }
        try Self.write(a, to: pathA)
        try Self.write(b, to: pathB)
        let report = try JournalDiff.run(pathA, pathB)
        #expect(report.mode == .unaligned)
        #expect(report.differences == 2, "\(report.text)")
        let changed = try #require(report.categories.first { $0.category == .audit }?.examples.first)
        #expect(changed.a?.contains("out 81") == true && changed.b?.contains("changed") == true)
    }
}
