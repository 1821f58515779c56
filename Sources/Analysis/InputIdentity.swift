import Journal

/// What an input is, apart from the result the engine gave it: two journals have "the same
/// inputs" when their inputs agree on this, in order. A read's value, a vGPU creation's
/// result and a guest page's key variant are results (or storage details), not identity;
/// time stamps are ignored (two captures run on different clocks).
public enum InputIdentity {
    /// The input with its result fields cleared (a page key keeps its content hash only).
    public static func identity(of event: JournalEvent) -> JournalEvent {
        switch event {
        case var .mmioRead(trap):
            trap.value = 0
            return .mmioRead(trap)
        case let .pciConfigRead(vgpu, offset, size, _):
            return .pciConfigRead(vgpu: vgpu, offset: offset, size: size, value: 0)
        case let .vgpuCreateRequest(type, pages, _, _):
            return .vgpuCreateRequest(type: type, ramPages: pages, vgpu: 0, firstFrame: 0)
        case let .guestPageWritten(vgpu, frame, page):
            return .guestPageWritten(vgpu: vgpu, frame: frame, page: PageKey(hash: page.hash, variant: 0))
        default:
            return event
        }
    }

    /// Whether two inputs are the same input (results aside).
    public static func same(_ a: JournalEvent, _ b: JournalEvent) -> Bool { identity(of: a) == identity(of: b) }

    /// Whether two inputs are the same and gave the same result.
    public static func sameResult(_ a: JournalEvent, _ b: JournalEvent) -> Bool {
        if case let .guestPageWritten(v1, f1, p1) = a, case let .guestPageWritten(v2, f2, p2) = b {
            return v1 == v2 && f1 == f2 && p1.hash == p2.hash
        }
        return a == b
    }

    /// Which lane of the unaligned mode an input belongs to: its vGPU (0 for host-side
    /// inputs) and its kind (timer inputs by timer code).
    public static func lane(of event: JournalEvent) -> Lane {
        var kind = event.kindID
        if case let .timerExpiry(code) = event { kind = 0x1_0000 | code }
        return Lane(vgpu: event.vgpu ?? 0, kind: kind)
    }

    /// A stream of inputs of one vGPU and one kind.
    public struct Lane: Hashable, Sendable, Comparable {
        /// The vGPU (0: host-side).
        public var vgpu: UInt32
        /// The kind id (timer codes with bit 16 set).
        public var kind: UInt32
        /// Orders by vGPU, then kind.
        public static func < (a: Lane, b: Lane) -> Bool { (a.vgpu, a.kind) < (b.vgpu, b.kind) }
    }
}
