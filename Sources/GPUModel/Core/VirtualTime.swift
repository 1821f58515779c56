/// Time inside the model: nanoseconds of virtual time, advanced only by the caller.
///
/// The model never reads a clock. Its caller steps it ("run until T"); in live capture T
/// comes from a clock reading that is journaled, in replay from the journal.
public struct VirtualTime: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByIntegerLiteral
{
    /// Nanoseconds since the model was created.
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(nanoseconds: UInt64) { self.rawValue = nanoseconds }
    @inlinable public init(integerLiteral value: UInt64) { self.rawValue = value }
    @inlinable public var nanoseconds: UInt64 { rawValue }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    @inlinable public static func + (a: Self, ns: UInt64) -> Self { VirtualTime(nanoseconds: a.rawValue &+ ns) }
    @inlinable public static func microseconds(_ us: UInt64) -> UInt64 { us * 1_000 }
    @inlinable public static func milliseconds(_ ms: UInt64) -> UInt64 { ms * 1_000_000 }
    public static let zero = VirtualTime(nanoseconds: 0)
    public static let never = VirtualTime(nanoseconds: .max)
    public var description: String {
        let us = rawValue / 1_000
        return "\(us / 1_000_000).\(String(us % 1_000_000).leftPadded(to: 6))s"
    }
}

extension String {
    /// Left-pads with `fill` to at least `width` characters.
    @inlinable public func leftPadded(to width: Int, with fill: Character = "0") -> String {
        count >= width ? self : String(repeating: fill, count: width - count) + self
    }
}
