import Foundation
@testable import Journal

/// Shared test data: a header, one event of every kind (ordinary and extreme values), and
/// helpers that write journals into memory.
enum Fixtures {
    static let header = JournalHeader(
        mediator: .init(release: "0.1.0", sourceRevision: "abc123"), revision: "r42",
        configuration: ["scheduler": "time-slice"], configurationData: ["config.json": Data("{\"a\":1}".utf8)],
        gpuDeviceID: 0x5A84,
        vms: [.init(name: "vm0", vgpu: 1, vgpuType: "GVTg_V5_4"), .init(name: "vm1", vgpu: 2, vgpuType: "GVTg_V5_8")],
        bench: "multi-vm", benchParameters: ["seed": "7", "ops": "1000"], host: "testhost",
        startTimeUnixNanoseconds: 1_700_000_000_123_456_789)

    static let page = PageReference(page: PageKey(hash: 0x0123_4567_89AB_CDEF, variant: 3), offset: 16)

    /// One event of every registered kind with ordinary values.
    static let ordinary: [JournalEvent] = [
        .mmioRead(MMIOTrap(vgpu: 1, vcpu: 0, rip: 0xFFFF_FFFF_8100_1234, instruction: [0x8B, 0x00], offset: 0x2030, size: 4, value: 0x40)),
        .mmioWrite(MMIOTrap(vgpu: 2, vcpu: 3, rip: 0xFFFF_FFFF_8100_5678, instruction: [0x89, 0x10], offset: 0x2034, size: 4, value: 0x80)),
        .pciConfigRead(vgpu: 1, offset: 0x10, size: 4, value: 0xF000_0004),
        .pciConfigWrite(vgpu: 1, offset: 0x04, size: 2, value: 0x0007),
        .ggttWrite(vgpu: 1, index: 0x1234, guestPTE: 0x1_2345_6003, hostPTE: 0x7_6543_2003),
        .ggttWriteIgnored(vgpu: 2, index: 0xFFFF, guestPTE: 0xDEAD_B003, reason: 2),
        .protectedPageWrite(vgpu: 1, gpa: 0x1234_5000, bytes: [1, 2, 3, 4, 5, 6, 7, 8]),
        .shadowEntryChanged(vgpu: 1, table: 0x8_0000_0000, index: 511, guest: 0x1234_5007, shadow: 0x9876_5007),
        .elspSubmission(vgpu: 1, engine: 0, dwords: ELSPDwords(0, 0, 0x1000_0019, 0x0020_0000)),
        .workloadCreated(Workload(vgpu: 1, engine: 0, workload: 17, ringStart: 0x10_0000, head: 0x40, tail: 0x80,
                                  contextDescriptor: 0x0020_0000_1000_0019, audit: .ok, batchBuffers: 2)),
        .workloadCreated(Workload(vgpu: 2, engine: 1, workload: 18, ringStart: 0x20_0000, head: 0, tail: 0x100,
                                  contextDescriptor: 0x19, audit: .rejected(reason: 5, address: 0xFEDC_BA98, header: 0x1100_0001),
                                  batchBuffers: 0)),
        .workloadDispatched(vgpu: 1, engine: 0, workload: 17),
        .workloadCompleted(vgpu: 1, engine: 0, workload: 17, status: 0),
        .guestMemoryRead(vgpu: 1, gpa: 0x3000_0010, length: 64, content: page),
        .clockReading(value: 123_456_789),
        .timerExpiry(kind: 1),
        .contextStatus(engine: 0, flags: 0x0000_8001, context: 7),
        .completion(engine: 2, context: 7),
        .hang(engine: 0, reason: 1, acthd: 0x10_0040, instruction: 0x1880_0001, head: 0x40, tail: 0x80),
        .engineStall(engine: 3, reason: 2),
        .engineReset(engines: 0b0101),
        .privilegeViolation(vgpu: 2, engine: 0, instruction: 0x1100_0001, address: 0x2000),
        .virtualInterrupt(vgpu: 1, bank: 0, bit: 8),
        .msiInjected(vgpu: 1, address: 0xFEE0_0000, data: 0x4021),
        .schedulerDecision(engine: 0, from: 1, to: 2, reason: 3, budgets: [1_000_000, -250_000, 0]),
        .schedulerDecision(engine: nil, from: nil, to: 1, reason: 0, budgets: []),
        .mmioContextSwitch(engine: 0, from: 1, to: 2, registers: [RegisterWrite(offset: 0x229C, value: 0xFFFF_0000),
                                                                  RegisterWrite(offset: 0x20C0, value: 0x0100_0100)]),
        .failsafe(vgpu: 2, reason: 1, detail: "unsupported guest driver"),
        .isolationFinding(vgpu: 2, kind: 4, address: 0x1_0000_0000, detail: "PTE maps a page of vgpu 1 — ⚠"),
        .vgpuCreated(vgpu: 1, type: "GVTg_V5_4"),
        .vgpuDestroyed(vgpu: 2),
        .vgpuReset(vgpu: 1, dmlr: true, engines: 0xF),
        .hostRegisterWrite(offset: 0x2030, value: 0x80),
        .g2vNotification(vgpu: 1, notification: 3),
        .guestPageWritten(vgpu: 1, frame: 0x1234, page: PageKey(hash: 0x0123_4567_89AB_CDEF, variant: 0)),
        .vgpuCreateRequest(type: "GVTg_V5_4", ramPages: 1024, vgpu: 1, firstFrame: 0x4000),
        .vgpuDestroyRequest(vgpu: 2),
        .vgpuResetRequest(vgpu: 1),
        .note(vgpu: 1, engine: 0, topic: 7, text: "shadow PPGTT created"),
        .note(vgpu: nil, engine: nil, topic: 0, text: ""),
        .guestMemoryWrite(vgpu: 1, gpa: 0x3_A014, bytes: [0x68, 0x08, 0, 0]),
        .guestContextStatus(vgpu: 1, engine: 1, index: 3, flags: 0x18, context: 0x21),
        .extension(kind: 0x8001, bytes: [0xDE, 0xAD, 0xBE, 0xEF]),
    ]

