import Testing
@testable import Journal

/// Damage: truncation at every frame boundary and inside frames, bit flips; never a crash
/// or a hang, everything before the damage read, the offset named; salvage.
@Suite struct JournalVerifierTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let made: (bytes: [UInt8], records: [JournalRecord], pages: [PageKey: [UInt8]]) = {
        try! Fixtures.journalWithPages(events: 600, options: Fixtures.options(events: 40))
    }()

    /// Frames of the sample journal, from its index.
    static let frames: [JournalIndex.Frame] = try! JournalReader(source: MemoryByteSource(made.bytes)).index().frames

    /// Checks everything readable from `bytes` is a prefix of the original and that verify,
    /// scan and salvage agree; returns the damage reported, or nil if the journal cannot be opened.
    func check(_ bytes: [UInt8], note: String) throws -> JournalDamage?? {
        let opened = Result { () throws(JournalError) in try JournalReader(source: MemoryByteSource(bytes, name: "j.gvtj")) }
        guard case let .success(reader) = opened else {
            if case let .failure(error) = opened { #expect(error.description.contains("j.gvtj"), "\(note)") }
            return .none
        }
        let (read, damage) = try Fixtures.readAll(bytes)
        let original = Self.made.records
        #expect(read == Array(original.prefix(read.count)), "\(note)")
        if let damage {
            #expect(damage.description.contains("byte offset \(damage.offset)"), "\(note)")
            #expect(damage.lastGoodSequence == read.last?.sequence, "\(note)")
            #expect(damage.eventsBefore == UInt64(read.count), "\(note)")
        }
        let verification = try reader.verify()
        if damage != nil { #expect(verification.damage != nil, "\(note)") }
        let salvaged = MemoryJournalSink()
        let salvage = try reader.salvage(to: salvaged)
        #expect(salvage.events == UInt64(read.count), "\(note)")
        let copy = try JournalReader(source: MemoryByteSource(salvaged.bytes))
        #expect(try copy.verify().isClean, "\(note)")
        #expect(try Fixtures.readAll(salvaged.bytes).records == read, "\(note)")
        return .some(verification.damage)
    }

    @Test func truncationAtEveryFrameBoundaryKeepsEveryEarlierFrame() throws {
        let trailer = Self.frames.last.map { $0.offset + $0.length }!
        for (i, boundary) in (Self.frames.map(\.offset) + [trailer]).enumerated() {
            let cut = Array(Self.made.bytes[..<Int(boundary)])
            // Cut between frames: nothing is torn, the journal is only incomplete.
            let result = try check(cut, note: "cut at frame \(i)")
            #expect(result == .some(nil), "cut at frame \(i)")
            let reader = try JournalReader(source: MemoryByteSource(cut))
            #expect(!reader.completeness.isComplete)
            let (read, damage) = try Fixtures.readAll(cut)
            #expect(damage == nil)
            #expect(UInt64(read.count) == Self.frames[..<i].reduce(0) { $0 + $1.events })
        }
    }

    @Test func truncationInsideFramesLosesOnlyTheTornFrame() throws {
        var rng = SplitMix(state: 7)
        let size = Self.made.bytes.count
        var offsets = (0..<300).map { _ in Int.random(in: 1..<size, using: &rng) }
        offsets += Array(1..<120)  // every cut inside the preamble
        for cut in offsets {
            let bytes = Array(Self.made.bytes[..<cut])
            guard let damage = try check(bytes, note: "cut at \(cut)") else { continue }  // preamble cut: refused
            // The torn frame is the one containing the cut; every frame before it is read.
            if let torn = Self.frames.last(where: { $0.offset < UInt64(cut) }), UInt64(cut) < torn.offset + torn.length {
                #expect(damage?.offset == torn.offset, "cut at \(cut)")
                let (read, _) = try Fixtures.readAll(bytes)
                #expect(UInt64(read.count) == Self.frames.prefix { $0.offset < torn.offset }.reduce(0) { $0 + $1.events })
            } else {
                #expect(damage != nil, "cut at \(cut) (trailer)")
            }
        }
    }

    @Test func everyBitFlipIsDetectedRefusedOrHarmless() throws {
        var rng = SplitMix(state: 11)
        let size = Self.made.bytes.count
        for _ in 0..<300 {
            let at = Int.random(in: 0..<size, using: &rng)
            var bytes = Self.made.bytes
            bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            guard let damage = try check(bytes, note: "flip at \(at)") else { continue }
            if let found = damage {
                #expect(found.offset <= UInt64(at), "flip at \(at) reported at \(found.offset)")
            } else {
                // Undetected only when harmless: e.g. an LZ4 match offset changed to another
                // copy of the same bytes. Then every event and page reads back unchanged.
                let (read, _) = try Fixtures.readAll(bytes)
                #expect(read == Self.made.records, "flip at \(at) changed events unnoticed")
                let reader = try JournalReader(source: MemoryByteSource(bytes))
                for (key, content) in Self.made.pages { #expect(try reader.page(key) == content) }
            }
        }
    }

    @Test func garbageAppendedOrZeroPaddingIsDamage() throws {
        let padded = Self.made.bytes + [UInt8](repeating: 0, count: 64)
        let damage = try #require(try check(padded, note: "padding") ?? nil)
        #expect(damage.reason.contains("trailer") || damage.reason.contains("magic"))
        let open = try Fixtures.journal(Fixtures.records(100), close: false) + [UInt8](repeating: 0, count: 16)
        let (read, d) = try Fixtures.readAll(open)
        #expect(read == Fixtures.records(100))
        #expect(d?.reason.contains("unknown frame magic 0x00000000") == true)
    }

    @Test func aPageReferenceWithoutItsPageIsDamage() throws {
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: Fixtures.header)
        try writer.append(sequence: 1, time: 1, .clockReading(value: 1))
        try writer.append(sequence: 2, time: 2, .guestMemoryRead(vgpu: 1, gpa: 0, length: 4, content: Fixtures.page))
        try writer.close()
        let verification = try JournalReader(source: MemoryByteSource(sink.bytes)).verify()
        let damage = try #require(verification.damage)
        #expect(damage.reason.contains("references \(Fixtures.page.page)"))
        #expect(damage.lastGoodSequence == 1)
    }
}
