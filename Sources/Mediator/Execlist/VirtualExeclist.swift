import GPUModel

/// A vGPU's emulated execlist on one engine (GVT: `struct intel_vgpu_execlist`,
/// execlist.c): two slots of two context descriptors, the running and pending slot, the
/// running context, and the CSB the guest reads. A state machine: schedule-in and
/// schedule-out return the CSB entries to write; `Mediator+CSBEmulation` writes them.
public struct VirtualExeclist: Hashable, Sendable {
    /// One submitted ELSP pair.
    public struct Slot: Hashable, Sendable {
        public var elements: [ContextDescriptor]  // 1 or 2 valid descriptors, element 0 first
    }

    public private(set) var running: Slot?
    public private(set) var pending: Slot?
    /// The element of `running` being executed.
    public private(set) var runningContext: ContextDescriptor?
    /// The guest-visible CSB write pointer (7 = empty after reset).
    public internal(set) var csbWritePointer: UInt32 = ContextStatusBuffer.resetWritePointer

    public init() {}

    /// Same context: same LRCA and context id (GVT: `same_context`).
    static func same(_ a: ContextDescriptor, _ b: ContextDescriptor) -> Bool {
        a.lrca == b.lrca && a.contextID == b.contextID
    }

    /// A submission starts executing (GVT: `emulate_execlist_schedule_in`).
    public mutating func scheduleIn(_ elements: [ContextDescriptor]) -> [ContextStatus] {
        precondition(!elements.isEmpty)
        let slot = Slot(elements: elements)
        guard let current = running, let context = runningContext else {
            running = slot
            runningContext = elements[0]
            return [ContextStatus(flags: .idleToActive, contextID: 0)]
        }
        if Self.same(current.elements[0], elements[0]) && Self.same(context, current.elements[0]) {
            // Lite restore: the same context resubmitted with a new tail.
            running = slot
            runningContext = elements[0]
            return [ContextStatus(flags: [.liteRestore, .preempted], contextID: elements[0].contextID)]
        }
        pending = slot  // queue full until the running slot drains
        return []
    }

    /// The running element finished (GVT: `emulate_execlist_ctx_schedule_out`).
    public mutating func scheduleOut(_ descriptor: ContextDescriptor) -> [ContextStatus] {
        guard let current = running, let context = runningContext, Self.same(context, descriptor) else { return [] }
        if current.elements.count == 2, Self.same(context, current.elements[0]) {
            runningContext = current.elements[1]
            return [ContextStatus(flags: [.complete, .elementSwitch], contextID: descriptor.contextID)]
        }
        var out = [ContextStatus(flags: [.complete, .activeToIdle], contextID: descriptor.contextID)]
        if let next = pending {
            running = next
            pending = nil
            runningContext = next.elements[0]
            out.append(ContextStatus(flags: .idleToActive, contextID: 0))
        } else {
            running = nil
            runningContext = nil
        }
        return out
    }

    /// EXECLIST_STATUS as GVT emulates it (lo, hi).
    public var status: (low: UInt32, high: UInt32) {
        var low: UInt32 = 0
        if let running {
            let index = runningContext.flatMap { ctx in running.elements.firstIndex { Self.same($0, ctx) } } ?? 0
            if index == 0 { low |= 1 << 18 | 1 << 4 } else { low |= 1 << 17 | 1 << 3 }  // EL0/EL1 active+valid
            if running.elements.count == 2 { low |= 1 << 3 }
        }
        if pending != nil { low |= 1 << 2 }  // queue full
        return (low, runningContext?.contextID ?? 0)
    }

    /// Forgets everything (engine or vGPU reset).
    public mutating func reset() { self = VirtualExeclist() }
}
