import GPUModel

/// GVT's per-command flags (`cmd_parser.c` `F_*` of `struct cmd_info`).
public struct CommandAuditFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// `F_LEN_CONST`: the length is a constant, the header has no length field.
    public static let lengthConst = CommandAuditFlags(rawValue: 1 << 0)
    /// `F_LEN_VAR_FIXED`: the header has a length field but only one value is valid
    /// (`valid_len`); any other length is -EFAULT.
    public static let lengthVarFixed = CommandAuditFlags(rawValue: 1 << 1)
    /// `F_IP_ADVANCE_CUSTOM`: the handler moves the instruction pointer (BB start/end).
    public static let ipAdvanceCustom = CommandAuditFlags(rawValue: 1 << 2)
    /// `F_POST_HANDLE` (older GVT, MI_DISPLAY_FLIP): the command's effect is applied after
    /// the scan; here the flip is returned in `ScanResult.displayFlips` for dispatch.
    public static let postHandle = CommandAuditFlags(rawValue: 1 << 3)
    /// The command is refused in any scanned buffer (GVT: `unexpected_cmd` → -EBADRQC).
    public static let rejected = CommandAuditFlags(rawValue: 1 << 4)
}

/// What the parser does with a command beyond measuring it (GVT: the `cmd_info.handler`).
public enum CommandAuditHandler: UInt8, Hashable, Sendable {
    /// No handler: the command is only measured.
    case none
    /// `cmd_handler_mi_user_interrupt`: harvest the engine's user interrupt, NOOP it.
    case userInterrupt
    /// `cmd_handler_mi_wait_for_event`: NOOP a wait on a flip-pending bit.
    case waitForEvent
    /// `cmd_handler_mi_batch_buffer_end`.
    case batchBufferEnd
    /// `cmd_handler_mi_batch_buffer_start`.
    case batchBufferStart
    /// `cmd_handler_mi_display_flip`.
    case displayFlip
    /// `cmd_handler_lri`.
    case loadRegisterImmediate
    /// `cmd_handler_lrr`.
    case loadRegisterRegister
    /// `cmd_handler_lrm`.
    case loadRegisterMemory
    /// `cmd_handler_srm`.
    case storeRegisterMemory
    /// `cmd_handler_mi_store_data_imm`.
    case storeDataImmediate
    /// `cmd_handler_mi_flush_dw`.
    case flushDW
    /// `cmd_handler_pipe_control`.
    case pipeControl
    /// `cmd_handler_mi_op_2f` (MI_ATOMIC).
    case atomic
    /// `unexpected_cmd`: always -EBADRQC.
    case unexpected
}

/// One audit rule: GVT's `cmd_info` row attached to a command of the GPU model's table.
public struct CommandAuditRule: Hashable, Sendable {
    /// The command's name in `CommandTable` (genxml spelling).
    public let command: String
    /// GVT's name for it where it differs ("MI_OP_2F" for MI_ATOMIC), else the same.
    public let gvtName: String
    /// Engines GVT accepts the command on (`rings`); the table's own engines still apply.
    public let engines: EngineMask
    /// GVT's length rule: `.fixed(n)` for `F_LEN_CONST`, `.variable(bits:, bias: 2)` for
    /// `F_LEN_VAR` with `len` length bits. May differ from genxml's (see `lengthOverrides`).
    public let length: LengthRule
    /// `valid_len` of an `F_LEN_VAR_FIXED` row.
    public let validLength: Int?
    /// GVT's flags.
    public let flags: CommandAuditFlags
    /// The handler.
    public let handler: CommandAuditHandler

    /// A rule; `flags` gain `.lengthConst` for a fixed length and `.lengthVarFixed` when
    /// `validLength` is given.
    public init(_ command: String, gvt: String? = nil, _ engines: EngineMask, _ length: LengthRule,
                valid validLength: Int? = nil, flags: CommandAuditFlags = [], handler: CommandAuditHandler = .none) {
        self.command = command
        self.gvtName = gvt ?? command
        self.engines = engines
        self.length = length
        self.validLength = validLength
        var flags = flags
        if case .fixed = length { flags.insert(.lengthConst) }
        if validLength != nil { flags.insert(.lengthVarFixed) }
        if handler == .unexpected { flags.insert(.rejected) }
        self.flags = flags
        self.handler = handler
    }
}

/// A rule compiled against the command table: what the scan loop reads per command.
public struct CommandAuditEntry: Hashable, Sendable {
    /// Index of the rule in `CommandAuditTable.rules`.
    public let rule: Int
    /// `CommandInfo.id` of the command.
    public let commandID: Int
    /// The command's name.
    public let name: String
    /// GVT's rings ∩ the table's engines.
    public let engines: EngineMask
    /// GVT's length rule.
    public let length: LengthRule
    /// `valid_len`, or 0 when any length is accepted.
    public let validLength: Int
    /// Flags.
    public let flags: CommandAuditFlags
    /// Handler.
    public let handler: CommandAuditHandler
    /// Dword indices holding graphics addresses (the table's `addressDwords`, GVT `addr_bitmap`).
    public let addressDwords: [Int]
}

