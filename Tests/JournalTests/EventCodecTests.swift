import Testing
@testable import Journal

/// One encoding per event kind: every kind round-trips, with ordinary and extreme values.
@Suite struct EventCodecTests {
    func roundTrip(_ records: [JournalRecord]) throws -> [JournalRecord] {
        var encoder = RecordEncoder()
        var raw: [UInt8] = []
        for r in records { encoder.encode(r, into: &raw) }
        var decoder = RecordDecoder()
        var out: [JournalRecord] = []
        try raw.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            while let item = try decoder.next(&reader) {
                if case let .event(r) = item { out.append(r) }
            }
        }
        return out
    }

    @Test func everyRegisteredKindHasAnOrdinaryAndAnExtremeSample() {
        let ordinary = Set(Fixtures.ordinary.compactMap(\.knownKind))
        let extreme = Set(Fixtures.extreme.compactMap(\.knownKind))
        #expect(ordinary == Set(JournalEventKind.allCases))
        #expect(extreme == Set(JournalEventKind.allCases))
    }

    @Test(arguments: Fixtures.ordinary + Fixtures.extreme)
    func eventRoundTrips(_ event: JournalEvent) throws {
        let records = [JournalRecord(sequence: 1, time: 10, event: event),
                       JournalRecord(sequence: 2, time: 5, event: event),
                       JournalRecord(sequence: UInt64.max - 1, time: UInt64.max, event: event),
                       JournalRecord(sequence: UInt64.max, time: 0, event: event)]
        #expect(try roundTrip(records) == records)
    }

    @Test func sequenceAndTimeDeltasAreCompact() throws {
        var encoder = RecordEncoder()
        var raw: [UInt8] = []
        encoder.encode(JournalRecord(sequence: 1_000_000, time: 1_000_000_000, event: .timerExpiry(kind: 1)), into: &raw)
        let first = raw.count
        encoder.encode(JournalRecord(sequence: 1_000_001, time: 1_000_000_100, event: .timerExpiry(kind: 1)), into: &raw)
        // code (kind 15 | Δtime follows), Δtime = 100 (zigzag 200: two bytes), timer kind.
        #expect(raw.count - first == 4)
        let second = raw.count
        encoder.encode(JournalRecord(sequence: 1_000_002, time: 1_000_000_100, event: .timerExpiry(kind: 1)), into: &raw)
        // Next sequence, same time: the code alone, then the timer kind.
        #expect(raw.count - second == 2)
    }

    @Test func inputsAreTheEventsReplayFeedsBack() {
        let inputs = Fixtures.ordinary.filter(\.isInput).compactMap(\.knownKind)
        #expect(Set(inputs) == [.mmioRead, .mmioWrite, .pciConfigRead, .pciConfigWrite, .protectedPageWrite, .guestMemoryRead,
                                .clockReading, .timerExpiry, .guestPageWritten, .vgpuCreateRequest, .vgpuDestroyRequest,
                                .vgpuResetRequest])
        #expect(!JournalEvent.workloadDispatched(vgpu: 1, engine: 0, workload: 1).isInput)
        #expect(!JournalEvent.extension(kind: 0x8001, bytes: []).isInput)
    }

    @Test func kindIdsAndNamesAreStableAndUnique() {
        #expect(JournalEventKind.mmioRead.rawValue == 1)
        #expect(JournalEventKind.g2vNotification.rawValue == 32)
        #expect(JournalEventKind.note.rawValue == 37)
        #expect(Set(JournalEventKind.allCases.map(\.name)).count == JournalEventKind.allCases.count)
        #expect(JournalEventKind(name: "mmio-write") == .mmioWrite)
        #expect(JournalEventKind(name: "18") == .hang)
        #expect(JournalEventKind(name: "nonsense") == nil)
        #expect(JournalEventKind.name(of: 0x9000) == "kind-36864")
    }

    @Test func unknownKindDecodesAsExtensionAndKnownKindSkipsAppendedFields() throws {
        // A record of kind 40 (unknown to this build) and a clock reading with an extra field.
        var raw: [UInt8] = [40, 4, 0, 0, 0xAB, 0xCD]
        raw += [14, 4, 0, 2, 7, 0x55]  // Δseq 0, Δtime +1, value 7, then an appended byte
        var decoder = RecordDecoder(version: 2)
        var items: [JournalRecord] = []
        try raw.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            while let item = try decoder.next(&reader) { if case let .event(r) = item { items.append(r) } }
        }
        #expect(items.map(\.event) == [.extension(kind: 40, bytes: [0xAB, 0xCD]), .clockReading(value: 7)])
        #expect(items.map(\.sequence) == [0, 1])
    }

    @Test func version3SkipsLaterKindsByTheirLength() throws {
        // Kind 40 (code 40 | sequence follows), sequence 0, length 2; then kind 0x9000 escaped
        // (code 63 | Δtime follows), Δtime +1, length 1; then a clock reading of the next sequence.
        var raw: [UInt8] = [40 | 0x80, 0, 2, 0xAB, 0xCD]
        raw += [63 | 0x40, 0x80, 0xA0, 0x02, 2, 1, 0xEE]
        raw += [14, 7]
        var decoder = RecordDecoder(version: 3)
        var items: [JournalRecord] = []
        try raw.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            while let item = try decoder.next(&reader) { if case let .event(r) = item { items.append(r) } }
        }
        #expect(items.map(\.event) == [.extension(kind: 40, bytes: [0xAB, 0xCD]), .extension(kind: 0x9000, bytes: [0xEE]),
                                        .clockReading(value: 7)])
        #expect(items.map(\.sequence) == [0, 1, 2])
        #expect(items.map(\.time) == [0, 1, 1])
    }

    @Test(arguments: [UInt32(2), 3])
    func truncatedOrOversizedRecordsAreErrorsNotCrashes(_ version: UInt32) {
        let cases: [[UInt8]] = version < 3 ? [
            [1], [1, 200], [1, 5, 0, 0], [14, 0x80], [9, 3, 0, 0, 1], [25, 6, 0, 0, 0, 0, 0, 200],
            [14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
        ] : [
            [0x81], [0x81, 0], [0x81, 0, 0x01], [0x81, 0, 0x02, 0, 0], [0x81, 0, 0x04, 1, 1, 0, 0],
            [0x81, 0, 0x10], [0x81, 0, 0x00, 1, 1, 0, 0, 16, 0, 4, 0],  // instruction longer than 15
            [0x81, 0, 0x00, 1, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0, 4, 0],  // offset delta beyond 32 bits
            [0x0E, 7],  // the first event of a frame without its sequence
            [0x80], [0x00], [0x00, 200], [0x00, 3, 0, 0, 0], [0x40, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5],
            [0xA1, 0, 0, 0, 3], [0xBF, 5, 0, 0],  // kind 33 referring to a key the frame lacks; an escaped kind below 63
            [0x98, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0x7F],  // scheduler budgets far more than the record holds
            [0x8E, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
        ]
        for raw in cases {
            var decoder = RecordDecoder(version: version)
            let threw = raw.withUnsafeBytes { buffer -> Bool in
                var reader = ByteReader(buffer)
                do {
                    while try decoder.next(&reader) != nil {}
                    return false
                } catch {
                    return true
                }
            }
            #expect(threw, "\(raw)")
        }
    }

    @Test func pageRecordsCarryTheirKeyAndContent() throws {
        var encoder = RecordEncoder()
        var raw: [UInt8] = []
        let content: [UInt8] = [9, 8, 7]
        content.withUnsafeBytes { encoder.encodePage(PageKey(hash: 0xABCD, variant: 2), content: $0, into: &raw) }
        var decoder = RecordDecoder()
        try raw.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            guard case let .page(key, range) = try decoder.next(&reader) else {
                Issue.record("not a page")
                return
            }
            #expect(key == PageKey(hash: 0xABCD, variant: 2))
            #expect(Array(buffer[range]) == content)
        }
    }
}
