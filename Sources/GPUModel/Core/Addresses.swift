/// Typed numbers for the address spaces the model keeps apart.
///
/// Three address spaces meet in a mediated GPU (see docs/design.md): graphics memory
/// addresses (what commands and the GTTs use), host physical addresses (the machine's
/// pages) and MMIO offsets inside BAR0. Giving each its own type means a
/// `GraphicsAddress` passed where a `PhysicalAddress` belongs does not compile.

/// An offset into the GPU's MMIO register range (BAR0, first 2 MiB).
public struct MMIOOffset: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByIntegerLiteral
{
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt32) { self.rawValue = value }
    @inlinable public init(integerLiteral value: UInt32) { self.rawValue = value }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// This offset plus `delta` bytes.
    @inlinable public func advanced(by delta: UInt32) -> MMIOOffset { MMIOOffset(rawValue &+ delta) }
    /// The dword index of this offset in a register array.
    @inlinable public var dwordIndex: Int { Int(rawValue >> 2) }
    public var description: String { hex(rawValue, width: 5) }
}

/// A graphics memory address ("gma"): what the GGTT and PPGTTs translate.
public struct GraphicsAddress: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByIntegerLiteral
{
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt64) { self.rawValue = value }
    @inlinable public init(integerLiteral value: UInt64) { self.rawValue = value }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    @inlinable public func advanced(by delta: UInt64) -> GraphicsAddress { GraphicsAddress(rawValue &+ delta) }
    /// The 4 KiB page number (GGTT index for a global address).
    @inlinable public var pageNumber: UInt64 { rawValue >> 12 }
    /// Byte offset inside the 4 KiB page.
    @inlinable public var pageOffset: UInt64 { rawValue & 0xFFF }
    public var description: String { hex(rawValue, width: 8) }
}

/// A host physical (machine) address: an index into `PhysicalMemory`.
public struct PhysicalAddress: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByIntegerLiteral
{
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt64) { self.rawValue = value }
    @inlinable public init(integerLiteral value: UInt64) { self.rawValue = value }
    /// The address `offset` bytes past the start of `frame` (not truncated to the page).
    @inlinable public init(frame: PageFrameNumber, offset: UInt64 = 0) {
        self.rawValue = frame.rawValue << 12 &+ offset
    }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    @inlinable public func advanced(by delta: UInt64) -> PhysicalAddress { PhysicalAddress(rawValue &+ delta) }
    /// The host page frame this address lies in.
    @inlinable public var frame: PageFrameNumber { PageFrameNumber(rawValue >> 12) }
    /// Byte offset inside the 4 KiB page.
    @inlinable public var pageOffset: UInt64 { rawValue & 0xFFF }
    public var description: String { hex(rawValue, width: 9) }
}

/// A host page frame number ("mfn" in GVT): physical address >> 12.
public struct PageFrameNumber: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByIntegerLiteral
{
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt64) { self.rawValue = value }
    @inlinable public init(integerLiteral value: UInt64) { self.rawValue = value }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The first byte of this frame.
    @inlinable public var address: PhysicalAddress { PhysicalAddress(rawValue << 12) }
    public var description: String { "pfn " + hex(rawValue, width: 5) }
}

/// `0x`-prefixed lower-case hex, zero-padded to `width` digits.
@inlinable
public func hex<T: BinaryInteger>(_ value: T, width: Int = 8) -> String {
    let digits = String(value, radix: 16)
    let pad = width > digits.count ? String(repeating: "0", count: width - digits.count) : ""
    return "0x" + pad + digits
}
