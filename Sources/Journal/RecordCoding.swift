/// Appends records to a frame's raw bytes in the current format (version 3,
/// docs/journal-format.md "Records"):
///
/// ```
/// record     := code:u8 …            code = k | T << 6 | S << 7   (k = code & 0x3F)
/// event      := code [Δsequence:var if S] [Δtime:zigzag if T] payload
///               (k 1…39; k 40…62 and k = 63 + kind:var add a length before the payload)
/// page       := 0x00 length:var hash:u64le variant:var content
/// page patch := 0x40 length:var hash:u64le variant:var base:keyref run*
/// ```
/// The coding state (`FrameCodingState`) restarts with every frame, so a frame decodes on
/// its own. Encoder and decoder live side by side so they cannot drift (rr's habit).
struct RecordEncoder {
    private var state = FrameCodingState()
    private var scratch = ByteWriter(capacity: 256)
    private var body = ByteWriter(capacity: 256)

    /// Code bits: Δtime follows / Δsequence follows; the low six bits are the kind.
    static let timeFlag: UInt8 = 0x40, sequenceFlag: UInt8 = 0x80, kindMask: UInt8 = 0x3F
    /// Low six bits naming a kind ≥ 63 that follows as a varint.
    static let kindEscape: UInt8 = 63
    /// Codes of the page records.
    static let pageCode: UInt8 = 0x00, pagePatchCode: UInt8 = 0x40

    /// Starts a new frame: the coding state restarts.
    mutating func startFrame() { state.reset() }

    /// The sequence number of the last event encoded into this frame.
    var lastSequence: UInt64? { state.previousSequence }

    /// Appends one event record. Precondition: sequence numbers strictly increase.
    mutating func encode(_ record: JournalRecord, into out: inout [UInt8]) {
        var code: UInt8 = 0
        let seqField: UInt64
        if let previous = state.previousSequence {
            precondition(record.sequence > previous, "journal sequence numbers must strictly increase (\(record.sequence) after \(previous))")
            seqField = record.sequence - previous - 1
            if seqField != 0 { code |= Self.sequenceFlag }
        } else {
            seqField = record.sequence
            code |= Self.sequenceFlag
        }
        let timeDelta = record.time &- state.previousTime
        if timeDelta != 0 { code |= Self.timeFlag }
        let kind = record.event.kindID
        if case .extension = record.event {
            precondition(kind != JournalEventKind.pageRecordID && JournalEventKind(rawValue: kind) == nil,
                         "extension kind \(kind) collides with a registered kind")
        }
        scratch.removeAll()
        if kind <= EventCodec.lastUndelimitedKind {
            scratch.u8(UInt8(kind) | code)
            if code & Self.sequenceFlag != 0 { scratch.varint(seqField) }
            if timeDelta != 0 { scratch.zigzag(Int64(bitPattern: timeDelta)) }
            EventCodec.encodePayloadV3(record.event, state: &state, into: &scratch)
        } else {
            body.removeAll()
            EventCodec.encodePayload(record.event, into: &body)
            if kind < UInt32(Self.kindEscape) {
                scratch.u8(UInt8(kind) | code)
            } else {
                scratch.u8(Self.kindEscape | code)
                scratch.varint(kind)
            }
            if code & Self.sequenceFlag != 0 { scratch.varint(seqField) }
            if timeDelta != 0 { scratch.zigzag(Int64(bitPattern: timeDelta)) }
            scratch.varint(UInt64(body.count))
            body.withUnsafeBytes { scratch.append($0) }
        }
        precondition(scratch.count <= EventCodec.maxRecordBytes, "record of \(scratch.count) bytes is too large")
        state.previousSequence = record.sequence
        state.previousTime = record.time
        scratch.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// Appends one page record.
    mutating func encodePage(_ key: PageKey, content: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        body.removeAll()
        body.u64le(key.hash)
        body.varint(key.variant)
        precondition(body.count + content.count <= EventCodec.maxRecordBytes, "page of \(content.count) bytes is too large")
        out.append(Self.pageCode)
        ByteWriter.appendVarint(UInt64(body.count + content.count), to: &out)
        body.withUnsafeBytes { out.append(contentsOf: $0) }
        out.append(contentsOf: content)
        state.note(key, encoding: true)
    }

    /// Appends one page-patch record: the page's key, its base (a key reference) and the patch runs.
    mutating func encodePagePatch(_ key: PageKey, base: PageKey, patch: [UInt8], into out: inout [UInt8]) {
        body.removeAll()
        body.u64le(key.hash)
        body.varint(key.variant)
        EventCodec.encodeKey(base, state: &state, into: &body)
        body.append(contentsOf: patch)
        out.append(Self.pagePatchCode)
        ByteWriter.appendVarint(UInt64(body.count), to: &out)
        body.withUnsafeBytes { out.append(contentsOf: $0) }
        state.note(key, encoding: true)
    }
}

/// One decoded item of a frame's raw bytes.
enum DecodedItem {
    /// An event record.
    case event(JournalRecord)
    /// A page record: its key and where its content lies in the frame's raw bytes.
    case page(PageKey, Range<Int>)
    /// A page-patch record: its key, its base's key and where the patch runs lie.
    case pagePatch(PageKey, base: PageKey, Range<Int>)
}

/// Decodes a frame's raw bytes record by record, in the layout of the journal's format
/// version (1 and 2: `kind length body`; 3 and later: coded against the frame's state).
struct RecordDecoder {
    /// The journal's format version.
    let version: UInt32
    private var state = FrameCodingState()

