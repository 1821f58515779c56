/// The one binary encoding of every record (docs/journal-format.md, "Records").
///
/// ```
/// record      := kind:varint length:varint body[length]
/// event body  := Δsequence:varint Δtime:zigzag payload       (kind ≥ 1)
/// page body   := hash:u64le variant:varint content…           (kind 0)
/// ```
/// Δsequence is `sequence - previous - 1` (the first event of a frame stores its sequence
/// as is), Δtime is `time - previous time` (from 0 at a frame start), so every frame decodes
/// on its own. Encoder and decoder live side by side so they cannot drift (rr's habit).
enum EventCodec {
    /// Largest record body a reader accepts (and the writer writes).
    static let maxRecordBytes = 16 << 20

    // MARK: Payloads

    /// Appends the payload of `event` (everything after the sequence and time deltas).
    static func encodePayload(_ event: JournalEvent, into w: inout ByteWriter) {
        switch event {
        case let .mmioRead(t), let .mmioWrite(t):
            w.varint(t.vgpu); w.varint(t.vcpu); w.varint(t.rip)
            w.blob(t.instruction)
            w.varint(t.offset); w.u8(t.size); w.varint(t.value)
        case let .pciConfigRead(v, offset, size, value), let .pciConfigWrite(v, offset, size, value):
            w.varint(v); w.varint(offset); w.u8(size); w.varint(value)
        case let .ggttWrite(v, index, guest, host):
            w.varint(v); w.varint(index); w.varint(guest); w.varint(host)
        case let .ggttWriteIgnored(v, index, guest, reason):
            w.varint(v); w.varint(index); w.varint(guest); w.varint(reason)
        case let .protectedPageWrite(v, gpa, bytes):
            w.varint(v); w.varint(gpa); w.blob(bytes)
        case let .shadowEntryChanged(v, table, index, guest, shadow):
            w.varint(v); w.varint(table); w.varint(index); w.varint(guest); w.varint(shadow)
        case let .elspSubmission(v, engine, d):
            w.varint(v); w.u8(engine)
            w.u32le(d.d0); w.u32le(d.d1); w.u32le(d.d2); w.u32le(d.d3)
        case let .workloadCreated(wl):
            w.varint(wl.vgpu); w.u8(wl.engine); w.varint(wl.workload); w.varint(wl.ringStart)
            w.varint(wl.head); w.varint(wl.tail); w.varint(wl.contextDescriptor)
            switch wl.audit {
            case .ok:
                w.u8(0)
            case let .rejected(reason, address, header):
                w.u8(1); w.varint(reason); w.varint(address); w.varint(header)
            }
            w.varint(wl.batchBuffers)
        case let .workloadDispatched(v, engine, workload):
            w.varint(v); w.u8(engine); w.varint(workload)
        case let .workloadCompleted(v, engine, workload, status):
            w.varint(v); w.u8(engine); w.varint(workload); w.varint(status)
        case let .guestMemoryRead(v, gpa, length, content):
            w.varint(v); w.varint(gpa); w.varint(length)
            w.u64le(content.page.hash); w.varint(content.page.variant); w.varint(content.offset)
        case let .clockReading(value):
            w.varint(value)
        case let .timerExpiry(kind):
            w.varint(kind)
        case let .contextStatus(engine, flags, context):
            w.u8(engine); w.varint(flags); w.varint(context)
        case let .completion(engine, context):
            w.u8(engine); w.varint(context)
        case let .hang(engine, reason, acthd, instruction, head, tail):
            w.u8(engine); w.varint(reason); w.varint(acthd); w.varint(instruction); w.varint(head); w.varint(tail)
        case let .engineStall(engine, reason):
            w.u8(engine); w.varint(reason)
        case let .engineReset(engines):
            w.varint(engines)
        case let .privilegeViolation(v, engine, instruction, address):
            w.varint(v); w.u8(engine); w.varint(instruction); w.varint(address)
        case let .virtualInterrupt(v, bank, bit):
            w.varint(v); w.u8(bank); w.u8(bit)
        case let .msiInjected(v, address, data):
            w.varint(v); w.varint(address); w.varint(data)
        case let .schedulerDecision(engine, from, to, reason, budgets):
            w.optionalVarint(engine.map(UInt64.init)); w.optionalVarint(from.map(UInt64.init))
            w.optionalVarint(to.map(UInt64.init)); w.varint(reason)
            w.varint(UInt64(budgets.count))
            for b in budgets { w.zigzag(b) }
        case let .mmioContextSwitch(engine, from, to, registers):
            w.u8(engine); w.optionalVarint(from.map(UInt64.init)); w.optionalVarint(to.map(UInt64.init))
            w.varint(UInt64(registers.count))
            for r in registers { w.varint(r.offset); w.varint(r.value) }
        case let .failsafe(v, reason, detail):
            w.varint(v); w.varint(reason); w.string(detail)
        case let .isolationFinding(v, kind, address, detail):
            w.varint(v); w.varint(kind); w.varint(address); w.string(detail)
        case let .vgpuCreated(v, type):
            w.varint(v); w.string(type)
        case let .vgpuDestroyed(v):
            w.varint(v)
        case let .vgpuReset(v, dmlr, engines):
            w.varint(v); w.u8(dmlr ? 1 : 0); w.varint(engines)
        case let .hostRegisterWrite(offset, value):
            w.varint(offset); w.varint(value)
        case let .g2vNotification(v, notification):
            w.varint(v); w.varint(notification)
        case let .guestPageWritten(v, frame, page):
            w.varint(v); w.varint(frame); w.u64le(page.hash); w.varint(page.variant)
        case let .vgpuCreateRequest(type, ramPages, v, firstFrame):
            w.string(type); w.varint(ramPages); w.varint(v); w.varint(firstFrame)
        case let .vgpuDestroyRequest(v), let .vgpuResetRequest(v):
            w.varint(v)
        case let .note(v, engine, topic, text):
            w.optionalVarint(v.map(UInt64.init)); w.optionalVarint(engine.map(UInt64.init)); w.varint(topic); w.string(text)
        case let .guestMemoryWrite(v, gpa, bytes):
            w.varint(v); w.varint(gpa); w.blob(bytes)
        case let .guestContextStatus(v, engine, index, flags, context):
            w.varint(v); w.u8(engine); w.u8(index); w.varint(flags); w.varint(context)
        case let .extension(_, bytes):
            w.append(contentsOf: bytes)
        }
    }

