import Journal
import Recorder

/// What a difference between two journals is about: the summary groups of `gvtrr diff`
/// (`--category` takes these names).
public enum DiffCategory: String, CaseIterable, Sendable, Codable, Comparable {
    /// Values returned to guests: MMIO and PCI configuration reads, vGPU creation results.
    case values
    /// Host GGTT entries and shadow PPGTT entries (GVT: gtt.c), and their refusals.
    case gtt
    /// Command audit results: privilege violations, workload rejections and scan notes (GVT: cmd_parser.c).
    case audit
    /// Workloads: ELSP submissions, workloads created, dispatched and completed (GVT: execlist.c, scheduler.c).
    case workloads
    /// Context-status (CSB) entries, completions, virtual interrupts and MSIs (GVT: interrupt.c).
    case interrupts
    /// Scheduler decisions, with the run queue and budgets behind them (GVT: sched_policy.c).
    case scheduler
    /// MMIO context switches and host register writes (GVT: mmio_context.c).
    case mmioSwitch = "mmio-switch"
    /// Verdicts: hangs, failsafe entries, isolation findings, resets, engine stalls.
    case verdicts
    /// Inputs present in one journal only (the unaligned mode).
    case inputs
    /// Everything else (vGPU life cycle, display, guest memory writes, other notes).
    case other

    /// Orders as declared.
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// A heading for reports ("values returned to guests").
    public var title: String {
        switch self {
        case .values: "values returned to guests"
        case .gtt: "host GGTT and shadow PPGTT entries"
        case .audit: "audit results"
        case .workloads: "workloads"
        case .interrupts: "CSB and interrupts"
        case .scheduler: "scheduler decisions"
        case .mmioSwitch: "MMIO context switches"
        case .verdicts: "verdicts"
        case .inputs: "inputs in one journal only"
        case .other: "other outputs"
        }
    }

    /// The category of an output event (or of an input whose result differs).
    public static func of(_ event: JournalEvent) -> DiffCategory {
        switch event {
        case .mmioRead, .pciConfigRead, .vgpuCreateRequest:
            return .values
        case .ggttWrite, .ggttWriteIgnored, .shadowEntryChanged:
            return .gtt
        case .privilegeViolation:
            return .audit
        case let .workloadCreated(w):
            if case .rejected = w.audit { return .audit }
            return .workloads
        case .elspSubmission, .workloadDispatched, .workloadCompleted:
            return .workloads
        case .contextStatus, .completion, .virtualInterrupt, .msiInjected, .g2vNotification, .guestContextStatus,
             .guestMemoryWrite:
            return .interrupts
        case .schedulerDecision:
            return .scheduler
        case .mmioContextSwitch, .hostRegisterWrite:
            return .mmioSwitch
        case .hang, .failsafe, .isolationFinding, .engineReset, .vgpuReset, .engineStall:
            return .verdicts
        case let .note(_, _, topic, _):
            switch NoteTopic(rawValue: topic) {
            case .ggttWriteIgnored, .shadowPPGTTRefused, .shadowPPGTTCreated, .shadowPPGTTReleased, .shadowPPGTTRequestIgnored:
                return .gtt
            case .workloadRejected, .workloadScanned, .scanNonPrivilegedBatches:
                return .audit
            case .guestContextStatus, .hardwareEvent:
                return .interrupts
            default:
                return .other
            }
        default:
            return event.isInput ? .inputs : .other
        }
    }

    /// The category named `name` (its raw name, or a few spellings: "mmio", "csb", "gtt").
    public init?(name: String) {
        switch name.lowercased() {
        case "value", "values", "reads": self = .values
        case "gtt", "ggtt", "ppgtt": self = .gtt
        case "audit", "audits": self = .audit
        case "workload", "workloads": self = .workloads
        case "interrupts", "interrupt", "csb": self = .interrupts
        case "scheduler", "sched": self = .scheduler
        case "mmio-switch", "mmio", "context-switch": self = .mmioSwitch
        case "verdicts", "verdict": self = .verdicts
        case "inputs", "input": self = .inputs
        case "other": self = .other
        default: return nil
        }
    }
}