    /// One event of every registered kind with the largest (or emptiest) values.
    static let extreme: [JournalEvent] = {
        let m32 = UInt32.max, m64 = UInt64.max
        let trap = MMIOTrap(vgpu: m32, vcpu: m32, rip: m64, instruction: [UInt8](repeating: 0xFF, count: 15),
                            offset: m32, size: .max, value: m64)
        let empty = MMIOTrap(vgpu: 0, vcpu: 0, rip: 0, instruction: [], offset: 0, size: 0, value: 0)
        return [
            .mmioRead(trap), .mmioWrite(trap), .mmioRead(empty),
            .pciConfigRead(vgpu: m32, offset: .max, size: .max, value: m32),
            .pciConfigWrite(vgpu: 0, offset: 0, size: 0, value: 0),
            .ggttWrite(vgpu: m32, index: m64, guestPTE: m64, hostPTE: m64),
            .ggttWriteIgnored(vgpu: m32, index: m64, guestPTE: m64, reason: m32),
            .protectedPageWrite(vgpu: m32, gpa: m64, bytes: [UInt8](repeating: 0xA5, count: 4096)),
            .protectedPageWrite(vgpu: 0, gpa: 0, bytes: []),
            .shadowEntryChanged(vgpu: m32, table: m64, index: m32, guest: m64, shadow: m64),
            .elspSubmission(vgpu: m32, engine: .max, dwords: ELSPDwords(m32, m32, m32, m32)),
            .workloadCreated(Workload(vgpu: m32, engine: .max, workload: m64, ringStart: m64, head: m32, tail: m32,
                                      contextDescriptor: m64, audit: .rejected(reason: m32, address: m64, header: m32),
                                      batchBuffers: m32)),
            .workloadDispatched(vgpu: m32, engine: .max, workload: m64),
            .workloadCompleted(vgpu: m32, engine: .max, workload: m64, status: m32),
            .guestMemoryRead(vgpu: m32, gpa: m64, length: m32,
                             content: PageReference(page: PageKey(hash: m64, variant: m32), offset: m32)),
            .clockReading(value: m64), .timerExpiry(kind: m32),
            .contextStatus(engine: .max, flags: m32, context: m32), .completion(engine: .max, context: m32),
            .hang(engine: .max, reason: m32, acthd: m64, instruction: m32, head: m32, tail: m32),
            .engineStall(engine: .max, reason: m32), .engineReset(engines: m32),
            .privilegeViolation(vgpu: m32, engine: .max, instruction: m32, address: m64),
            .virtualInterrupt(vgpu: m32, bank: .max, bit: .max),
            .msiInjected(vgpu: m32, address: m64, data: m32),
            .schedulerDecision(engine: UInt8.max, from: m32, to: m32, reason: m32, budgets: [Int64.min, Int64.max, -1]),
            .mmioContextSwitch(engine: .max, from: nil, to: nil, registers: []),
            .mmioContextSwitch(engine: 0, from: m32, to: m32,
                               registers: (0..<300).map { RegisterWrite(offset: m32 - UInt32($0), value: UInt32($0)) }),
            .failsafe(vgpu: m32, reason: m32, detail: ""),
            .isolationFinding(vgpu: m32, kind: m32, address: m64, detail: String(repeating: "x", count: 10_000)),
            .vgpuCreated(vgpu: m32, type: ""), .vgpuDestroyed(vgpu: m32),
            .vgpuReset(vgpu: m32, dmlr: false, engines: m32),
            .hostRegisterWrite(offset: m32, value: m32), .g2vNotification(vgpu: m32, notification: m32),
            .guestPageWritten(vgpu: m32, frame: m64, page: PageKey(hash: m64, variant: m32)),
            .vgpuCreateRequest(type: String(repeating: "t", count: 300), ramPages: m32, vgpu: m32, firstFrame: m64),
            .vgpuDestroyRequest(vgpu: m32), .vgpuResetRequest(vgpu: m32),
            .note(vgpu: m32, engine: .max, topic: m32, text: String(repeating: "n", count: 5000)),
            .guestMemoryWrite(vgpu: m32, gpa: m64, bytes: [UInt8](repeating: 0xEE, count: 4096)),
            .guestMemoryWrite(vgpu: 0, gpa: 0, bytes: []),
            .guestContextStatus(vgpu: m32, engine: .max, index: .max, flags: m32, context: m32),
            .extension(kind: m32, bytes: []), .extension(kind: 0x8002, bytes: [UInt8](repeating: 7, count: 1000)),
        ]
    }()

