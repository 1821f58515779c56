/// The command table: every command an engine's command streamer understands, with O(1)
/// lookup by header per engine.
///
/// The one table shared by the GPU model's command streamer, the mediator's command parser and
/// the decoder. GVT: `cmd_info[]` + `find_cmd_entry`; the decode rule (opcode bits per command
/// type and engine) is GVT's `ring_decode_info`.
public struct CommandTable: Sendable {
    /// The Gen9 (Apollo Lake) table: genxml instructions plus the hand-written rows.
    public static let gen9 = CommandTable(rows: Gen9Commands.all(), enums: Gen9Commands.generatedEnums())

    /// Every command, `commands[i].id == i`, sorted by header value.
    public let commands: [CommandInfo]
    /// genxml's named enums, sorted by name.
    public let enums: [CommandEnum]

    /// Slot layout per engine: 64 MI opcodes, 128 2D opcodes, 8192 type-3 opcodes.
    @usableFromInline static let miSlots = 64
    @usableFromInline static let blitterSlots = 128
    @usableFromInline static let renderSlots = 8192
    @usableFromInline static let slotsPerEngine = miSlots + blitterSlots + renderSlots

    /// Per engine, per opcode: index into `commands`, or -1.
    @usableFromInline let slots: ContiguousArray<Int16>
    /// Name → index, for `command(named:)` (lookups only, never iterated).
    private let byName: [String: Int]
    /// Enum name → index into `enums`.
    private let enumsByName: [String: Int]

    /// Builds a table from rows (ids are reassigned). Rows must pass `CommandTable.problems(in:)`:
    /// a duplicate (engine, opcode) or a malformed row is a programmer error.
    public init(rows: [CommandInfo], enums: [CommandEnum] = []) {
        let problems = CommandTable.problems(in: rows)
        precondition(problems.isEmpty, "bad command table: \(problems.joined(separator: "; "))")
        let sorted = rows.sorted { a, b in
            if a.headerValue != b.headerValue { return a.headerValue < b.headerValue }
            if a.engines.rawValue != b.engines.rawValue { return a.engines.rawValue < b.engines.rawValue }
            return a.name < b.name
        }
        precondition(sorted.count < Int(Int16.max), "too many commands")
        var commands: [CommandInfo] = []
        commands.reserveCapacity(sorted.count)
        var slots = ContiguousArray<Int16>(repeating: -1, count: EngineID.count * CommandTable.slotsPerEngine)
        var byName: [String: Int] = [:]
        for (index, row) in sorted.enumerated() {
            commands.append(row.withID(index))
            byName[row.name] = index
            for engine in row.engines.engines {
                slots[CommandTable.slot(row.headerValue, engine: engine)!] = Int16(index)
            }
        }
        self.commands = commands
        self.slots = slots
        self.byName = byName
        self.enums = enums.sorted { $0.name < $1.name }
        var enumsByName: [String: Int] = [:]
        for (index, e) in self.enums.enumerated() { enumsByName[e.name] = index }
        self.enumsByName = enumsByName
    }

    /// Index into `slots` for `header` on `engine`, or nil for a reserved command type.
    @inlinable static func slot(_ header: UInt32, engine: EngineID) -> Int? {
        let base = engine.index * slotsPerEngine
        switch header >> 29 {
        case 0: return base + Int((header >> 23) & 0x3F)
        case 2: return base + miSlots + Int((header >> 22) & 0x7F)
        case 3: return base + miSlots + blitterSlots + Int((header >> 16) & 0x1FFF)
        default: return nil
        }
    }

    /// The command `header` encodes on `engine`, or nil if unknown there.
    ///
    /// O(1): dense arrays keyed by opcode bits (MI: 31:23; 2D: 31:22; type 3: 31:16 per engine).
    @inlinable public func lookup(_ header: UInt32, engine: EngineID) -> CommandInfo? {
        guard let slot = CommandTable.slot(header, engine: engine) else { return nil }
        let index = slots[slot]
        return index < 0 ? nil : commands[Int(index)]
    }

    /// Same as `lookup(_:engine:)` on the first engine that knows it, in the order rcs, bcs,
    /// vcs, vecs: for decoding a buffer of unknown origin.
    @inlinable public func lookupAnyEngine(_ header: UInt32) -> CommandInfo? {
        for engine in EngineID.allCases {
            if let info = lookup(header, engine: engine) { return info }
        }
        return nil
    }

    /// The command called `name` (genxml spelling), or nil.
    public func command(named name: String) -> CommandInfo? {
        byName[name].map { commands[$0] }
    }

    /// The genxml enum called `name`, or nil.
    public func enumeration(named name: String) -> CommandEnum? {
        enumsByName[name].map { enums[$0] }
    }

    /// Everything wrong with a set of rows, as sentences; empty when they make a valid table.
    ///
    /// Checks: unique names; header mask equals the class's opcode mask; header value inside
    /// the mask and of the declared class; at least one engine; a type-2 row only on BCS; no
    /// two rows with the same opcode on one engine; nominal length within the length rule;
    /// field bit ranges sane.
    public static func problems(in rows: [CommandInfo]) -> [String] {
        var problems: [String] = []
        var names: [String: Int] = [:]
        var owner: [Int: String] = [:]
        for row in rows {
            if let earlier = names[row.name] {
                problems.append("\(row.name) appears twice (rows \(earlier) and \(row.id))")
            }
            names[row.name] = row.id
            if row.headerMask != row.commandClass.opcodeMask {
                problems.append("\(row.name): header mask \(hex(row.headerMask)) is not its class's opcode mask")
            }
            if row.headerValue & ~row.headerMask != 0 {
                problems.append("\(row.name): header value \(hex(row.headerValue)) has bits outside its mask")
            }
            if CommandClass(header: row.headerValue) != row.commandClass {
                problems.append("\(row.name): header value \(hex(row.headerValue)) is not of class \(row.commandClass)")
            }
            if row.engines.engines.isEmpty {
                problems.append("\(row.name): runs on no engine")
            }
            if row.commandClass == .blitter && row.engines != .bcs {
                problems.append("\(row.name): 2D commands run on BCS only")
            }
            if row.nominalLength < row.length.minimum || row.nominalLength > row.length.maximum {
                problems.append("\(row.name): nominal length \(row.nominalLength) outside its length rule")
            }
            for field in row.fields where field.end >= 32 * max(row.nominalLength, row.length.maximum) {
                problems.append("\(row.name): field \(field.name) ends beyond the longest command")
            }
            for engine in row.engines.engines {
                guard let slot = slot(row.headerValue, engine: engine) else { continue }
                if let other = owner[slot] {
                    problems.append("\(row.name) and \(other) share header \(hex(row.headerValue)) on \(engine)")
                }
                owner[slot] = row.name
            }
        }
        return problems
    }
}

/// Namespace of the Gen9 rows: generated from genxml (`Gen9Commands+Generated.swift`) and
/// hand-written (`Gen9Commands+Blitter.swift`, `Gen9Commands+Extra.swift`).
enum Gen9Commands {
    /// Every Gen9 row, in no particular order (the table sorts them).
    static func all() -> [CommandInfo] {
        generatedMi() + extraMI() + blitter() + generatedRender() + extraVebox()
    }
}
