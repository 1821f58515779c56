import GPUModel

/// A vGPU's id: 0 is GVT's idle vGPU, guests get 1...7 (GVT: IDR in [1, GVT_MAX_VGPU)).
public struct VGPUID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public var rawValue: Int
    @inlinable public init(rawValue: Int) { self.rawValue = rawValue }
    @inlinable public init(_ value: Int) { self.rawValue = value }
    @inlinable public init(integerLiteral value: Int) { self.rawValue = value }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The scheduler's idle vGPU.
    public static let idle = VGPUID(0)
    /// GVT_MAX_VGPU: ids 0..<8.
    public static let limit = 8
    public var description: String { "vgpu\(rawValue)" }
}

/// A guest physical address (what the guest's page tables and PTEs hold).
public struct GuestPhysicalAddress: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByIntegerLiteral
{
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt64) { self.rawValue = value }
    @inlinable public init(integerLiteral value: UInt64) { self.rawValue = value }
    /// The address `offset` bytes past the start of `frame` (an offset beyond the page runs
    /// into the following frames; it is not truncated to the page).
    @inlinable public init(frame: GuestFrameNumber, offset: UInt64 = 0) { rawValue = frame.rawValue << 12 &+ offset }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    @inlinable public var frame: GuestFrameNumber { GuestFrameNumber(rawValue >> 12) }
    @inlinable public var pageOffset: UInt64 { rawValue & 0xFFF }
    @inlinable public func advanced(by delta: UInt64) -> GuestPhysicalAddress { GuestPhysicalAddress(rawValue &+ delta) }
    public var description: String { "gpa " + hex(rawValue, width: 9) }
}

/// A guest frame number ("gfn" in GVT).
public struct GuestFrameNumber: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByIntegerLiteral
{
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt64) { self.rawValue = value }
    @inlinable public init(integerLiteral value: UInt64) { self.rawValue = value }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    @inlinable public var address: GuestPhysicalAddress { GuestPhysicalAddress(rawValue << 12) }
    public var description: String { "gfn " + hex(rawValue, width: 5) }
}
