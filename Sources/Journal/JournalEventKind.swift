/// The kind registry: a stable numeric id and a stable name per event kind.
///
/// Ids are never reused or renumbered (docs/journal-format.md, "Event kinds"). Id 0 is the
/// page record (not an event). Ids 0x8000 and up are free for private extensions.
public enum JournalEventKind: UInt32, CaseIterable, Sendable, Comparable {
    case mmioRead = 1
    case mmioWrite = 2
    case pciConfigRead = 3
    case pciConfigWrite = 4
    case ggttWrite = 5
    case ggttWriteIgnored = 6
    case protectedPageWrite = 7
    case shadowEntryChanged = 8
    case elspSubmission = 9
    case workloadCreated = 10
    case workloadDispatched = 11
    case workloadCompleted = 12
    case guestMemoryRead = 13
    case clockReading = 14
    case timerExpiry = 15
    case contextStatus = 16
    case completion = 17
    case hang = 18
    case engineStall = 19
    case engineReset = 20
    case privilegeViolation = 21
    case virtualInterrupt = 22
    case msiInjected = 23
    case schedulerDecision = 24
    case mmioContextSwitch = 25
    case failsafe = 26
    case isolationFinding = 27
    case vgpuCreated = 28
    case vgpuDestroyed = 29
    case vgpuReset = 30
    case hostRegisterWrite = 31
    case g2vNotification = 32
    case guestPageWritten = 33
    case vgpuCreateRequest = 34
    case vgpuDestroyRequest = 35
    case vgpuResetRequest = 36
    case note = 37
    case guestMemoryWrite = 38
    case guestContextStatus = 39

    /// Record kind of a page-store record (not an event).
    static let pageRecordID: UInt32 = 0
    /// Record kind of a page stored as a patch against an earlier page (format version 2).
    static let pagePatchRecordID: UInt32 = 0x7FFF
    /// First id reserved for private extensions.
    public static let firstPrivateExtensionID: UInt32 = 0x8000

    /// Orders by id.
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// The stable name used by `gvtrr dump --kind` and in summaries ("mmio-read").
    public var name: String {
        switch self {
        case .mmioRead: "mmio-read"
        case .mmioWrite: "mmio-write"
        case .pciConfigRead: "pci-config-read"
        case .pciConfigWrite: "pci-config-write"
        case .ggttWrite: "ggtt-write"
        case .ggttWriteIgnored: "ggtt-write-ignored"
        case .protectedPageWrite: "protected-page-write"
        case .shadowEntryChanged: "shadow-entry-changed"
        case .elspSubmission: "elsp-submission"
        case .workloadCreated: "workload-created"
        case .workloadDispatched: "workload-dispatched"
        case .workloadCompleted: "workload-completed"
        case .guestMemoryRead: "guest-memory-read"
        case .clockReading: "clock-reading"
        case .timerExpiry: "timer-expiry"
        case .contextStatus: "context-status"
        case .completion: "completion"
        case .hang: "hang"
        case .engineStall: "engine-stall"
        case .engineReset: "engine-reset"
        case .privilegeViolation: "privilege-violation"
        case .virtualInterrupt: "virtual-interrupt"
        case .msiInjected: "msi-injected"
        case .schedulerDecision: "scheduler-decision"
        case .mmioContextSwitch: "mmio-context-switch"
        case .failsafe: "failsafe"
        case .isolationFinding: "isolation-finding"
        case .vgpuCreated: "vgpu-created"
        case .vgpuDestroyed: "vgpu-destroyed"
        case .vgpuReset: "vgpu-reset"
        case .hostRegisterWrite: "host-register-write"
        case .g2vNotification: "g2v-notification"
        case .guestPageWritten: "guest-page-written"
        case .vgpuCreateRequest: "vgpu-create-request"
        case .vgpuDestroyRequest: "vgpu-destroy-request"
        case .vgpuResetRequest: "vgpu-reset-request"
        case .note: "note"
        case .guestMemoryWrite: "guest-memory-write"
        case .guestContextStatus: "guest-context-status"
        }
    }

    /// The kind with this name, or with this decimal id.
    public init?(name: String) {
        if let kind = Self.allCases.first(where: { $0.name == name }) {
            self = kind
        } else if let id = UInt32(name), let kind = Self(rawValue: id) {
            self = kind
        } else {
            return nil
        }
    }

    /// The name of any kind id: the registry's name, or "kind-<id>" for ids this build does not know.
    public static func name(of id: UInt32) -> String {
        Self(rawValue: id)?.name ?? "kind-\(id)"
    }
}

extension JournalEvent {
    /// The kind id written in the record (the extension's own id for `.extension`).
    public var kindID: UInt32 {
        if case let .extension(kind, _) = self { return kind }
        return knownKind!.rawValue
    }

