import Testing
@testable import Journal

/// Version 3 codes the busiest kinds against what the frame held before: these tests check
/// that predictions round-trip (hit and miss), make repeats small, and restart per frame.
@Suite struct FrameCodingStateTests {
    /// Encodes `records` as frames (a new frame before each index in `cuts`) and decodes each
    /// frame with a fresh decoder; returns the decoded records and the raw size of each frame.
    func roundTrip(_ records: [JournalRecord], pages: [Int: PageKey] = [:], cuts: Set<Int> = [])
        throws -> (records: [JournalRecord], frames: [[UInt8]])
    {
        var encoder = RecordEncoder()
        var frames: [[UInt8]] = [[]]
        for (i, r) in records.enumerated() {
            if cuts.contains(i) {
                encoder.startFrame()
                frames.append([])
            }
            if let key = pages[i] {
                [UInt8](repeating: 7, count: 64).withUnsafeBytes { encoder.encodePage(key, content: $0, into: &frames[frames.count - 1]) }
            }
            encoder.encode(r, into: &frames[frames.count - 1])
        }
        var out: [JournalRecord] = []
        for frame in frames {
            var decoder = RecordDecoder(version: 3)
            try frame.withUnsafeBytes { buffer in
                var reader = ByteReader(buffer)
                while let item = try decoder.next(&reader) { if case let .event(r) = item { out.append(r) } }
            }
        }
        return (out, frames)
    }

    static func trap(_ vcpu: UInt32, _ rip: UInt64, _ offset: UInt32, _ value: UInt64, vgpu: UInt32 = 1) -> MMIOTrap {
        MMIOTrap(vgpu: vgpu, vcpu: vcpu, rip: 0xFFFF_FFFF_8100_0000 + rip, instruction: [0x8B, 0x87, UInt8(offset & 0xFF), 0x43, 0x04, 0],
                 offset: offset, size: 4, value: value)
    }

    static func records(_ events: [JournalEvent], time: (Int) -> UInt64 = { UInt64($0) * 1_000 }) -> [JournalRecord] {
        events.enumerated().map { JournalRecord(sequence: 100 + UInt64($0.offset), time: time($0.offset), event: $0.element) }
    }

    @Test func repeatedTrapSequencesRoundTripAndCostAlmostNothing() throws {
        // Two vCPUs take turns running the same loop of four traps, with changing values.
        let loop: [(UInt64, UInt32)] = [(0x40, 0x44308), (0x80, 0x44318), (0x40, 0x44338), (0xC0, 0x44200)]
        var events: [JournalEvent] = []
        for pass in 0..<50 {
            for vcpu: UInt32 in [0, 1] {
                for (i, site) in loop.enumerated() {
                    let value = i == 3 ? UInt64(pass) : 0x101
                    events.append(i % 2 == 0 ? .mmioRead(Self.trap(vcpu, site.0, site.1, value)) : .mmioWrite(Self.trap(vcpu, site.0, site.1, value)))
                }
            }
        }
        let records = Self.records(events, time: { UInt64($0 / 2) * 3_000 })  // pairs share a time
        let (decoded, frames) = try roundTrip(records)
        #expect(decoded == records)
        // The first passes teach the tables; after that a trap costs its code, its flags, a
        // Δtime every other trap and the changing value of one site in four.
        #expect(frames[0].count < records.count * 4)
    }

