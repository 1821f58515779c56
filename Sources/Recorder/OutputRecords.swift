import GPUModel
import Journal
import Mediator

/// The journal form of the engine's outputs: each mediator event that is an output becomes
/// one journal event (`record`), or none when the event merely restates an input the
/// recorder writes itself (traps, config accesses, timers, clock readings) or guest memory
/// the mediator read (its content is already in the journal as guest pages).
///
/// Outputs with a kind of their own keep their fields; the rest become `.note` with a topic
/// from `NoteTopic` and a deterministic text, so replay compares them all.
public enum OutputRecords {
    /// The journal event for `event`, or nil when it is not an output.
    public static func record(_ event: MediatorEvent) -> JournalEvent? {
        switch event {
        case .mmioRead, .mmioWrite, .configRead, .configWrite, .pageTrackWrite, .guestMemoryRead, .clock, .timer:
            return nil
        case let .vgpuCreated(id, type):
            return .vgpuCreated(vgpu: v(id), type: type)
        case let .vgpuDestroyed(id):
            return .vgpuDestroyed(vgpu: v(id))
        case let .vgpuReset(id, dml, engines):
            return .vgpuReset(vgpu: v(id), dmlr: dml, engines: UInt32(engines.rawValue))
        case let .ggttWrite(id, index, guest, host):
            return .ggttWrite(vgpu: v(id), index: UInt64(index), guestPTE: guest, hostPTE: host)
        case let .ggttWriteIgnored(id, index, guest, reason):
            return note(id, nil, .ggttWriteIgnored, "index \(hex(UInt64(index))) guest \(hex(guest)): \(reason)")
        case let .shadowPPGTTWrite(id, table, index, guest, shadow):
            return .shadowEntryChanged(vgpu: v(id), table: table.rawValue, index: UInt32(truncatingIfNeeded: index),
                                       guest: guest, shadow: shadow)
        case let .hostRegisterWrite(_, offset, value):
            return .hostRegisterWrite(offset: offset.rawValue, value: value)
        case let .virtualInterrupt(id, interrupt):
            return .virtualInterrupt(vgpu: v(id), bank: UInt8(truncatingIfNeeded: interrupt.bank.rawValue),
                                     bit: UInt8(truncatingIfNeeded: interrupt.bit))
        case let .msiInjected(id, address, data):
            return .msiInjected(vgpu: v(id), address: address, data: data)
        case let .failsafe(id, reason, detail):
            return .failsafe(vgpu: v(id), reason: FailsafeCode.code(reason), detail: detail)
        case let .g2vNotification(id, code):
            return .g2vNotification(vgpu: v(id), notification: code)
        case let .mmioAccessError(id, offset, size, isWrite, reason):
            return note(id, nil, .mmioAccessError, "\(isWrite ? "write" : "read") \(hex(offset.rawValue)) size \(size): \(reason)")
        case let .configAccessError(id, offset, size, reason):
            return note(id, nil, .configAccessError, "offset \(hex(UInt64(offset), width: 3)) size \(size): \(reason)")
        case let .displayReady(id, ready):
            return note(id, nil, .displayReady, ready ? "ready" : "not ready")
        case let .shadowPPGTTRefused(id, table, index, guest, reason):
            return note(id, nil, .shadowPPGTTRefused, "table \(table) index \(index) guest \(hex(guest)): \(reason)")
        case let .shadowPPGTTCreated(id, guestRoots, shadowRoots):
            return note(id, nil, .shadowPPGTTCreated, "guest \(roots(guestRoots)) shadow \(roots(shadowRoots))")
        case let .shadowPPGTTReleased(id, guestRoots, reason):
            return note(id, nil, .shadowPPGTTReleased, "guest \(roots(guestRoots)): \(reason)")
        case let .shadowPPGTTRequestIgnored(id, guestRoots, reason):
            return note(id, nil, .shadowPPGTTRequestIgnored, "guest \(roots(guestRoots)): \(reason)")
        case let .vblankTimer(armed):
            return .note(vgpu: nil, engine: nil, topic: NoteTopic.vblankTimer.rawValue, text: armed ? "armed" : "cancelled")
        case let .displayWriteRefused(id, offset, value, reason):
            return note(id, nil, .displayWriteRefused, "\(hex(offset.rawValue)) = \(hex(value)): \(reason)")
        case let .workloadScanFailed(id, failure):
            return .privilegeViolation(vgpu: v(id), engine: e(failure.engine), instruction: failure.header,
                                       address: failure.address.rawValue)
        case let .scanNonPrivilegedBatchesSet(id, engines):
            return note(id, nil, .scanNonPrivilegedBatches, "engines \(hex(UInt64(engines.rawValue), width: 1))")
        case let .workloadCreated(id, engine, workload, context, ringStart, _, head, tail):
            return .workloadCreated(Workload(vgpu: v(id), engine: e(engine), workload: workload, ringStart: ringStart.rawValue,
                                             head: head, tail: tail, contextDescriptor: context.rawValue, audit: .ok,
                                             batchBuffers: 0))
        case let .workloadRejected(id, engine, workload, reason):
            return note(id, engine, .workloadRejected, "workload \(workload.map(String.init) ?? "-"): \(reason)")
        case let .workloadScanned(id, engine, workload, commands, rejection):
            return note(id, engine, .workloadScanned, "workload \(workload) commands \(commands): \(rejection ?? "ok")")
        case let .workloadDispatched(id, engine, workload, _):
            return .workloadDispatched(vgpu: v(id), engine: e(engine), workload: workload)
        case let .workloadCompleted(id, engine, workload, failure):
            return .workloadCompleted(vgpu: v(id), engine: e(engine), workload: workload,
                                      status: failure == nil ? 0 : WorkloadStatus.code(failure!))
        case let .guestContextStatus(id, engine, status, index):
            return .guestContextStatus(vgpu: v(id), engine: e(engine), index: UInt8(truncatingIfNeeded: index),
                                       flags: status.flags.rawValue, context: status.contextID)
        case let .guestMemoryWrite(id, address, bytes):
            return .guestMemoryWrite(vgpu: v(id), gpa: address.rawValue, bytes: bytes)
        case let .guestWriteSkipped(id, address, reason):
            return note(id, nil, .guestWriteSkipped, "\(address): \(reason)")
        case let .hardwareEvent(hardware):
            return HardwareRecords.record(hardware)
        case let .schedulerDecision(decision):
            return SchedulerRecords.record(decision)
        case let .mmioContextSwitch(engine, from, to, writes):
            return .mmioContextSwitch(engine: e(engine), from: from.map(v), to: to.map(v),
                                      registers: writes.map { RegisterWrite(offset: $0.offset.rawValue, value: $0.value) })
        }
    }