    /// The registry kind, or nil for `.extension`.
    public var knownKind: JournalEventKind? {
        switch self {
        case .mmioRead: .mmioRead
        case .mmioWrite: .mmioWrite
        case .pciConfigRead: .pciConfigRead
        case .pciConfigWrite: .pciConfigWrite
        case .ggttWrite: .ggttWrite
        case .ggttWriteIgnored: .ggttWriteIgnored
        case .protectedPageWrite: .protectedPageWrite
        case .shadowEntryChanged: .shadowEntryChanged
        case .elspSubmission: .elspSubmission
        case .workloadCreated: .workloadCreated
        case .workloadDispatched: .workloadDispatched
        case .workloadCompleted: .workloadCompleted
        case .guestMemoryRead: .guestMemoryRead
        case .clockReading: .clockReading
        case .timerExpiry: .timerExpiry
        case .contextStatus: .contextStatus
        case .completion: .completion
        case .hang: .hang
        case .engineStall: .engineStall
        case .engineReset: .engineReset
        case .privilegeViolation: .privilegeViolation
        case .virtualInterrupt: .virtualInterrupt
        case .msiInjected: .msiInjected
        case .schedulerDecision: .schedulerDecision
        case .mmioContextSwitch: .mmioContextSwitch
        case .failsafe: .failsafe
        case .isolationFinding: .isolationFinding
        case .vgpuCreated: .vgpuCreated
        case .vgpuDestroyed: .vgpuDestroyed
        case .vgpuReset: .vgpuReset
        case .hostRegisterWrite: .hostRegisterWrite
        case .g2vNotification: .g2vNotification
        case .guestPageWritten: .guestPageWritten
        case .vgpuCreateRequest: .vgpuCreateRequest
        case .vgpuDestroyRequest: .vgpuDestroyRequest
        case .vgpuResetRequest: .vgpuResetRequest
        case .note: .note
        case .guestMemoryWrite: .guestMemoryWrite
        case .guestContextStatus: .guestContextStatus
        case .extension: nil
        }
    }

    /// The vGPU the event concerns, if any (a scheduler decision counts for the vGPU it switches to).
    public var vgpu: UInt32? {
        switch self {
        case let .mmioRead(t), let .mmioWrite(t): t.vgpu
        case let .pciConfigRead(v, _, _, _), let .pciConfigWrite(v, _, _, _): v
        case let .ggttWrite(v, _, _, _), let .ggttWriteIgnored(v, _, _, _): v
        case let .protectedPageWrite(v, _, _): v
        case let .shadowEntryChanged(v, _, _, _, _): v
        case let .elspSubmission(v, _, _): v
        case let .workloadCreated(w): w.vgpu
        case let .workloadDispatched(v, _, _): v
        case let .workloadCompleted(v, _, _, _): v
        case let .guestMemoryRead(v, _, _, _): v
        case let .privilegeViolation(v, _, _, _): v
        case let .virtualInterrupt(v, _, _): v
        case let .msiInjected(v, _, _): v
        case let .schedulerDecision(_, _, to, _, _): to
        case let .mmioContextSwitch(_, _, to, _): to
        case let .failsafe(v, _, _), let .isolationFinding(v, _, _, _): v
        case let .vgpuCreated(v, _): v
        case let .vgpuDestroyed(v): v
        case let .vgpuReset(v, _, _): v
        case let .g2vNotification(v, _): v
        case let .guestPageWritten(v, _, _): v
        case let .vgpuCreateRequest(_, _, v, _): v == 0 ? nil : v
        case let .vgpuDestroyRequest(v), let .vgpuResetRequest(v): v
        case let .note(v, _, _, _): v
        case let .guestMemoryWrite(v, _, _), let .guestContextStatus(v, _, _, _, _): v
        case .clockReading, .timerExpiry, .contextStatus, .completion, .hang, .engineStall, .engineReset,
             .hostRegisterWrite, .extension:
            nil
        }
    }

    /// True for the engine's inputs (what replay feeds back), false for its outputs (what
    /// replay recomputes and compares). Unknown extension kinds count as outputs.
    public var isInput: Bool {
        switch self {
        case .mmioRead, .mmioWrite, .pciConfigRead, .pciConfigWrite, .protectedPageWrite, .guestMemoryRead,
             .clockReading, .timerExpiry, .guestPageWritten, .vgpuCreateRequest, .vgpuDestroyRequest,
             .vgpuResetRequest:
            true
        default:
            false
        }
    }

    /// The verdict this event amounts to, if any ("hang", "failsafe", "isolation", …), for summaries.
    public var verdict: String? {
        switch self {
        case .hang: "hang"
        case .failsafe: "failsafe"
        case .isolationFinding: "isolation-violation"
        case .privilegeViolation: "privilege-violation"
        case .engineReset: "engine-reset"
        case .vgpuReset: "vgpu-reset"
        case let .workloadCreated(w): if case .rejected = w.audit { "workload-rejected" } else { nil }
        default: nil
        }
    }
}