    /// Decodes the payload of a record of kind `kind` that fills the rest of `r`.
    static func decodePayload(kind: UInt32, _ r: inout ByteReader) throws(DecodeFailure) -> JournalEvent {
        guard let known = JournalEventKind(rawValue: kind) else {
            return .extension(kind: kind, bytes: try r.bytes(r.remaining))
        }
        let event: JournalEvent
        switch known {
        case .mmioRead, .mmioWrite:
            let vgpu = try r.varint(UInt32.self), vcpu = try r.varint(UInt32.self), rip = try r.varint()
            let instruction = try r.blob(limit: MMIOTrap.maxInstructionLength)
            let offset = try r.varint(UInt32.self), size = try r.u8(), value = try r.varint()
            let trap = MMIOTrap(vgpu: vgpu, vcpu: vcpu, rip: rip, instruction: instruction, offset: offset, size: size, value: value)
            event = known == .mmioRead ? .mmioRead(trap) : .mmioWrite(trap)
        case .pciConfigRead, .pciConfigWrite:
            let v = try r.varint(UInt32.self), offset = try r.varint(UInt16.self), size = try r.u8(), value = try r.varint(UInt32.self)
            event = known == .pciConfigRead
                ? .pciConfigRead(vgpu: v, offset: offset, size: size, value: value)
                : .pciConfigWrite(vgpu: v, offset: offset, size: size, value: value)
        case .ggttWrite:
            event = .ggttWrite(vgpu: try r.varint(UInt32.self), index: try r.varint(), guestPTE: try r.varint(), hostPTE: try r.varint())
        case .ggttWriteIgnored:
            event = .ggttWriteIgnored(vgpu: try r.varint(UInt32.self), index: try r.varint(), guestPTE: try r.varint(),
                                      reason: try r.varint(UInt32.self))
        case .protectedPageWrite:
            event = .protectedPageWrite(vgpu: try r.varint(UInt32.self), gpa: try r.varint(), bytes: try r.blob())
        case .shadowEntryChanged:
            event = .shadowEntryChanged(vgpu: try r.varint(UInt32.self), table: try r.varint(), index: try r.varint(UInt32.self),
                                        guest: try r.varint(), shadow: try r.varint())
        case .elspSubmission:
            let v = try r.varint(UInt32.self), engine = try r.u8()
            let d = ELSPDwords(try r.u32le(), try r.u32le(), try r.u32le(), try r.u32le())
            event = .elspSubmission(vgpu: v, engine: engine, dwords: d)
        case .workloadCreated:
            let v = try r.varint(UInt32.self), engine = try r.u8(), id = try r.varint(), ring = try r.varint()
            let head = try r.varint(UInt32.self), tail = try r.varint(UInt32.self), desc = try r.varint()
            let audit: WorkloadAudit
            switch try r.u8() {
            case 0: audit = .ok
            case 1: audit = .rejected(reason: try r.varint(UInt32.self), address: try r.varint(), header: try r.varint(UInt32.self))
            case let other: throw r.fail("unknown audit tag \(other)")
            }
            event = .workloadCreated(Workload(vgpu: v, engine: engine, workload: id, ringStart: ring, head: head, tail: tail,
                                              contextDescriptor: desc, audit: audit, batchBuffers: try r.varint(UInt32.self)))
        case .workloadDispatched:
            event = .workloadDispatched(vgpu: try r.varint(UInt32.self), engine: try r.u8(), workload: try r.varint())
        case .workloadCompleted:
            event = .workloadCompleted(vgpu: try r.varint(UInt32.self), engine: try r.u8(), workload: try r.varint(),
                                       status: try r.varint(UInt32.self))
        case .guestMemoryRead:
            let v = try r.varint(UInt32.self), gpa = try r.varint(), length = try r.varint(UInt32.self)
            let key = PageKey(hash: try r.u64le(), variant: try r.varint(UInt32.self))
            event = .guestMemoryRead(vgpu: v, gpa: gpa, length: length,
                                     content: PageReference(page: key, offset: try r.varint(UInt32.self)))
        case .clockReading:
            event = .clockReading(value: try r.varint())
        case .timerExpiry:
            event = .timerExpiry(kind: try r.varint(UInt32.self))
        case .contextStatus:
            event = .contextStatus(engine: try r.u8(), flags: try r.varint(UInt32.self), context: try r.varint(UInt32.self))
        case .completion:
            event = .completion(engine: try r.u8(), context: try r.varint(UInt32.self))
        case .hang:
            event = .hang(engine: try r.u8(), reason: try r.varint(UInt32.self), acthd: try r.varint(),
                          instruction: try r.varint(UInt32.self), head: try r.varint(UInt32.self), tail: try r.varint(UInt32.self))
        case .engineStall:
            event = .engineStall(engine: try r.u8(), reason: try r.varint(UInt32.self))
        case .engineReset:
            event = .engineReset(engines: try r.varint(UInt32.self))
        case .privilegeViolation:
            event = .privilegeViolation(vgpu: try r.varint(UInt32.self), engine: try r.u8(), instruction: try r.varint(UInt32.self),
                                        address: try r.varint())
        case .virtualInterrupt:
            event = .virtualInterrupt(vgpu: try r.varint(UInt32.self), bank: try r.u8(), bit: try r.u8())
        case .msiInjected:
            event = .msiInjected(vgpu: try r.varint(UInt32.self), address: try r.varint(), data: try r.varint(UInt32.self))
        case .schedulerDecision:
            let engine = try r.optionalVarint(UInt8.self), from = try r.optionalVarint(UInt32.self)
            let to = try r.optionalVarint(UInt32.self), reason = try r.varint(UInt32.self)
            let count = try r.varint()
            guard count <= UInt64(r.remaining) else { throw r.fail("budget count \(count) exceeds the record") }
            var budgets: [Int64] = []
            budgets.reserveCapacity(Int(count))
            for _ in 0..<count { budgets.append(try r.zigzag()) }
            event = .schedulerDecision(engine: engine, from: from, to: to, reason: reason, budgets: budgets)
        case .mmioContextSwitch:
            let engine = try r.u8(), from = try r.optionalVarint(UInt32.self), to = try r.optionalVarint(UInt32.self)
            let count = try r.varint()
            guard count <= UInt64(r.remaining / 2) else { throw r.fail("register count \(count) exceeds the record") }
            var registers: [RegisterWrite] = []
            registers.reserveCapacity(Int(count))
            for _ in 0..<count {
                registers.append(RegisterWrite(offset: try r.varint(UInt32.self), value: try r.varint(UInt32.self)))
            }
            event = .mmioContextSwitch(engine: engine, from: from, to: to, registers: registers)
        case .failsafe:
            event = .failsafe(vgpu: try r.varint(UInt32.self), reason: try r.varint(UInt32.self), detail: try r.string())
        case .isolationFinding:
            event = .isolationFinding(vgpu: try r.varint(UInt32.self), kind: try r.varint(UInt32.self), address: try r.varint(),
                                      detail: try r.string())
        case .vgpuCreated:
            event = .vgpuCreated(vgpu: try r.varint(UInt32.self), type: try r.string())
        case .vgpuDestroyed:
            event = .vgpuDestroyed(vgpu: try r.varint(UInt32.self))
        case .vgpuReset:
            let v = try r.varint(UInt32.self)
            let flag = try r.u8()
            guard flag <= 1 else { throw r.fail("dmlr flag \(flag) is not 0 or 1") }
            event = .vgpuReset(vgpu: v, dmlr: flag == 1, engines: try r.varint(UInt32.self))
        case .hostRegisterWrite:
            event = .hostRegisterWrite(offset: try r.varint(UInt32.self), value: try r.varint(UInt32.self))
        case .g2vNotification:
            event = .g2vNotification(vgpu: try r.varint(UInt32.self), notification: try r.varint(UInt32.self))
        case .guestPageWritten:
            let v = try r.varint(UInt32.self), frame = try r.varint()
            event = .guestPageWritten(vgpu: v, frame: frame, page: PageKey(hash: try r.u64le(), variant: try r.varint(UInt32.self)))
        case .vgpuCreateRequest:
            let type = try r.string(), pages = try r.varint(UInt32.self), v = try r.varint(UInt32.self)
            event = .vgpuCreateRequest(type: type, ramPages: pages, vgpu: v, firstFrame: try r.varint())
        case .vgpuDestroyRequest:
            event = .vgpuDestroyRequest(vgpu: try r.varint(UInt32.self))
        case .vgpuResetRequest:
            event = .vgpuResetRequest(vgpu: try r.varint(UInt32.self))
        case .note:
            let v = try r.optionalVarint(UInt32.self), engine = try r.optionalVarint(UInt8.self)
            event = .note(vgpu: v, engine: engine, topic: try r.varint(UInt32.self), text: try r.string())
        case .guestMemoryWrite:
            let v = try r.varint(UInt32.self), gpa = try r.varint()
            event = .guestMemoryWrite(vgpu: v, gpa: gpa, bytes: try r.blob())
        case .guestContextStatus:
            let v = try r.varint(UInt32.self), engine = try r.u8(), index = try r.u8()
            event = .guestContextStatus(vgpu: v, engine: engine, index: index, flags: try r.varint(UInt32.self),
                                        context: try r.varint(UInt32.self))
        }
        // Newer writers may append fields to a known kind; older readers ignore them.
        r.position = r.end
        return event
    }
}

