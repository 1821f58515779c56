import GPUModel
import Journal
import Mediator

/// The journal form of the engine's inputs, both ways: `record` turns a performed input and
/// its result into the journal event written for it; `input(from:page:)` turns a journal
/// event back into the input replay performs. One file so the two directions cannot drift.
public enum InputRecords {
    /// Timer codes of `JournalEvent.timerExpiry`.
    public enum Timer: UInt32, CaseIterable, Sendable {
        /// GVT's 1 ms scheduler tick.
        case scheduler = 0
        /// The vblank emulation timer.
        case vblank = 1
        /// The GPU's hangcheck.
        case hangcheck = 2
        /// The GPU thread's slice (engines run up to the entry's time).
        case gpuSlice = 3

        /// Its name in dumps.
        public var name: String {
            switch self {
            case .scheduler: "scheduler-tick"
            case .vblank: "vblank"
            case .hangcheck: "hangcheck"
            case .gpuSlice: "gpu-slice"
            }
        }
    }

    /// `vcpu` of an MMIO trap that did not come from a vCPU (no trap origin).
    public static let noVCPU = UInt32.max

    /// The journal event for `input` performed with `result`. `page` stores a guest page's
    /// content and returns its key (only called for `.guestPage`).
    public static func record(_ input: EngineInput, result: EngineResult, page: ([UInt8]) throws -> PageKey) rethrows
        -> JournalEvent
    {
        switch input {
        case let .mmioRead(id, offset, size, origin):
            return .mmioRead(trap(id, offset, size, result.value ?? 0, origin))
        case let .mmioWrite(id, offset, size, value, origin):
            return .mmioWrite(trap(id, offset, size, value, origin))
        case let .configRead(id, offset, size, _):
            return .pciConfigRead(vgpu: UInt32(id.rawValue), offset: UInt16(truncatingIfNeeded: offset),
                                  size: UInt8(truncatingIfNeeded: size), value: UInt32(truncatingIfNeeded: result.value ?? 0))
        case let .configWrite(id, offset, size, value, _):
            return .pciConfigWrite(vgpu: UInt32(id.rawValue), offset: UInt16(truncatingIfNeeded: offset),
                                   size: UInt8(truncatingIfNeeded: size), value: value)
        case let .pageTrackWrite(id, address, bytes, _):
            return .protectedPageWrite(vgpu: UInt32(id.rawValue), gpa: address.rawValue, bytes: bytes)
        case let .guestPage(frame, writer, bytes):
            return .guestPageWritten(vgpu: UInt32(writer.rawValue), frame: frame.rawValue, page: try page(bytes))
        case let .createVGPU(type, ramPages):
            var vgpu: UInt32 = 0, first: UInt64 = 0
            if case let .created(id, frames) = result {
                vgpu = UInt32(id.rawValue)
                first = frames.first?.rawValue ?? 0
            }
            return .vgpuCreateRequest(type: type, ramPages: UInt32(clamping: ramPages), vgpu: vgpu, firstFrame: first)
        case let .destroyVGPU(id):
            return .vgpuDestroyRequest(vgpu: UInt32(id.rawValue))
        case let .resetVGPU(id):
            return .vgpuResetRequest(vgpu: UInt32(id.rawValue))
        case .schedulerTick: return .timerExpiry(kind: Timer.scheduler.rawValue)
        case .vblankTick: return .timerExpiry(kind: Timer.vblank.rawValue)
        case .hangcheckTick: return .timerExpiry(kind: Timer.hangcheck.rawValue)
        case .gpuSlice: return .timerExpiry(kind: Timer.gpuSlice.rawValue)
        }
    }

    private static func trap(_ id: VGPUID, _ offset: UInt64, _ size: Int, _ value: UInt64, _ origin: TrapOrigin?) -> MMIOTrap {
        let instruction = Array((origin?.instruction ?? []).prefix(MMIOTrap.maxInstructionLength))
        return MMIOTrap(vgpu: UInt32(id.rawValue), vcpu: origin.map { UInt32(truncatingIfNeeded: $0.vcpu) } ?? noVCPU,
                        rip: origin?.rip ?? 0, instruction: instruction, offset: UInt32(truncatingIfNeeded: offset),
                        size: UInt8(truncatingIfNeeded: size), value: value)
    }

    /// Why a journal event could not be turned back into an input.
    public enum InputError: Error, Equatable, CustomStringConvertible {
        /// The event is not an input.
        case notAnInput(String)
        /// A field is out of range for this build (e.g. an unknown timer code).
        case badField(String)
        public var description: String {
            switch self {
            case .notAnInput(let what): "not an input: \(what)"
            case .badField(let what): "bad input field: \(what)"
            }
        }
    }

    /// The input replay performs for `event`. `page` returns a stored page's content.
    /// Returns nil for inputs with nothing to perform (clock readings, which the time stamp
    /// carries, and legacy guest-memory reads).
    public static func input(from event: JournalEvent, page: (PageKey) throws -> [UInt8]) throws -> EngineInput? {
        switch event {
        case let .mmioRead(t):
            return .mmioRead(VGPUID(Int(t.vgpu)), offset: UInt64(t.offset), size: Int(t.size), origin: origin(t))
        case let .mmioWrite(t):
            return .mmioWrite(VGPUID(Int(t.vgpu)), offset: UInt64(t.offset), size: Int(t.size), value: t.value, origin: origin(t))
        case let .pciConfigRead(v, offset, size, _):
            return .configRead(VGPUID(Int(v)), offset: Int(offset), size: Int(size), origin: nil)
        case let .pciConfigWrite(v, offset, size, value):
            return .configWrite(VGPUID(Int(v)), offset: Int(offset), size: Int(size), value: value, origin: nil)
        case let .protectedPageWrite(v, gpa, bytes):
            return .pageTrackWrite(VGPUID(Int(v)), GuestPhysicalAddress(gpa), bytes: bytes, origin: nil)
        case let .guestPageWritten(v, frame, key):
            return .guestPage(PageFrameNumber(frame), writer: VGPUID(Int(v)), bytes: try page(key))
        case let .vgpuCreateRequest(type, pages, _, _):
            return .createVGPU(type: type, ramPages: Int(pages))
        case let .vgpuDestroyRequest(v):
            return .destroyVGPU(VGPUID(Int(v)))
        case let .vgpuResetRequest(v):
            return .resetVGPU(VGPUID(Int(v)))
        case let .timerExpiry(kind):
            switch Timer(rawValue: kind) {
            case .scheduler: return .schedulerTick
            case .vblank: return .vblankTick
            case .hangcheck: return .hangcheckTick
            case .gpuSlice: return .gpuSlice
            case nil: throw InputError.badField("timer code \(kind)")
            }
        case .clockReading, .guestMemoryRead:
            return nil
        default:
            throw InputError.notAnInput(event.knownKind?.name ?? "kind \(event.kindID)")
        }
    }

    private static func origin(_ t: MMIOTrap) -> TrapOrigin? {
        t.vcpu == noVCPU ? nil : TrapOrigin(vcpu: Int(t.vcpu), rip: t.rip, instruction: t.instruction)
    }
}
