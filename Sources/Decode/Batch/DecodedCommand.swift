import GPUModel

/// One named field of a decoded command, with its raw value and its text.
public struct DecodedField: Sendable, Equatable {
    /// The field's name as in the command table (genxml), e.g. "Register Offset".
    public var name: String
    /// The raw bits of the field, shifted down to bit 0 (addresses keep their alignment bits).
    public var value: UInt64
    /// The value as shown: hex for addresses, enum names, register names, `true`/`false`.
    public var text: String

    /// A decoded field.
    public init(name: String, value: UInt64, text: String) {
        self.name = name
        self.value = value
        self.text = text
    }
}

/// One command found in a buffer: where it is, what it is, how long it is, and its fields.
public struct DecodedCommand: Sendable, Equatable {
    /// How well the command was recognised.
    public enum Status: String, Sendable, Equatable {
        /// Known on the selected engine, and complete.
        case ok
        /// Known, but not on the selected engine (decoded with the other engine's layout).
        case wrongEngine = "wrong-engine"
        /// No command of the table matches the header; length from the generic header rule.
        case unknown
        /// The header's length runs past the end of the buffer; only the dwords present are shown.
        case truncated
    }

    /// Byte offset of the command in its buffer.
    public var offset: Int
    /// Graphics address of the command, when the buffer's base address is known.
    public var address: GraphicsAddress?
    /// Nesting: 0 for the buffer being decoded, +1 inside each batch followed from it.
    public var depth: Int
    /// The command's name, or "UNKNOWN" for an unrecognised header.
    public var name: String
    /// The command class from the table (MI, 3D, 2D, MEDIA, MFX, VEBOX...), empty if unknown.
    public var commandClass: String
    /// How well it was recognised.
    public var status: Status
    /// Dwords consumed (what the decoder advanced by; the dwords present when truncated).
    public var length: Int
    /// Dwords the header asks for.
    public var declaredLength: Int
    /// The raw dwords, `length` of them.
    public var dwords: [UInt32]
    /// The named fields, in table order (header fields left out).
    public var fields: [DecodedField]
    /// Markers placed on this command by the caller, e.g. "ACTHD", "HEAD".
    public var marks: [String]

    /// The header dword.
    public var header: UInt32 { dwords.first ?? 0 }

    /// A decoded command.
    public init(
        offset: Int, address: GraphicsAddress?, depth: Int, name: String, commandClass: String,
        status: Status, length: Int, declaredLength: Int, dwords: [UInt32], fields: [DecodedField],
        marks: [String] = []
    ) {
        self.offset = offset
        self.address = address
        self.depth = depth
        self.name = name
        self.commandClass = commandClass
        self.status = status
        self.length = length
        self.declaredLength = declaredLength
        self.dwords = dwords
        self.fields = fields
        self.marks = marks
    }
}

/// Something the decoder reports besides commands: jumps followed or not, where it stopped.
public struct BatchNote: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, Equatable {
        /// Entering a batch followed from MI_BATCH_BUFFER_START (a second-level or first-level batch).
        case enterBatch = "enter-batch"
        /// Entering a chained batch: the rest of the current buffer is not executed.
        case enterChained = "enter-chained"
        /// Back from a followed batch.
        case leaveBatch = "leave-batch"
        /// A jump not followed: no memory provider, or the target is not available.
        case notFollowed = "not-followed"
        /// A jump to a batch already being decoded on this path: not followed again.
        case loop
        /// A jump beyond the nesting limit: not followed.
        case depthLimit = "depth-limit"
        /// MI_BATCH_BUFFER_END ended the buffer with dwords left after it.
        case endedEarly = "ended"
        /// The buffer ended inside a command.
        case truncated
    }

    /// What happened.
    public var kind: Kind
    /// Byte offset in the buffer at `depth` where it happened.
    public var offset: Int
    /// Graphics address where it happened, if known.
    public var address: GraphicsAddress?
    /// Nesting level.
    public var depth: Int
    /// Human-readable details ("to 0x00401000", "12 dwords after MI_BATCH_BUFFER_END").
    public var message: String

    /// A note.
    public init(kind: Kind, offset: Int, address: GraphicsAddress?, depth: Int, message: String) {
        self.kind = kind
        self.offset = offset
        self.address = address
        self.depth = depth
        self.message = message
    }
}

/// What the decoder hands its visitor, in buffer order.
public enum BatchEvent: Sendable, Equatable {
    /// A command.
    case command(DecodedCommand)
    /// A note about following, loops, truncation or the end.
    case note(BatchNote)

    /// The command, if this event is one.
    public var command: DecodedCommand? {
        if case .command(let command) = self { return command }
        return nil
    }
}