    static func v(_ id: VGPUID) -> UInt32 { UInt32(truncatingIfNeeded: id.rawValue) }
    static func e(_ engine: EngineID) -> UInt8 { UInt8(truncatingIfNeeded: engine.index) }

    private static func note(_ id: VGPUID, _ engine: EngineID?, _ topic: NoteTopic, _ text: String) -> JournalEvent {
        .note(vgpu: v(id), engine: engine.map(e), topic: topic.rawValue, text: text)
    }

    private static func roots(_ values: [UInt64]) -> String {
        "[" + values.map { hex($0) }.joined(separator: ",") + "]"
    }
}

/// Failsafe reason codes of `JournalEvent.failsafe` (GVT's `GVT_FAILSAFE_*` order).
public enum FailsafeCode {
    /// The code of a reason: 1 UNSUPPORTED_GUEST, 2 INSUFFICIENT_RESOURCE, 3 GUEST_ERR.
    public static func code(_ reason: FailsafeReason) -> UInt32 {
        switch reason {
        case .unsupportedGuest: 1
        case .insufficientResource: 2
        case .guestError: 3
        }
    }

    /// The name of a code ("code 9" for codes this build does not know).
    public static func name(_ code: UInt32) -> String {
        switch code {
        case 1: FailsafeReason.unsupportedGuest.rawValue
        case 2: FailsafeReason.insufficientResource.rawValue
        case 3: FailsafeReason.guestError.rawValue
        default: "code \(code)"
        }
    }
}

/// Status codes of `JournalEvent.workloadCompleted`: 0 success, else the errno GVT puts in
/// `workload->status` (5 EIO for a hang or reset, 14 EFAULT, 56 EBADRQC for scan errors,
/// 22 EINVAL otherwise).
public enum WorkloadStatus {
    /// The code of a failure text (matched on the errno name it carries).
    public static func code(_ failure: String) -> UInt32 {
        if failure.contains("EIO") { return 5 }
        if failure.contains("EFAULT") { return 14 }
        if failure.contains("EBADRQC") { return 56 }
        return 22
    }
}