/// Appends records to a frame's raw bytes, keeping the per-frame deltas.
struct RecordEncoder {
    private var previousSequence: UInt64?
    private var previousTime: UInt64 = 0
    private var scratch = ByteWriter(capacity: 256)

    /// Starts a new frame: the next event stores absolute values.
    mutating func startFrame() {
        previousSequence = nil
        previousTime = 0
    }

    /// The sequence number of the last event encoded into this frame.
    var lastSequence: UInt64? { previousSequence }

    /// Appends one event record. Precondition: sequence numbers strictly increase.
    mutating func encode(_ record: JournalRecord, into out: inout [UInt8]) {
        let seqField: UInt64
        if let previous = previousSequence {
            precondition(record.sequence > previous, "journal sequence numbers must strictly increase (\(record.sequence) after \(previous))")
            seqField = record.sequence - previous - 1
        } else {
            seqField = record.sequence
        }
        let kind = record.event.kindID
        if case .extension = record.event {
            precondition(kind != JournalEventKind.pageRecordID && JournalEventKind(rawValue: kind) == nil,
                         "extension kind \(kind) collides with a registered kind")
        }
        scratch.removeAll()
        scratch.varint(seqField)
        scratch.zigzag(Int64(bitPattern: record.time &- previousTime))
        EventCodec.encodePayload(record.event, into: &scratch)
        precondition(scratch.count <= EventCodec.maxRecordBytes, "record of \(scratch.count) bytes is too large")
        previousSequence = record.sequence
        previousTime = record.time
        appendRecord(kind: kind, into: &out)
    }

