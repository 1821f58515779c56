/// A display pipe (and its transcoder) of the Gen9 display engine.
public enum Pipe: Int, CaseIterable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// Pipe A.
    case a = 0
    /// Pipe B.
    case b
    /// Pipe C.
    case c

    /// Upper-case letter as used in register names: "A", "B", "C".
    public var letter: String {
        switch self {
        case .a: "A"
        case .b: "B"
        case .c: "C"
        }
    }

    /// Number of universal planes per pipe modelled (planes 1...3; plane 1 is the primary).
    public static let planeCount = 3

    /// Number of pipe scalers (Gen9: 2 on pipes A and B, 1 on pipe C).
    public var scalerCount: Int { self == .c ? 1 : 2 }

    public var description: String { "pipe " + letter }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A DDI port (A..E on Gen9; Apollo Lake wires A..C).
public enum Port: Int, CaseIterable, Sendable, Codable, Comparable {
    /// Port A (eDP on most boards).
    case a = 0
    /// Port B.
    case b
    /// Port C.
    case c
    /// Port D.
    case d
    /// Port E.
    case e

    /// Upper-case letter: "A" ... "E".
    public var letter: String { ["A", "B", "C", "D", "E"][rawValue] }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