    /// `count` records cycling through the ordinary events (no page references), sequence 1…,
    /// times 1000 ns apart.
    static func records(_ count: Int, from first: UInt64 = 1) -> [JournalRecord] {
        let events = ordinary.filter {
            switch $0 {
            case .guestMemoryRead, .guestPageWritten: false
            default: true
            }
        }
        return (0..<count).map { i in
            JournalRecord(sequence: first + UInt64(i), time: 5_000 + UInt64(i) * 1_000, event: events[i % events.count])
        }
    }

    static func options(events: Int = 4096, bytes: Int = 256 << 10) -> JournalWriterOptions {
        var o = JournalWriterOptions()
        o.maxEventsPerFrame = events
        o.maxFrameBytes = bytes
        o.maxFrameAge = nil  // frames cut by size only: byte-exact comparisons
        return o
    }

    /// A complete journal of `records` (plus a few pages and the events that reference them).
    static func journal(_ records: [JournalRecord], options: JournalWriterOptions = options(), close: Bool = true) throws -> [UInt8] {
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: header, options: options)
        for r in records { try writer.append(r) }
        if close { try writer.close() } else { try writer.cutFrame() }
        return sink.bytes
    }

    /// A journal with pages: every 10th event is a guest memory read of one of 7 page contents.
    static func journalWithPages(events: Int, options: JournalWriterOptions = options(events: 64)) throws
        -> (bytes: [UInt8], records: [JournalRecord], pages: [PageKey: [UInt8]])
    {
        let sink = MemoryJournalSink()
        let writer = try JournalWriter(sink: sink, header: header, options: options)
        var written: [JournalRecord] = []
        var pages: [PageKey: [UInt8]] = [:]
        let base = records(events)
        for (i, r) in base.enumerated() {
            var record = r
            if i % 10 == 0 {
                let content = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* (i % 7 + 1)) }
                let key = try writer.storePage(content)
                pages[key] = content
                record.event = .guestMemoryRead(vgpu: 1, gpa: UInt64(i) << 12, length: 64, content: PageReference(page: key, offset: 8))
            }
            try writer.append(record)
            written.append(record)
        }
        try writer.close()
        return (sink.bytes, written, pages)
    }

    /// Every event readable from `bytes`, and the damage that stopped reading (if any).
    static func readAll(_ bytes: [UInt8]) throws -> (records: [JournalRecord], damage: JournalDamage?) {
        let reader = try JournalReader(source: MemoryByteSource(bytes))
        let cursor = try reader.records()
        var out: [JournalRecord] = []
        do {
            while let r = try cursor.next() { out.append(r) }
        } catch let JournalError.damaged(d) {
            return (out, d)
        }
        return (out, nil)
    }
}

extension Fixtures {
    /// The write failure `body` throws, if any (other errors are rethrown).
    static func writeFailure(_ body: () throws -> Void) throws -> JournalWriteFailure? {
        do {
            try body()
            return nil
        } catch {
            guard let journalError = error as? JournalError, case let .writeFailed(failure) = journalError else { throw error }
            return failure
        }
    }
}
