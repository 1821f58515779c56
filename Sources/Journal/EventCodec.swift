/// The payload encodings of every event kind (docs/journal-format.md, "Event kinds").
///
/// `encodePayload`/`decodePayload` are the plain payloads (versions 1 and 2, and kinds ≥ 40
/// in version 3); the version-3 extension below codes the busiest kinds against the frame's
/// `FrameCodingState`. Record framing (code, Δsequence, Δtime, length) is in `RecordCoding`.
/// Encoder and decoder live side by side so they cannot drift (rr's habit).
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
        let event = try decodeKnownPayload(known, &r)
        // Newer writers may append fields to a known kind; older readers ignore them.
        r.position = r.end
        return event
    }

    /// Decodes the fields of a known kind's payload from `r.position`, leaving `r` after them.
    static func decodeKnownPayload(_ known: JournalEventKind, _ r: inout ByteReader) throws(DecodeFailure) -> JournalEvent {
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
        return event
    }
}

// MARK: Version 3: payloads coded against the frame's coding state

extension EventCodec {
    /// Highest kind id whose version-3 records carry no length (the kinds registered when
    /// version 3 was made); later kinds always carry one, so a version-3 reader skips them.
    static let lastUndelimitedKind: UInt32 = 39

    /// Appends the version-3 payload of `event` (kinds 1…39), updating `state`.
    static func encodePayloadV3(_ event: JournalEvent, state: inout FrameCodingState, into w: inout ByteWriter) {
        switch event {
        case let .mmioRead(t), let .mmioWrite(t):
            encodeTrap(t, state: &state, into: &w)
        case let .guestMemoryRead(v, gpa, length, content):
            w.varint(v); w.varint(gpa); w.varint(length)
            encodeKey(content.page, state: &state, into: &w); w.varint(content.offset)
        case let .guestPageWritten(v, frame, page):
            w.varint(v); w.varint(frame)
            encodeKey(page, state: &state, into: &w)
        case let .schedulerDecision(engine, from, to, reason, budgets):
            w.optionalVarint(engine.map(UInt64.init)); w.optionalVarint(from.map(UInt64.init))
            w.optionalVarint(to.map(UInt64.init)); w.varint(reason)
            encodeBudgets(budgets, state: &state, into: &w)
        default:
            encodePayload(event, into: &w)
        }
    }

    /// Decodes a version-3 payload of a kind in 1…39 from `r.position`, updating `state`.
    static func decodePayloadV3(_ known: JournalEventKind, _ r: inout ByteReader,
                                state: inout FrameCodingState) throws(DecodeFailure) -> JournalEvent {
        switch known {
        case .mmioRead:
            return .mmioRead(try decodeTrap(&r, state: &state))
        case .mmioWrite:
            return .mmioWrite(try decodeTrap(&r, state: &state))
        case .guestMemoryRead:
            let v = try r.varint(UInt32.self), gpa = try r.varint(), length = try r.varint(UInt32.self)
            let key = try decodeKey(&r, state: &state)
            return .guestMemoryRead(vgpu: v, gpa: gpa, length: length, content: PageReference(page: key, offset: try r.varint(UInt32.self)))
        case .guestPageWritten:
            let v = try r.varint(UInt32.self), frame = try r.varint()
            return .guestPageWritten(vgpu: v, frame: frame, page: try decodeKey(&r, state: &state))
        case .schedulerDecision:
            let engine = try r.optionalVarint(UInt8.self), from = try r.optionalVarint(UInt32.self)
            let to = try r.optionalVarint(UInt32.self), reason = try r.varint(UInt32.self)
            return .schedulerDecision(engine: engine, from: from, to: to, reason: reason,
                                      budgets: try decodeBudgets(&r, state: &state))
        default:
            return try decodeKnownPayload(known, &r)
        }
    }

    // MARK: Page key references

    /// `ref:var` — 1 = the newest key noted in this frame, 2 the one before…; 0 = the key
    /// follows in full (`hash:u64le variant:var`) and is noted.
    static func encodeKey(_ key: PageKey, state: inout FrameCodingState, into w: inout ByteWriter) {
        if let reference = state.reference(of: key) {
            w.varint(UInt64(reference))
        } else {
            w.varint(UInt64(0)); w.u64le(key.hash); w.varint(key.variant)
            state.note(key, encoding: true)
        }
    }

    static func decodeKey(_ r: inout ByteReader, state: inout FrameCodingState) throws(DecodeFailure) -> PageKey {
        let at = r.position
        let reference = try r.varint()
        if reference == 0 {
            let key = PageKey(hash: try r.u64le(), variant: try r.varint(UInt32.self))
            state.note(key, encoding: false)
            return key
        }
        guard let key = state.key(reference: reference) else {
            throw DecodeFailure(offset: at, what: "page reference \(reference) names no key of this frame")
        }
        return key
    }

    // MARK: MMIO traps

    /// Trap flags: same vGPU/vCPU as the previous trap; (rip, offset) as predicted; the
    /// instruction and size last seen at (rip, offset); the value last seen there.
    static let trapSameSource: UInt8 = 1, trapPredictedSite: UInt8 = 2, trapKnownInstruction: UInt8 = 4,
               trapKnownValue: UInt8 = 8