/// The parser's command table: GVT's `cmd_info[]` as rules attached to `CommandTable.gen9`
/// (GVT: `init_cmd_table` + `get_cmd_info`). Lookup is the command table's O(1) opcode
/// index followed by one array index.
public struct CommandAuditTable: Sendable {
    /// The rules, in GVT's order.
    public let rules: [CommandAuditRule]
    /// The command table the rules attach to.
    public let commands: CommandTable
    /// The compiled entries (rules whose command the table knows and runs on some engine).
    public let entries: [CommandAuditEntry]
    /// Per `CommandInfo.id`: index into `entries`, or -1 (GVT has no row: unknown).
    @usableFromInline let entryByCommand: ContiguousArray<Int16>
    /// Per entry, what the scan loop reads for every command (no reference-counted fields).
    let hot: ContiguousArray<HotEntry>

    /// The per-command part of an entry, as plain values.
    struct HotEntry {
        let engines: EngineMask
        let length: LengthRule
        let validLength: Int
        let handler: CommandAuditHandler
    }

    /// Compiles `rules` against `commands`; rules naming unknown commands are skipped and
    /// reported by `problems`.
    public init(rules: [CommandAuditRule], commands: CommandTable = .gen9) {
        self.rules = rules
        self.commands = commands
        var entries: [CommandAuditEntry] = []
        var byCommand = ContiguousArray<Int16>(repeating: -1, count: commands.commands.count)
        for (index, rule) in rules.enumerated() {
            guard let info = commands.command(named: rule.command) else { continue }
            let engines = rule.engines.intersection(info.engines)
            guard !engines.isEmpty, byCommand[info.id] < 0 else { continue }
            byCommand[info.id] = Int16(entries.count)
            entries.append(CommandAuditEntry(
                rule: index, commandID: info.id, name: info.name, engines: engines, length: rule.length,
                validLength: rule.validLength ?? 0, flags: rule.flags, handler: rule.handler,
                addressDwords: info.addressDwords))
        }
        self.entries = entries
        self.entryByCommand = byCommand
        self.hot = ContiguousArray(entries.map {
            HotEntry(engines: $0.engines, length: $0.length, validLength: $0.validLength, handler: $0.handler)
        })
    }

    /// The entry for `header` on `engine`, or nil: the command is unknown there (-EBADRQC).
    public func entry(for header: UInt32, engine: EngineID) -> CommandAuditEntry? {
        guard let index = entryIndex(for: header, engine: engine) else { return nil }
        return entries[index]
    }

    /// Hot-path form of `entry(for:engine:)`: the index into `entries`.
    public func entryIndex(for header: UInt32, engine: EngineID) -> Int? {
        guard let command = commands.lookupIndex(header, engine: engine) else { return nil }
        let index = Int(entryByCommand[command])
        guard index >= 0, hot[index].engines.contains(engine) else { return nil }
        return index
    }

    /// The entry of the command called `name`, if GVT has a row for it.
    public func entry(named name: String) -> CommandAuditEntry? { entries.first { $0.name == name } }

    /// Rules whose length rule differs from the command table's (genxml's): the cases where
    /// GVT measures a command differently from the hardware description.
    public var lengthOverrides: [(rule: CommandAuditRule, table: LengthRule)] {
        rules.compactMap { rule in
            guard let info = commands.command(named: rule.command), info.length != rule.length else { return nil }
            return (rule, info.length)
        }
    }

    /// Everything wrong with the rules, as sentences; empty for a healthy table: a rule naming
    /// a command the table does not know, a command with two rules, a rule on no engine the
    /// table runs the command on, a `valid_len` outside the length rule.
    public var problems: [String] {
        var problems: [String] = []
        var seen: [String: String] = [:]
        for rule in rules {
            guard let info = commands.command(named: rule.command) else {
                problems.append("rule \(rule.gvtName) names \(rule.command), which the command table does not know")
                continue
            }
            if let other = seen[rule.command] { problems.append("\(rule.command) has two rules (\(other), \(rule.gvtName))") }
            seen[rule.command] = rule.gvtName
            if rule.engines.intersection(info.engines).isEmpty {
                problems.append("rule \(rule.gvtName): none of its engines runs \(rule.command)")
            }
            if let valid = rule.validLength, valid < rule.length.minimum || valid > rule.length.maximum {
                problems.append("rule \(rule.gvtName): valid length \(valid) outside its length rule")
            }
        }
        return problems
    }
}
