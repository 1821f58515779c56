/// The type of a command field, as genxml names it.
public enum FieldType: Hashable, Sendable {
    /// A single flag.
    case bool
    /// An unsigned integer.
    case uint
    /// A two's-complement integer.
    case int
    /// A graphics address: the field holds its significant bits, see `CommandField.addressValue(from:)`.
    case address
    /// An offset from a base address, encoded like `address`.
    case offset
    /// An IEEE-754 single.
    case float
    /// Must-be-one bits.
    case mbo
    /// Unsigned fixed point with (integer, fraction) bits, genxml `uI.F`.
    case ufixed(Int, Int)
    /// Signed fixed point with (integer, fraction) bits, genxml `sI.F`.
    case sfixed(Int, Int)
    /// A value of the named genxml enum (`CommandTable.enumeration(named:)`).
    case enumeration(String)
    /// An embedded genxml structure (e.g. MEMORYADDRESSATTRIBUTES); not expanded here.
    case structure(String)
    /// Any other type name.
    case other(String)
}

/// One named value of a field or enum (genxml `<value>`).
public struct CommandEnumValue: Hashable, Sendable {
    /// The value's name, e.g. "PPGTT".
    public let name: String
    /// The encoded value.
    public let value: UInt64

    /// A named value.
    public init(name: String, value: UInt64) {
        self.name = name
        self.value = value
    }
}

/// A named enum shared by several fields (genxml `<enum>`).
public struct CommandEnum: Hashable, Sendable {
    /// The enum's genxml name, e.g. "3D_Compare_Function".
    public let name: String
    /// Its values, in genxml order.
    public let values: [CommandEnumValue]

    /// An enum with its values.
    public init(name: String, values: [CommandEnumValue]) {
        self.name = name
        self.values = values
    }
}

/// One field of a command: a bit range across the whole command.
public struct CommandField: Hashable, Sendable {
    /// genxml's field name, e.g. "Batch Buffer Start Address".
    public let name: String
    /// First bit (dword n bit b = 32*n+b), inclusive.
    public let start: Int
    /// Last bit, inclusive.
    public let end: Int
    /// What the bits mean.
    public let type: FieldType
    /// The value the field must or usually has (opcode fields; the nominal DWord Length).
    public let defaultValue: UInt64?
    /// Named values of this field, if genxml lists any.
    public let values: [CommandEnumValue]

    /// A field; `start...end` must be a valid, non-empty bit range.
    public init(
        name: String, start: Int, end: Int, type: FieldType, defaultValue: UInt64?,
        values: [CommandEnumValue]
    ) {
        precondition(start >= 0 && end >= start, "bad bit range \(start)...\(end) for \(name)")
        self.name = name
        self.start = start
        self.end = end
        self.type = type
        self.defaultValue = defaultValue
        self.values = values
    }

    /// Number of bits in the field.
    @inlinable public var width: Int { end - start + 1 }

    /// Index of the dword holding the field's first bit.
    @inlinable public var firstDword: Int { start >> 5 }

    /// Extracts the field from a command's dwords (spanning dword boundaries; bits beyond
    /// `dwords.count` read as 0, never trap). Fields wider than 64 bits yield their low 64 bits.
    @inlinable
    public func extract<C: RandomAccessCollection>(from dwords: C) -> UInt64
    where C.Element == UInt32, C.Index == Int {
        var result: UInt64 = 0
        let lastBit = min(end, start + 63)
        var bit = start
        while bit <= lastBit {
            let dword = bit >> 5
            let lo = bit & 31
            let hi = min(31, lastBit - (dword << 5))
            let offset = dwords.startIndex + dword
            if dword < dwords.count {
                let word = UInt64(dwords[offset])
                let chunk = (word >> UInt64(lo)) & ((1 << UInt64(hi - lo + 1)) &- 1)
                result |= chunk << UInt64(bit - start)
            }
            bit = (dword << 5) + hi + 1
        }
        return result
    }

    /// For `address`/`offset` fields: the byte address, i.e. the field's bits left in place
    /// relative to the dword where the field starts (genxml puts flag bits below the address).
    @inlinable
    public func addressValue<C: RandomAccessCollection>(from dwords: C) -> UInt64
    where C.Element == UInt32, C.Index == Int {
        extract(from: dwords) << UInt64(start & 31)
    }
}

/// A repeated block of fields (genxml `<group>`), e.g. the (register, value) pairs of
/// MI_LOAD_REGISTER_IMM. Field bit positions are relative to the element's first bit.
public struct CommandFieldGroup: Hashable, Sendable {
    /// First bit of element 0 within the command.
    public let start: Int
    /// Bits per element.
    public let size: Int
    /// Number of elements; 0 means "repeats until the end of the command".
    public let count: Int
    /// The fields of one element.
    public let fields: [CommandField]

    /// A group of `count` elements of `size` bits from bit `start`.
    public init(start: Int, size: Int, count: Int, fields: [CommandField]) {
        self.start = start
        self.size = size
        self.count = count
        self.fields = fields
    }
}