    /// A decoder for one frame of a journal of format `version`.
    init(version: UInt32 = JournalFormat.version) { self.version = version }

    /// Decodes the record at `r.position`; nil at the end of the buffer.
    mutating func next(_ r: inout ByteReader) throws(DecodeFailure) -> DecodedItem? {
        if r.isAtEnd { return nil }
        return version >= 3 ? try nextV3(&r) : try nextV2(&r)
    }

    /// Narrows `r` to a length-prefixed body; returns the saved end.
    private static func delimit(_ r: inout ByteReader) throws(DecodeFailure) -> (bodyEnd: Int, savedEnd: Int) {
        let lengthAt = r.position
        let length = try r.varint()
        guard length <= UInt64(min(r.remaining, EventCodec.maxRecordBytes)) else {
            throw DecodeFailure(offset: lengthAt, what: "record length \(length) exceeds the \(r.remaining) bytes left in the frame")
        }
        let saved = r.end
        r.end = r.position + Int(length)
        return (r.end, saved)
    }

    private mutating func nextV3(_ r: inout ByteReader) throws(DecodeFailure) -> DecodedItem? {
        let codeAt = r.position
        let code = try r.u8()
        let low = code & RecordEncoder.kindMask
        if low == 0 {
            guard code & RecordEncoder.sequenceFlag == 0 else { throw DecodeFailure(offset: codeAt, what: "unknown record code \(code)") }
            let (bodyEnd, savedEnd) = try Self.delimit(&r)
            defer { r.end = savedEnd; r.position = bodyEnd }
            let key = PageKey(hash: try r.u64le(), variant: try r.varint(UInt32.self))
            if code == RecordEncoder.pageCode {
                state.note(key, encoding: false)
                return .page(key, r.position..<bodyEnd)
            }
            let base = try EventCodec.decodeKey(&r, state: &state)
            state.note(key, encoding: false)
            return .pagePatch(key, base: base, r.position..<bodyEnd)
        }
        let kind: UInt32
        if low == RecordEncoder.kindEscape {
            kind = try r.varint(UInt32.self)
            guard kind >= UInt32(RecordEncoder.kindEscape) else { throw r.fail("escaped kind \(kind) below 63") }
        } else {
            kind = UInt32(low)
        }
        let sequence: UInt64
        if code & RecordEncoder.sequenceFlag != 0 {
            sequence = try Self.sequence(field: try r.varint(), after: state.previousSequence, &r)
        } else {
            guard let previous = state.previousSequence else { throw r.fail("the first event of a frame has no sequence number") }
            guard previous < UInt64.max else { throw r.fail("sequence number overflows") }
            sequence = previous + 1
        }
        let time = code & RecordEncoder.timeFlag != 0 ? state.previousTime &+ UInt64(bitPattern: try r.zigzag()) : state.previousTime
        let event: JournalEvent
        if kind <= EventCodec.lastUndelimitedKind, let known = JournalEventKind(rawValue: kind) {
            event = try EventCodec.decodePayloadV3(known, &r, state: &state)
        } else {
            let (bodyEnd, savedEnd) = try Self.delimit(&r)
            defer { r.end = savedEnd; r.position = bodyEnd }
            event = try EventCodec.decodePayload(kind: kind, &r)
        }
        state.previousSequence = sequence
        state.previousTime = time
        return .event(JournalRecord(sequence: sequence, time: time, event: event))
    }

    /// The sequence a stored Δsequence field gives: `previous + 1 + field`, or the field itself
    /// for the first event of a frame; overflow is damage.
    private static func sequence(field: UInt64, after previous: UInt64?, _ r: inout ByteReader) throws(DecodeFailure) -> UInt64 {
        guard let previous else { return field }
        let (next, overflow) = previous.addingReportingOverflow(field)
        guard !overflow, next < UInt64.max else { throw r.fail("sequence number overflows") }
        return next + 1
    }

    /// Versions 1 and 2: `kind:var length:var body`, with Δsequence and Δtime in the body.
    private mutating func nextV2(_ r: inout ByteReader) throws(DecodeFailure) -> DecodedItem? {
        let kind = try r.varint(UInt32.self)
        let (bodyEnd, savedEnd) = try Self.delimit(&r)
        defer { r.end = savedEnd; r.position = bodyEnd }
        if kind == JournalEventKind.pageRecordID {
            let key = PageKey(hash: try r.u64le(), variant: try r.varint(UInt32.self))
            return .page(key, r.position..<bodyEnd)
        }
        if kind == JournalEventKind.pagePatchRecordID {
            let key = PageKey(hash: try r.u64le(), variant: try r.varint(UInt32.self))
            let base = PageKey(hash: try r.u64le(), variant: try r.varint(UInt32.self))
            return .pagePatch(key, base: base, r.position..<bodyEnd)
        }
        let sequence = try Self.sequence(field: try r.varint(), after: state.previousSequence, &r)
        let time = state.previousTime &+ UInt64(bitPattern: try r.zigzag())
        let event = try EventCodec.decodePayload(kind: kind, &r)
        state.previousSequence = sequence
        state.previousTime = time
        return .event(JournalRecord(sequence: sequence, time: time, event: event))
    }
}
