/// The command type in a command header's bits 31:29 (PRM "Command Type"; GVT `CMD_TYPE`).
///
/// Type 1 is reserved and types 4-7 do not exist on Gen9: a header with those is unknown.
public enum CommandClass: UInt8, Sendable, Hashable, CaseIterable {
    /// Type 0: MI_* commands, understood by every engine (opcode in bits 28:23).
    case mi = 0
    /// Type 2: 2D blitter XY_* commands, BCS only (opcode in bits 28:22).
    case blitter = 2
    /// Type 3: 3D/media on RCS, MFX/HCP/HUC on VCS, VEBOX/SFC on VECS
    /// (pipeline 28:27, opcode 26:24, sub-opcode 23:16).
    case render = 3

    /// The class of `header`, or nil for a reserved command type.
    @inlinable public init?(header: UInt32) {
        self.init(rawValue: UInt8(truncatingIfNeeded: header >> 29))
    }

    /// The header bits that identify a command of this class (GVT `op_len` bits).
    @inlinable public var opcodeMask: UInt32 {
        switch self {
        case .mi: 0xFF80_0000
        case .blitter: 0xFFC0_0000
        case .render: 0xFFFF_0000
        }
    }
}

/// How long a command is, in dwords (GVT `F_LEN_CONST` / `F_LEN_VAR`).
public enum LengthRule: Hashable, Sendable {
    /// Always this many dwords; the header has no length field (MI_NOOP, PIPELINE_SELECT).
    case fixed(Int)
    /// `(dw0 & ((1 << bits) - 1)) + bias` dwords: the header's "DWord Length" field.
    case variable(bits: Int, bias: Int)

    /// The length of the command whose first dword is `header`.
    @inlinable public func length(header: UInt32) -> Int {
        switch self {
        case .fixed(let n):
            return n
        case .variable(let bits, let bias):
            return Int(header & ((1 << UInt32(bits)) &- 1)) + bias
        }
    }

    /// The shortest length the rule can give.
    @inlinable public var minimum: Int {
        switch self {
        case .fixed(let n): n
        case .variable(_, let bias): bias
        }
    }

    /// The longest length the rule can give.
    @inlinable public var maximum: Int {
        switch self {
        case .fixed(let n): n
        case .variable(let bits, let bias): (1 << bits) - 1 + bias
        }
    }
}

/// One Gen9 command: how to recognise it, how long it is, where its fields are.
///
/// GVT: `struct cmd_info` (name, opcode, flags, rings, addr_bitmap, len); genxml `<instruction>`.
public struct CommandInfo: Hashable, Sendable {
    /// Dense index into `CommandTable.commands`.
    public let id: Int
    /// genxml name, e.g. "MI_BATCH_BUFFER_START", "PIPE_CONTROL", "3DSTATE_VS", "XY_COLOR_BLT".
    public let name: String
    /// The header's command type.
    public let commandClass: CommandClass
    /// `dw0 & headerMask == headerValue` identifies the command (on its engines).
    public let headerMask: UInt32
    /// See `headerMask`.
    public let headerValue: UInt32
    /// How to compute the command's length from its header.
    public let length: LengthRule
    /// Length of the command's basic form in dwords (what `defaultHeader` encodes). The header's
    /// length field is authoritative; for hand-written rows whose layout is not modelled this is
    /// `length.minimum`.
    public let nominalLength: Int
    /// Engines whose command streamer accepts the command.
    public let engines: EngineMask
    /// Dword indices that start a graphics address field (GVT `addr_bitmap`).
    public let addressDwords: [Int]
    /// The command's fields, dword 0 first.
    public let fields: [CommandField]
    /// Repeated blocks of fields.
    public let groups: [CommandFieldGroup]

    /// A table row. `id` is reassigned by `CommandTable` to the row's index.
    public init(
        id: Int, name: String, commandClass: CommandClass, headerMask: UInt32, headerValue: UInt32,
        length: LengthRule, nominalLength: Int, engines: EngineMask, addressDwords: [Int],
        fields: [CommandField], groups: [CommandFieldGroup]
    ) {
        self.id = id
        self.name = name
        self.commandClass = commandClass
        self.headerMask = headerMask
        self.headerValue = headerValue
        self.length = length
        self.nominalLength = nominalLength
        self.engines = engines
        self.addressDwords = addressDwords
        self.fields = fields
        self.groups = groups
    }

    /// Total length in dwords of the command whose first dword is `header`.
    @inlinable public func length(header: UInt32) -> Int { length.length(header: header) }

    /// Whether `header` is this command's header (ignores engines).
    @inlinable public func matches(_ header: UInt32) -> Bool { header & headerMask == headerValue }

    /// The field named `name`, if any (linear search: not for hot paths).
    public func field(named name: String) -> CommandField? { fields.first { $0.name == name } }

    /// The header of the command's basic form: opcode fields, dword-0 defaults and
    /// `nominalLength` in the length field.
    public var defaultHeader: UInt32 {
        var header = headerValue
        for field in fields where field.end < 32 {
            guard let value = field.defaultValue else { continue }
            let mask = UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(field.width)) &- 1)
            header = (header & ~(mask << UInt32(field.start)))
                | ((UInt32(truncatingIfNeeded: value) & mask) << UInt32(field.start))
        }
        if case .variable(let bits, let bias) = length {
            let mask: UInt32 = (1 << UInt32(bits)) &- 1
            header = (header & ~mask) | (UInt32(nominalLength - bias) & mask)
        }
        return header
    }

    /// The same row with another `id`.
    func withID(_ id: Int) -> CommandInfo {
        CommandInfo(
            id: id, name: name, commandClass: commandClass, headerMask: headerMask,
            headerValue: headerValue, length: length, nominalLength: nominalLength, engines: engines,
            addressDwords: addressDwords, fields: fields, groups: groups)
    }
}
