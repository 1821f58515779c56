import Foundation
import Journal
import Testing
@testable import Replay

/// The golden journals in recordings/ (made by tools/record-goldens): each is small, has a
/// note saying what it shows and which verdict to expect, and replays with zero divergence
/// and that verdict. When the mediator changes behaviour on purpose they are re-recorded and
/// the change's diff shows why. (When the journal format version moves, a journal of the previous version is kept in
/// recordings/format-vN/ and must stay readable: `OlderFormatTests`.)
@Suite struct GoldenRecordingTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("recordings")

    struct Golden: CustomStringConvertible, Sendable {
        let name: String
        let journal: String
        let expect: Verdict.Kind
        var description: String { name }
    }

    static let goldens: [Golden] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".gvtj") }.sorted().compactMap { file in
            let name = String(file.dropLast(5))
            let note = (try? String(contentsOf: directory.appendingPathComponent(name + ".md"), encoding: .utf8)) ?? ""
            let expect = note.split(separator: "\n").first { $0.hasPrefix("- expect: ") }
                .flatMap { Verdict.Kind(rawValue: String($0.dropFirst("- expect: ".count))) }
            return expect.map { Golden(name: name, journal: directory.appendingPathComponent(file).path, expect: $0) }
        }
    }()

    @Test func everyBenchScenarioHasAGoldenJournalWithANote() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
        let journals = files.filter { $0.hasSuffix(".gvtj") }
        #expect(journals.count == Self.goldens.count, "every journal has a note with an `- expect:` line")
        for bench in ["smoke", "multi-vm", "hang-semaphore", "hang-bb-loop", "iso-ggtt-overrun", "iso-ppgtt-foreign",
                      "iso-cmd-ggtt", "iso-lri-privileged", "iso-2019", "fuzz"] {
            #expect(journals.contains { $0.hasPrefix(bench) }, "no golden journal for \(bench)")
        }
        for journal in journals {
            let size = try FileManager.default.attributesOfItem(atPath: Self.directory.appendingPathComponent(journal).path)[.size]
            #expect((size as? Int ?? .max) < 1 << 20, "\(journal) must stay well under 1 MiB")
        }
    }

    @Test(arguments: goldens)
    func replaysWithZeroDivergenceAndItsVerdict(_ golden: Golden) throws {
        let reader = try JournalReader(path: golden.journal)
        #expect(reader.completeness == .complete)
        let result = try Replayer(reader: reader).run()
        #expect(result.divergences.isEmpty, "\(result.divergences.first.map(\.description) ?? "")")
        #expect(result.meets(golden.expect), "\(golden.name): \(result.verdicts.map(\.kind))")
        if golden.expect != .isolation {
            #expect(!result.verdicts.contains { $0.kind == .isolation }, "\(golden.name) must not break isolation")
        }
    }
}

/// Journals of earlier format versions stay readable, and replay.
@Suite struct OlderFormatTests {
    @Test(arguments: [UInt32(1), 2])
    func anOlderVersionJournalIsReadAndReplays(_ version: UInt32) throws {
        let path = GoldenRecordingTests.directory.appendingPathComponent("format-v\(version)/smoke.gvtj").path
        let reader = try JournalReader(path: path)
        #expect(reader.header.formatVersion == version)
        #expect(JournalFormat.version > version && JournalFormat.minimumReadableVersion <= version)
        // Every frame and record decodes. (Not `verify()`: the version-2 file's trailer counts
        // its patched pages' bytes whole, which its scan does not; see format-v2/smoke.md.)
        let scan = try reader.scan()
        #expect(scan.damage == nil)
        let trailer = try reader.summary()
        #expect(scan.summary.events == trailer.events && scan.summary.pages == trailer.pages)
        let result = try Replayer(reader: reader).run()
        #expect(result.divergences.isEmpty, "\(result.divergences.first.map(\.description) ?? "")")
        #expect(result.meets(.clean))
        #expect(result.inputs > 0)
    }
}
