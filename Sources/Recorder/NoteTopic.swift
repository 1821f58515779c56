/// Topic codes of `JournalEvent.note`: the outputs that have no journal kind of their own.
/// Codes are stable: append, never renumber.
public enum NoteTopic: UInt32, CaseIterable, Sendable {
    case ggttWriteIgnored = 1
    case mmioAccessError = 2
    case configAccessError = 3
    case displayReady = 4
    case shadowPPGTTRefused = 5
    case shadowPPGTTCreated = 6
    case shadowPPGTTReleased = 7
    case shadowPPGTTRequestIgnored = 8
    case vblankTimer = 9
    case displayWriteRefused = 10
    case scanNonPrivilegedBatches = 11
    case workloadRejected = 12
    case workloadScanned = 13
    case guestContextStatus = 14
    case guestMemoryWrite = 15
    case guestWriteSkipped = 16
    case hardwareEvent = 17

    /// Its name in dumps ("shadow-ppgtt-created").
    public var name: String {
        switch self {
        case .ggttWriteIgnored: "ggtt-write-ignored"
        case .mmioAccessError: "mmio-access-error"
        case .configAccessError: "config-access-error"
        case .displayReady: "display-ready"
        case .shadowPPGTTRefused: "shadow-ppgtt-refused"
        case .shadowPPGTTCreated: "shadow-ppgtt-created"
        case .shadowPPGTTReleased: "shadow-ppgtt-released"
        case .shadowPPGTTRequestIgnored: "shadow-ppgtt-request-ignored"
        case .vblankTimer: "vblank-timer"
        case .displayWriteRefused: "display-write-refused"
        case .scanNonPrivilegedBatches: "scan-nonpriv-batches"
        case .workloadRejected: "workload-rejected"
        case .workloadScanned: "workload-scanned"
        case .guestContextStatus: "guest-context-status"
        case .guestMemoryWrite: "guest-memory-write"
        case .guestWriteSkipped: "guest-write-skipped"
        case .hardwareEvent: "hardware-event"
        }
    }
}