    /// Appends one page record.
    mutating func encodePage(_ key: PageKey, content: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        scratch.removeAll()
        scratch.u64le(key.hash)
        scratch.varint(key.variant)
        scratch.append(content)
        precondition(scratch.count <= EventCodec.maxRecordBytes, "page of \(content.count) bytes is too large")
        appendRecord(kind: JournalEventKind.pageRecordID, into: &out)
    }

    /// Appends one page-patch record: the page's key, its base's key and the patch runs.
    mutating func encodePagePatch(_ key: PageKey, base: PageKey, patch: [UInt8], into out: inout [UInt8]) {
        scratch.removeAll()
        scratch.u64le(key.hash)
        scratch.varint(key.variant)
        scratch.u64le(base.hash)
        scratch.varint(base.variant)
        scratch.append(contentsOf: patch)
        appendRecord(kind: JournalEventKind.pagePatchRecordID, into: &out)
    }

    /// Appends kind, length and the scratch body to the frame's raw bytes.
    private func appendRecord(kind: UInt32, into out: inout [UInt8]) {
        ByteWriter.appendVarint(UInt64(kind), to: &out)
        ByteWriter.appendVarint(UInt64(scratch.count), to: &out)
        scratch.withUnsafeBytes { out.append(contentsOf: $0) }
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

/// Decodes a frame's raw bytes record by record, undoing the deltas.
struct RecordDecoder {
    private var previousSequence: UInt64?
    private var previousTime: UInt64 = 0

    /// Decodes the record at `r.position`; nil at the end of the buffer.
    mutating func next(_ r: inout ByteReader) throws(DecodeFailure) -> DecodedItem? {
        if r.isAtEnd { return nil }
        let kind = try r.varint(UInt32.self)
        let lengthAt = r.position
        let length = try r.varint()
        guard length <= UInt64(min(r.remaining, EventCodec.maxRecordBytes)) else {
            throw DecodeFailure(offset: lengthAt, what: "record length \(length) exceeds the \(r.remaining) bytes left in the frame")
        }
        let bodyEnd = r.position + Int(length)
        let savedEnd = r.end
        r.end = bodyEnd
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
        let seqField = try r.varint()
        let sequence: UInt64
        if let previous = previousSequence {
            let (next, overflow) = previous.addingReportingOverflow(seqField)
            guard !overflow, next < UInt64.max else { throw r.fail("sequence number overflows") }
            sequence = next + 1
        } else {
            sequence = seqField
        }
        let time = previousTime &+ UInt64(bitPattern: try r.zigzag())
        let event = try EventCodec.decodePayload(kind: kind, &r)
        previousSequence = sequence
        previousTime = time
        return .event(JournalRecord(sequence: sequence, time: time, event: event))
    }
}