    static func encodeTrap(_ t: MMIOTrap, state: inout FrameCodingState, into w: inout ByteWriter) {
        let previous = state.previousTrap(vgpu: t.vgpu, vcpu: t.vcpu)
        var flags: UInt8 = 0
        if let s = state.lastTrapSource, s.vgpu == t.vgpu, s.vcpu == t.vcpu { flags |= trapSameSource }
        if let p = state.successor(of: previous), p.rip == t.rip, p.offset == t.offset { flags |= trapPredictedSite }
        if let site = state.site(rip: t.rip, offset: t.offset) {
            if site.size == t.size, site.instruction == t.instruction { flags |= trapKnownInstruction }
            if site.value == t.value { flags |= trapKnownValue }
        }
        w.u8(flags)
        if flags & trapSameSource == 0 { w.varint(t.vgpu); w.varint(t.vcpu) }
        if flags & trapPredictedSite == 0 {
            w.zigzag(Int64(bitPattern: t.rip &- previous.rip))
            w.zigzag(Int64(Int32(bitPattern: t.offset &- previous.offset)))
        }
        if flags & trapKnownInstruction == 0 { w.blob(t.instruction); w.u8(t.size) }
        if flags & trapKnownValue == 0 { w.varint(t.value) }
        state.noteTrap(t, previous: previous)
    }

    static func decodeTrap(_ r: inout ByteReader, state: inout FrameCodingState) throws(DecodeFailure) -> MMIOTrap {
        let flags = try r.u8()
        guard flags & 0xF0 == 0 else { throw r.fail("unknown trap flags \(flags)") }
        let vgpu: UInt32, vcpu: UInt32
        if flags & trapSameSource != 0 {
            guard let s = state.lastTrapSource else { throw r.fail("trap repeats the source of a trap this frame has not had") }
            (vgpu, vcpu) = s
        } else {
            vgpu = try r.varint(UInt32.self)
            vcpu = try r.varint(UInt32.self)
        }
        let previous = state.previousTrap(vgpu: vgpu, vcpu: vcpu)
        let rip: UInt64, offset: UInt32
        if flags & trapPredictedSite != 0 {
            guard let p = state.successor(of: previous) else { throw r.fail("trap site predicted without a prediction") }
            (rip, offset) = p
        } else {
            rip = previous.rip &+ UInt64(bitPattern: try r.zigzag())
            let delta = try r.zigzag()
            guard let narrow = Int32(exactly: delta) else { throw r.fail("trap offset delta \(delta) out of range") }
            offset = previous.offset &+ UInt32(bitPattern: narrow)
        }
        let site = state.site(rip: rip, offset: offset)
        let instruction: [UInt8], size: UInt8
        if flags & trapKnownInstruction != 0 {
            guard let site else { throw r.fail("trap instruction refers to a site this frame has not seen") }
            (instruction, size) = (site.instruction, site.size)
        } else {
            instruction = try r.blob(limit: MMIOTrap.maxInstructionLength)
            size = try r.u8()
        }
        let value: UInt64
        if flags & trapKnownValue != 0 {
            guard let site else { throw r.fail("trap value refers to a site this frame has not seen") }
            value = site.value
        } else {
            value = try r.varint()
        }
        let trap = MMIOTrap(vgpu: vgpu, vcpu: vcpu, rip: rip, instruction: instruction, offset: offset, size: size, value: value)
        state.noteTrap(trap, previous: previous)
        return trap
    }

    // MARK: Scheduler budgets

    /// `n:var` — 0: the previous decision's budgets; else n−1 budgets, a bitmap of the ones
    /// that differ from the previous decision's (LSB first), and each of those as a zigzag
    /// delta against it (0 where the previous decision had fewer).
    static func encodeBudgets(_ budgets: [Int64], state: inout FrameCodingState, into w: inout ByteWriter) {
        let previous = state.lastBudgets
        guard budgets != previous else {
            w.varint(UInt64(0))
            return
        }
        w.varint(UInt64(budgets.count) + 1)
        var byte: UInt8 = 0
        for (i, b) in budgets.enumerated() {
            if i >= previous.count || previous[i] != b { byte |= 1 << UInt8(i & 7) }
            if i & 7 == 7 || i == budgets.count - 1 {
                w.u8(byte)
                byte = 0
            }
        }
        for (i, b) in budgets.enumerated() where i >= previous.count || previous[i] != b {
            w.zigzag(b &- (i < previous.count ? previous[i] : 0))
        }
        state.lastBudgets = budgets
    }

    static func decodeBudgets(_ r: inout ByteReader, state: inout FrameCodingState) throws(DecodeFailure) -> [Int64] {
        let n = try r.varint()
        if n == 0 { return state.lastBudgets }
        let count = n - 1
        guard count <= UInt64(r.remaining) * 8 else { throw r.fail("budget count \(count) exceeds the record") }
        let bitmap = try r.bytes((Int(count) + 7) / 8)
        let previous = state.lastBudgets
        var budgets: [Int64] = []
        budgets.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            let base = i < previous.count ? previous[i] : 0
            if bitmap[i >> 3] & (1 << UInt8(i & 7)) != 0 {
                budgets.append(base &+ (try r.zigzag()))
            } else {
                budgets.append(base)
            }
        }
        state.lastBudgets = budgets
        return budgets
    }
}
