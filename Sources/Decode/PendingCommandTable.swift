// TEMPORARY stand-in for GPUModel's CommandTable (branch `cmdtable`), with the agreed names.
// Deleted when that branch is merged.
import GPUModel

/// Stand-in: how a command's length is found.
public enum LengthRule: Sendable, Equatable {
    case fixed(Int)
    case variable(bits: Int, bias: Int)
}

/// Stand-in: field types.
public enum FieldType: Sendable, Equatable {
    case bool, uint, int, address, offset, float, mbo, ufixed, sfixed
    case enumeration(String), structure(String), other(String)
}

/// Stand-in: one field.
public struct CommandField: Sendable, Equatable {
    public var name: String
    public var start: Int
    public var end: Int
    public var type: FieldType
    public var defaultValue: UInt64?
}

/// Stand-in: one command.
public struct CommandInfo: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var commandClass: String
    public var headerMask: UInt32
    public var headerValue: UInt32
    public var length: LengthRule
    public var engines: EngineMask
    public var addressDwords: [Int]
    public var fields: [CommandField]
    public func length(header: UInt32) -> Int {
        switch length {
        case .fixed(let n): return n
        case .variable(let bits, let bias): return Int(header & ((1 << UInt32(bits)) - 1)) + bias
        }
    }
}

/// Stand-in: the table.
public struct CommandTable: Sendable {
    public var commands: [CommandInfo]
    public func lookup(_ header: UInt32, engine: EngineID) -> CommandInfo? {
        commands.first { $0.headerMask & header == $0.headerValue && $0.engines.contains(engine) }
    }
    public func lookupAnyEngine(_ header: UInt32) -> CommandInfo? {
        commands.first { $0.headerMask & header == $0.headerValue }
    }
    public func command(named name: String) -> CommandInfo? { commands.first { $0.name == name } }

    public static let gen9: CommandTable = {
        let mi: UInt32 = 0xFF80_0000
        func f(_ n: String, _ s: Int, _ e: Int, _ t: FieldType, _ d: UInt64? = nil) -> CommandField {
            CommandField(name: n, start: s, end: e, type: t, defaultValue: d)
        }
        let hdr = [f("Command Type", 29, 31, .uint, 0), f("MI Command Opcode", 23, 28, .uint)]
        var list: [CommandInfo] = []
        func add(_ name: String, _ op: UInt32, _ len: LengthRule, _ fields: [CommandField], engines: EngineMask = .all, addr: [Int] = []) {
            list.append(CommandInfo(id: list.count, name: name, commandClass: "MI", headerMask: mi, headerValue: op << 23,
                                    length: len, engines: engines, addressDwords: addr, fields: hdr + fields))
        }
        add("MI_NOOP", 0, .fixed(1), [])
        add("MI_USER_INTERRUPT", 2, .fixed(1), [])
        add("MI_ARB_CHECK", 5, .fixed(1), [])
        add("MI_BATCH_BUFFER_END", 0x0A, .fixed(1), [])
        add("MI_LOAD_REGISTER_IMM", 0x22, .variable(bits: 8, bias: 2),
            [f("DWord Length", 0, 7, .uint, 1), f("Register Offset", 34, 54, .offset), f("Data DWord", 64, 95, .uint)])
        add("MI_STORE_REGISTER_MEM", 0x24, .variable(bits: 8, bias: 2),
            [f("DWord Length", 0, 7, .uint, 2), f("Use Global GTT", 22, 22, .bool), f("Register Address", 34, 54, .offset), f("Memory Address", 66, 127, .address)], addr: [2])
        add("MI_LOAD_REGISTER_MEM", 0x29, .variable(bits: 8, bias: 2),
            [f("DWord Length", 0, 7, .uint, 2), f("Use Global GTT", 22, 22, .bool), f("Register Address", 34, 54, .offset), f("Memory Address", 66, 127, .address)], addr: [2])
        add("MI_STORE_DATA_IMM", 0x20, .variable(bits: 10, bias: 2),
            [f("DWord Length", 0, 9, .uint, 2), f("Use Global GTT", 22, 22, .bool), f("Address", 34, 79, .address), f("Data DWord 0", 96, 127, .uint)], addr: [1])
        add("MI_BATCH_BUFFER_START", 0x31, .variable(bits: 8, bias: 2),
            [f("DWord Length", 0, 7, .uint, 1), f("Second Level Batch Buffer", 22, 22, .enumeration("x")), f("Address Space Indicator", 8, 8, .enumeration("ASI")), f("Batch Buffer Start Address", 34, 95, .address)], addr: [1])
        list.append(CommandInfo(id: list.count, name: "PIPE_CONTROL", commandClass: "3D", headerMask: 0xFFFF_0000, headerValue: 0x7A00_0000,
                                length: .variable(bits: 8, bias: 2), engines: .rcs, addressDwords: [2],
                                fields: [f("Command Type", 29, 31, .uint, 3), f("Command SubType", 27, 28, .uint, 3), f("3D Command Opcode", 24, 26, .uint, 2), f("3D Command Sub Opcode", 16, 23, .uint, 0), f("DWord Length", 0, 7, .uint, 4),
                                         f("Post Sync Operation", 46, 47, .uint), f("Command Streamer Stall Enable", 52, 52, .bool), f("Address", 66, 111, .address), f("Immediate Data", 128, 191, .uint)]))
        return CommandTable(commands: list)
    }()
}
