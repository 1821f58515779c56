import GPUModel
import Journal

/// Splits a journal's inputs into the units minimisation removes: never a vGPU life-cycle
/// request; per vGPU its boot prefix (everything before its first ELSP submission), then
/// one unit per guest operation (the guest's inputs up to and including the four ELSP
/// dwords of its next submission: the pages, ring and tail writes before it), then its
/// trailing inputs; and runs of host timer inputs (at most `maxTimersPerUnit` each).
public struct GuestOperations: Sendable {
    /// What a unit is.
    public enum Kind: String, Sendable, Hashable {
        /// A vGPU's inputs before its first submission.
        case boot
        /// A run of a vGPU's inputs ending with an ELSP submission.
        case operation
        /// A vGPU's inputs after its last submission.
        case tail
        /// A run of consecutive host timer inputs.
        case timers
    }

    /// One removable unit: which inputs (indices into the input list) it holds.
    public struct Unit: Sendable, Hashable {
        /// What it is.
        public var kind: Kind
        /// Its vGPU (0 for timers).
        public var vgpu: UInt32
        /// The inputs, by index, increasing.
        public var inputs: [Int]
    }

    /// Timer inputs per timer unit at most.
    public static let maxTimersPerUnit = 64

    /// The units, by first input.
    public private(set) var units: [Unit] = []
    /// Per input, its unit (-1: fixed, never removed).
    public private(set) var unitOf: [Int32] = []

    /// The units of `inputs` (input events in journal order).
    public init(_ inputs: [JournalEvent]) {
        unitOf = [Int32](repeating: -1, count: inputs.count)
        let elsp = Set(EngineID.allCases.map { MMIOOffset.ring(.elsp, $0).rawValue })
        var open: [UInt32: Int] = [:]  // vGPU → its open unit
        var booted = Set<UInt32>()
        var elspWrites: [UInt32: [UInt32: Int]] = [:]  // vGPU → ELSP offset → dwords written
        var timerUnit: Int?
        for (index, event) in inputs.enumerated() {
            switch event {
            case .vgpuCreateRequest, .vgpuDestroyRequest, .vgpuResetRequest, .clockReading:
                continue
            case .timerExpiry:
                if let t = timerUnit, units[t].inputs.count < Self.maxTimersPerUnit {
                    units[t].inputs.append(index)
                    unitOf[index] = Int32(t)
                } else {
                    units.append(Unit(kind: .timers, vgpu: 0, inputs: [index]))
                    timerUnit = units.count - 1
                    unitOf[index] = Int32(units.count - 1)
                }
                continue
            default:
                break
            }
            timerUnit = nil
            guard let vgpu = event.vgpu else { continue }
            let u: Int
            if let existing = open[vgpu] {
                u = existing
            } else {
                units.append(Unit(kind: booted.contains(vgpu) ? .tail : .boot, vgpu: vgpu, inputs: []))
                u = units.count - 1
                open[vgpu] = u
            }
            units[u].inputs.append(index)
            unitOf[index] = Int32(u)
            if case let .mmioWrite(trap) = event, elsp.contains(trap.offset) {
                let n = elspWrites[vgpu, default: [:]][trap.offset, default: 0] + 1
                if n == 4 {
                    elspWrites[vgpu] = [:]
                    if booted.contains(vgpu) { units[u].kind = .operation }
                    booted.insert(vgpu)
                    open[vgpu] = nil
                } else {
                    elspWrites[vgpu, default: [:]][trap.offset] = n
                }
            }
        }
    }

    /// Number of guest operations.
    public var operationCount: Int { units.reduce(0) { $0 + ($1.kind == .operation ? 1 : 0) } }
}