    @Test func trapsOfManyVGPUsAndSitesStillRoundTrip() throws {
        // More sites and vCPUs than the tables hold: collisions only cost bytes.
        var events: [JournalEvent] = []
        var seed: UInt64 = 0x1234_5678
        for _ in 0..<5_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let trap = MMIOTrap(vgpu: UInt32(seed >> 60), vcpu: UInt32(seed >> 56 & 7), rip: seed >> 40,
                                instruction: Array(repeating: UInt8(seed >> 32 & 0xFF), count: Int(seed >> 28 & 15)),
                                offset: UInt32(truncatingIfNeeded: seed >> 20 & 0xFFF), size: UInt8(1 << (seed >> 18 & 3)),
                                value: seed & 3 == 0 ? UInt64.max : seed >> 3 & 0xFF)
            events.append(seed & 8 == 0 ? .mmioRead(trap) : .mmioWrite(trap))
        }
        let records = Self.records(events)
        #expect(try roundTrip(records, cuts: [1_000, 1_001, 4_000]).records == records)
    }

    @Test func pagesAreReferencedByTheirPlaceInTheFrame() throws {
        let a = PageKey(hash: 0xAAAA_AAAA_AAAA_AAAA, variant: 0), b = PageKey(hash: 0xBBBB_BBBB_BBBB_BBBB, variant: 3)
        let old = PageKey(hash: 0xCCCC_CCCC_CCCC_CCCC, variant: 1)  // stored in an earlier frame
        let events: [JournalEvent] = [
            .guestPageWritten(vgpu: 1, frame: 10, page: a),
            .guestPageWritten(vgpu: 1, frame: 11, page: b),
            .guestPageWritten(vgpu: 2, frame: 12, page: old),
            .guestMemoryRead(vgpu: 1, gpa: 0x1000, length: 16, content: PageReference(page: a, offset: 32)),
            .guestMemoryRead(vgpu: 2, gpa: 0x2000, length: 8, content: PageReference(page: old, offset: 0)),
            .guestPageWritten(vgpu: 1, frame: 10, page: a),
        ]
        let records = Self.records(events)
        let (decoded, frames) = try roundTrip(records, pages: [0: a, 1: b])
        #expect(decoded == records)
        let pagesBytes = 2 * (2 + 9 + 64)
        // Six events: the unknown key once in full (9 bytes), every other reference one byte.
        #expect(frames[0].count - pagesBytes < 6 * 8 + 9)
        // The same events in a new frame, without the pages: every key in full once, then referenced.
        let cut = try roundTrip(records, pages: [0: a, 1: b], cuts: [3])
        #expect(cut.records == records)
    }

    @Test func patchesReferToTheirBaseAndAPageStoredInTheFrame() throws {
        let base = PageKey(hash: 1, variant: 0), patched = PageKey(hash: 2, variant: 0), elsewhere = PageKey(hash: 3, variant: 0)
        var encoder = RecordEncoder()
        var raw: [UInt8] = []
        [UInt8](repeating: 1, count: 32).withUnsafeBytes { encoder.encodePage(base, content: $0, into: &raw) }
        encoder.encodePagePatch(patched, base: base, patch: [4, 1, 9], into: &raw)
        encoder.encodePagePatch(elsewhere, base: PageKey(hash: 9, variant: 2), patch: [0, 1, 5], into: &raw)
        encoder.encode(JournalRecord(sequence: 1, time: 5, event: .guestPageWritten(vgpu: 1, frame: 2, page: patched)), into: &raw)
        var decoder = RecordDecoder(version: 3)
        var items: [String] = []
        try raw.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            while let item = try decoder.next(&reader) {
                switch item {
                case let .page(key, range): items.append("page \(key.hash) \(range.count)")
                case let .pagePatch(key, b, range): items.append("patch \(key.hash) on \(b.hash).\(b.variant): \(Array(buffer[range]))")
                case let .event(r): items.append("\(r.event)")
                }
            }
        }
        #expect(items == ["page 1 32", "patch 2 on 1.0: [4, 1, 9]", "patch 3 on 9.2: [0, 1, 5]",
                          "\(JournalEvent.guestPageWritten(vgpu: 1, frame: 2, page: patched))"])
    }

    @Test func schedulerBudgetsAreCodedAgainstThePreviousDecision() throws {
        let budgets: [[Int64]] = [[-1, 3, 8, 384_350_730, 57_142_856, 0], [-1, 3, 8, 384_350_730, 57_142_856, 0],
                                  [-1, 3, 8, 384_100_000, 57_142_856, 250_730], [], [5], [-1, 3, 8, 384_100_000, 57_142_856, 250_730, 7, -9],
                                  [Int64.min, Int64.max], [Int64.max, Int64.min]]
        let events = budgets.enumerated().map { i, b in
            JournalEvent.schedulerDecision(engine: i % 2 == 0 ? nil : 2, from: 1, to: 2, reason: 7, budgets: b)
        }
        let records = Self.records(events, time: { _ in 50 })
        let (decoded, frames) = try roundTrip(records)
        #expect(decoded == records)
        var encoder = RecordEncoder(), raw: [UInt8] = []
        encoder.encode(records[0], into: &raw)
        let first = raw.count
        encoder.encode(records[1], into: &raw)
        // code, engine, from, to, reason, "same budgets".
        #expect(raw.count - first == 6)
        #expect(frames.count == 1)
    }

    @Test func sequenceGapsAndRepeatedTimesRoundTrip() throws {
        let sequences: [UInt64] = [5, 6, 9, 10, 1_000_000, 1_000_001, UInt64.max - 1, UInt64.max]
        let times: [UInt64] = [0, 0, 7, 7, 3, UInt64.max, UInt64.max, 1]
        let records = zip(sequences, times).map { JournalRecord(sequence: $0, time: $1, event: .timerExpiry(kind: 2)) }
        #expect(try roundTrip(records).records == records)
        #expect(try roundTrip(records, cuts: [1, 2, 7]).records == records)
    }

    @Test func aFrameDecodesOnItsOwnAfterTheEncoderRestarts() throws {
        let trap = JournalEvent.mmioWrite(Self.trap(0, 0x40, 0x2030, 1))
        let records = Self.records([trap, trap, trap, trap])
        let (decoded, frames) = try roundTrip(records, cuts: [2])
        #expect(decoded == records)
        // The second frame is what a fresh encoder makes of its events: nothing was carried over.
        var fresh = RecordEncoder(), alsoRaw: [UInt8] = []
        for r in records[2...] { fresh.encode(r, into: &alsoRaw) }
        #expect(frames[1] == alsoRaw)
        #expect(frames[1][0] & RecordEncoder.sequenceFlag != 0)
        var decoder = RecordDecoder(version: 3)
        let alone = try frames[1].withUnsafeBytes { buffer -> [JournalRecord] in
            var reader = ByteReader(buffer)
            var out: [JournalRecord] = []
            while let item = try decoder.next(&reader) { if case let .event(r) = item { out.append(r) } }
            return out
        }
        #expect(alone == Array(records[2...]))
    }
}
