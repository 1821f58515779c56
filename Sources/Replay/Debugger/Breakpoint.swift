import GPUModel
import Journal

/// What a breakpoint stops on: a property of one replayed entry (its input record and the
/// outputs recorded after it), as gdb's `break` stops on a place in a program.
public enum BreakCondition: Hashable, Sendable, CustomStringConvertible {
    /// Any record of this kind in the entry.
    case kind(JournalEventKind)
    /// Any record concerning this vGPU.
    case vgpu(UInt32)
    /// Any record concerning this engine.
    case engine(EngineID)
    /// An access to (or host write of, or context-switch write of) the dword at this offset.
    case register(MMIOOffset)
    /// A record naming a graphics address in this 4 KiB page (GGTT writes, ring starts,
    /// refused commands, hangs' ACTHD, oracle findings).
    case address(GraphicsAddress)
    /// A verdict of this kind found in the entry (nil: any verdict).
    case verdict(Verdict.Kind?)

    public var description: String {
        switch self {
        case .kind(let kind): "kind \(kind.name)"
        case .vgpu(let vgpu): "vgpu \(vgpu)"
        case .engine(let engine): "engine \(engine.name)"
        case .register(let offset):
            "register \(hex(UInt64(offset.rawValue), width: 5))"
                + (RegisterCatalogue.gen9.name(of: offset).map { " \($0)" } ?? "")
        case .address(let address): "address \(hex(address.rawValue, width: 8))"
        case .verdict(let kind): "verdict \(kind?.rawValue ?? "any")"
        }
    }

    /// Whether the entry made of `records` (input first), which produced `verdicts`, matches.
    public func matches(_ records: [JournalRecord], verdicts: ArraySlice<Verdict>) -> Bool {
        switch self {
        case .verdict(let kind):
            return verdicts.contains { kind == nil || $0.kind == kind }
        default:
            return records.contains { matches($0.event) }
        }
    }

    /// Whether one event matches (verdict conditions never match a single event).
    public func matches(_ event: JournalEvent) -> Bool {
        switch self {
        case .kind(let kind): return event.kindID == kind.rawValue
        case .vgpu(let vgpu): return event.vgpu == vgpu
        case .engine(let engine): return Replayer.engine(of: event) == engine.rawValue
        case .register(let offset): return Self.touches(event, offset)
        case .address(let address): return Self.addresses(of: event).contains { $0 >> 12 == address.rawValue >> 12 }
        case .verdict: return false
        }
    }

    private static func touches(_ event: JournalEvent, _ offset: MMIOOffset) -> Bool {
        let dword = UInt64(offset.rawValue & ~3)
        func covers(_ start: UInt32, _ size: UInt8) -> Bool {
            UInt64(start) < dword + 4 && dword < UInt64(start) + UInt64(max(size, 1))
        }
        switch event {
        case let .mmioRead(t), let .mmioWrite(t): return covers(t.offset, t.size)
        case let .hostRegisterWrite(at, _): return covers(at, 4)
        case let .mmioContextSwitch(_, _, _, registers): return registers.contains { covers($0.offset, 4) }
        default: return false
        }
    }

    /// Graphics addresses an event names.
    static func addresses(of event: JournalEvent) -> [UInt64] {
        switch event {
        case let .ggttWrite(_, index, _, _), let .ggttWriteIgnored(_, index, _, _): return [index << 12]
        case let .workloadCreated(w):
            if case let .rejected(_, address, _) = w.audit { return [w.ringStart, address] }
            return [w.ringStart]
        case let .privilegeViolation(_, _, _, address): return [address]
        case let .hang(_, _, acthd, _, _, _): return [acthd]
        case let .isolationFinding(_, _, address, _): return [address]
        default: return []
        }
    }
}

/// A numbered breakpoint.
public struct Breakpoint: Hashable, Sendable, CustomStringConvertible {
    /// Its number (from 1, never reused in a session).
    public let number: Int
    /// What it stops on.
    public let condition: BreakCondition
    /// Times it stopped the replay.
    public var hits = 0

    /// A breakpoint.
    public init(number: Int, condition: BreakCondition) {
        self.number = number
        self.condition = condition
    }

    public var description: String { "breakpoint \(number): \(condition) (hit \(hits) time\(hits == 1 ? "" : "s"))" }
}
