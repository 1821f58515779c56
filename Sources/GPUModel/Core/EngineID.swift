/// The command engines of an Apollo Lake (Gen9 GT1/GT2) GPU.
///
/// Raw values are i915's engine ids of the 4.x/5.x kernels (RCS 0, BCS 1, VCS 2, VCS2 3,
/// VECS 4); Apollo Lake has no VCS2, so id 3 does not exist here. Use `index` to index
/// per-engine arrays (0..<4).
public enum EngineID: UInt8, CaseIterable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// Render command streamer (3D, media/GPGPU, MI, PIPE_CONTROL).
    case rcs = 0
    /// Blitter command streamer (2D XY_* commands, MI_FLUSH_DW).
    case bcs = 1
    /// Video command streamer (MFX).
    case vcs = 2
    /// Video enhancement command streamer (VEBOX).
    case vecs = 4

    /// Dense index for per-engine arrays.
    @inlinable public var index: Int {
        switch self {
        case .rcs: 0
        case .bcs: 1
        case .vcs: 2
        case .vecs: 3
        }
    }

    /// The engine with dense index `index`.
    @inlinable public static func at(index: Int) -> EngineID { allCases[index] }

    /// Number of engines on this GPU.
    public static let count = 4

    /// Base of the engine's ring/execlist registers (PRM "RING_*" at base + x).
    @inlinable public var mmioBase: UInt32 {
        switch self {
        case .rcs: 0x02000
        case .bcs: 0x22000
        case .vcs: 0x12000
        case .vecs: 0x1A000
        }
    }

    /// Lower-case short name as used on the command line: rcs, bcs, vcs, vecs.
    public var name: String {
        switch self {
        case .rcs: "rcs"
        case .bcs: "bcs"
        case .vcs: "vcs"
        case .vecs: "vecs"
        }
    }

    /// i915's engine name (rcs0, bcs0, vcs0, vecs0).
    public var i915Name: String { name + "0" }

    public var description: String { name }

    /// Parses `rcs`, `RCS`, `rcs0`, `render`, `blt`, `bsd`, `vebox` and friends.
    public init?(name: String) {
        switch name.lowercased() {
        case "rcs", "rcs0", "render": self = .rcs
        case "bcs", "bcs0", "blt", "blitter": self = .bcs
        case "vcs", "vcs0", "bsd", "video": self = .vcs
        case "vecs", "vecs0", "vebox": self = .vecs
        default: return nil
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A set of engines, e.g. the engines a command may run on.
public struct EngineMask: OptionSet, Sendable, Hashable, Codable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let rcs = EngineMask(rawValue: 1 << 0)
    public static let bcs = EngineMask(rawValue: 1 << 1)
    public static let vcs = EngineMask(rawValue: 1 << 2)
    public static let vecs = EngineMask(rawValue: 1 << 3)
    public static let all: EngineMask = [.rcs, .bcs, .vcs, .vecs]

    @inlinable public init(_ engine: EngineID) { self.init(rawValue: 1 << UInt8(engine.index)) }
    @inlinable public func contains(_ engine: EngineID) -> Bool { contains(EngineMask(engine)) }
    /// The engines in this set in id order.
    public var engines: [EngineID] { EngineID.allCases.filter { contains($0) } }
}
