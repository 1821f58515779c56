import GPUModel
import Mediator

/// What a watchpoint looks at: a piece of engine state read after every entry.
public enum WatchTarget: Hashable, Sendable, CustomStringConvertible {
    /// A host register (the GPU model's register file).
    case hostRegister(MMIOOffset)
    /// A vGPU's virtual register (GVT: vreg).
    case vgpuRegister(VGPUID, MMIOOffset)
    /// A host GGTT entry, by index.
    case ggttEntry(Int)
    /// One 4 KiB page of a vGPU's guest RAM, by guest frame number.
    case guestPage(VGPUID, UInt64)

    public var description: String {
        switch self {
        case .hostRegister(let offset): "host register \(Self.registerText(offset))"
        case let .vgpuRegister(vgpu, offset): "vgpu \(vgpu.rawValue) register \(Self.registerText(offset))"
        case .ggttEntry(let index): "ggtt entry \(hex(UInt64(index), width: 5)) (address \(hex(UInt64(index) << 12, width: 8)))"
        case let .guestPage(vgpu, gfn): "vgpu \(vgpu.rawValue) guest page \(hex(gfn, width: 5))"
        }
    }

    static func registerText(_ offset: MMIOOffset) -> String {
        hex(UInt64(offset.rawValue), width: 5) + (RegisterCatalogue.gen9.name(of: offset).map { " \($0)" } ?? "")
    }
}

/// The value a watchpoint saw: a number, a page's bytes, or nothing (the vGPU or page does not exist).
public enum WatchValue: Hashable, Sendable, CustomStringConvertible {
    /// Register or entry value.
    case number(UInt64)
    /// Page content.
    case page([UInt8])
    /// Not there (no such vGPU, frame outside guest RAM).
    case absent

    public var description: String {
        switch self {
        case .number(let value): return hex(value)
        case .page(let bytes):
            // A short fingerprint: FNV-1a of the content, and the first bytes.
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            return "page fnv \(hex(h, width: 16)) [" + bytes.prefix(8).map { hex(UInt64($0), width: 2) }.joined(separator: " ") + " …]"
        case .absent: return "(absent)"
        }
    }

    /// What changed from `old` to this value, in one line.
    func change(from old: WatchValue) -> String {
        if case let .page(a) = old, case let .page(b) = self {
            let changed = zip(a, b).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
            let first = changed.first.map { " first at byte \(hex(UInt64($0), width: 3))" } ?? ""
            return "\(changed.count) byte\(changed.count == 1 ? "" : "s") changed\(first)"
        }
        return "\(old) -> \(self)"
    }
}

/// A numbered watchpoint and the value it last saw.
public struct Watchpoint: Hashable, Sendable, CustomStringConvertible {
    /// Its number (shared numbering with breakpoints).
    public let number: Int
    /// What it watches.
    public let target: WatchTarget
    /// The value at the current position.
    public var value: WatchValue
    /// Times it stopped the replay.
    public var hits = 0

    /// A watchpoint with its current value.
    public init(number: Int, target: WatchTarget, value: WatchValue) {
        self.number = number
        self.target = target
        self.value = value
    }

    public var description: String {
        "watchpoint \(number): \(target) = \(value) (hit \(hits) time\(hits == 1 ? "" : "s"))"
    }
}

extension Watchpoint {
    /// Reads `target` from the replay's engine without side effects.
    static func read(_ target: WatchTarget, _ replayer: Replayer) -> WatchValue {
        let gpu = replayer.engine.gpu
        let mediator = replayer.engine.mediator
        switch target {
        case .hostRegister(let offset):
            guard RegisterFile.contains(offset) else { return .absent }
            return .number(UInt64(gpu.registers[offset]))
        case let .vgpuRegister(id, offset):
            guard let vgpu = mediator.vgpu(id), RegisterFile.contains(offset) else { return .absent }
            return .number(UInt64(vgpu.vregs[offset]))
        case .ggttEntry(let index):
            guard index >= 0 && index < GGTT.entryCount else { return .absent }
            return .number(gpu.ggtt[index].rawValue)
        case let .guestPage(id, gfn):
            guard let frame = replayer.hypervisor.hostFrame(id, for: GuestFrameNumber(gfn)) else { return .absent }
            return EngineInspector.quietly(replayer) { .page(gpu.memory.page(frame)) }
        }
    }
}
