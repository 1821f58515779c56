import GPUModel

/// Turns a command's dwords into named fields, following the table's field layout.
///
/// Header fields (type, opcodes, DWord Length) are left out; register offsets in
/// MI_LOAD_REGISTER_IMM/REG/MEM and MI_STORE_REGISTER_MEM get the register's name; the
/// enumerations that matter when reading a hang (post-sync operations, address spaces, batch
/// levels) are named.
enum FieldDecoder {
    /// How one field is shown; worked out once per table, not per command.
    struct FieldPlan: Sendable {
        enum Style: Sendable { case bool, address, register, int, float, uint, ufixed(Int), sfixed(Int), hex }
        let field: CommandField
        let style: Style
        /// Names of the field's values (genxml `<value>`s, its enum's values, or ours).
        let names: [CommandEnumValue]
    }

    /// The visible fields of one command.
    struct CommandPlan: Sendable {
        let isLoadRegisterImmediate: Bool
        let fields: [FieldPlan]
        let groups: [(group: CommandFieldGroup, fields: [FieldPlan])]
    }

    /// Plans for every command of a table, indexed by `CommandInfo.id`.
    struct Plans: Sendable {
        let commands: [CommandPlan]

        init(table: CommandTable) {
            commands = table.commands.map { info in
                let register = FieldDecoder.isRegisterCommand(info.name)
                return CommandPlan(
                    isLoadRegisterImmediate: info.name == "MI_LOAD_REGISTER_IMM",
                    fields: info.fields.compactMap { FieldDecoder.plan($0, register: register, table: table, inGroup: false) },
                    groups: info.groups.filter { $0.size > 0 }.map { group in
                        (group, group.fields.compactMap { FieldDecoder.plan($0, register: register, table: table, inGroup: true) })
                    })
            }
        }

        /// The plans of the Gen9 table, built once.
        static let gen9 = Plans(table: .gen9)
    }

    static func plan(_ field: CommandField, register: Bool, table: CommandTable, inGroup: Bool) -> FieldPlan? {
        if !inGroup && isHeaderField(field) { return nil }
        var names = field.values
        let style: FieldPlan.Style
        switch field.type {
        case .mbo: return nil
        case .bool: style = .bool
        case .address: style = .address
        case .offset: style = register && field.name.contains("Register") ? .register : .address
        case .int: style = .int
        case .float: style = .float
        case .ufixed(_, let fraction): style = .ufixed(fraction)
        case .sfixed(_, let fraction): style = .sfixed(fraction)
        case .uint, .enumeration:
            if case .enumeration(let name) = field.type, names.isEmpty, let e = table.enumeration(named: name) {
                names = e.values
            }
            if names.isEmpty { names = builtInNames(field.name) }
            style = register && field.name.contains("Register") ? .register : .uint
        default: style = .hex
        }
        return FieldPlan(field: field, style: style, names: names)
    }

    /// The fields of the command planned by `plan` found in `dwords` (fields past the end are left out).
    static func fields(_ plan: CommandPlan, dwords: UnsafeBufferPointer<UInt32>) -> [DecodedField] {
        if plan.isLoadRegisterImmediate { return loadRegisterImmediate(dwords) }
        var out: [DecodedField] = []
        out.reserveCapacity(plan.fields.count)
        let availableBits = dwords.count * 32
        func add(_ fieldPlan: FieldPlan, offset: Int, element: Int?) {
            let field = fieldPlan.field
            let start = field.start + offset
            if start >= availableBits { return }
            let end = min(field.end + offset, availableBits - 1)
            let raw = extract(dwords, start: start, end: end)
            let name = element.map { field.name + "[\($0)]" } ?? field.name
            out.append(DecodedField(name: name, value: valueOf(field, raw: raw), text: text(fieldPlan, raw: raw)))
        }
        for fieldPlan in plan.fields { add(fieldPlan, offset: 0, element: nil) }
        // Repeated groups: `count` elements, or as many as the command holds (count 0).
        for (group, fieldPlans) in plan.groups {
            var element = 0
            while group.count == 0 || element < group.count {
                let offset = group.start + element * group.size
                if offset >= availableBits || element > 4096 { break }
                for fieldPlan in fieldPlans { add(fieldPlan, offset: offset, element: element) }
                element += 1
            }
        }
        return out
    }

    /// Bits `start...end` (counted across the command, inclusive) as a number, at most 64 bits.
    static func extract(_ dwords: UnsafeBufferPointer<UInt32>, start: Int, end: Int) -> UInt64 {
        let width = min(end - start + 1, 64)
        guard width > 0 else { return 0 }
        var result: UInt64 = 0
        var got = 0
        var bit = start
        while got < width {
            let index = bit >> 5
            guard index < dwords.count else { break }
            let shift = bit & 31
            let take = min(32 - shift, width - got)
            let chunk = (UInt64(dwords[index]) >> UInt64(shift)) & ((UInt64(1) << UInt64(take)) - 1)
            result |= chunk << UInt64(got)
            got += take
            bit += take
        }
        return result
    }

    /// Header fields carry no information once the command is named.
    static func isHeaderField(_ field: CommandField) -> Bool {
        guard field.end < 32 else { return false }
        let name = field.name
        return name == "Command Type" || name == "DWord Length" || name.contains("Opcode")
            || name.contains("SubType") || name == "Pipeline" || name == "Client" || name == "Media Command Pipeline"
    }

    /// Commands whose offset fields are MMIO register offsets.
    static func isRegisterCommand(_ name: String) -> Bool {
        name == "MI_LOAD_REGISTER_REG" || name == "MI_LOAD_REGISTER_MEM" || name == "MI_STORE_REGISTER_MEM"
            || name == "MI_LOAD_REGISTER_IMM"
    }

    /// The field's value: addresses and offsets keep their low alignment bits (byte addresses).
    static func valueOf(_ field: CommandField, raw: UInt64) -> UInt64 {
        switch field.type {
        case .address, .offset:
            let shift = UInt64(field.start % 32)
            return shift < 64 ? raw << shift : raw
        default:
            return raw
        }
    }

    static func text(_ plan: FieldPlan, raw: UInt64) -> String {
        let field = plan.field
        let width = field.end - field.start + 1
        switch plan.style {
        case .bool:
            return raw != 0 ? "true" : "false"
        case .address:
            let value = valueOf(field, raw: raw)
            return hex(value, width: value > 0xFFFF_FFFF ? 12 : 8)
        case .register:
            return registerText(UInt32(truncatingIfNeeded: valueOf(field, raw: raw)))
        case .int:
            let shift = UInt64(64 - min(width, 64))
            return String(Int64(bitPattern: raw << shift) >> Int64(shift))
        case .float:
            return String(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
        case .uint:
            for value in plan.names where value.value == raw { return value.name }
            return raw < 1024 ? String(raw) : hex(raw, width: width > 32 ? 16 : 8)
        case .ufixed(let fraction):
            return fixedText(Double(raw), fraction: fraction)
        case .sfixed(let fraction):
            let shift = UInt64(64 - min(width, 64))
            return fixedText(Double(Int64(bitPattern: raw << shift) >> Int64(shift)), fraction: fraction)
        case .hex:
            return hex(raw, width: width > 32 ? 16 : 8)
        }
    }

    static func fixedText(_ value: Double, fraction: Int) -> String {
        String(value / Double(1 << UInt64(min(max(fraction, 0), 62))))
    }

    /// `0x02358 (RING_TIMESTAMP)` or just the offset when the register is not known.
    static func registerText(_ offset: UInt32) -> String {
        let text = hex(offset, width: 5)
        if let name = RegisterNames.name(of: MMIOOffset(offset)) { return "\(text) (\(name))" }
        return text
    }

    /// Names genxml leaves out for values that matter when reading a hang.
    static func builtInNames(_ field: String) -> [CommandEnumValue] {
        switch field {
        case "Post Sync Operation", "Post-Sync Operation":
            return ["No Write", "Write Immediate Data", "Write PS Depth Count", "Write Timestamp"].enumerated().map {
                CommandEnumValue(name: $1, value: UInt64($0))
            }
        case "Address Space Indicator":
            return [.init(name: "GGTT", value: 0), .init(name: "PPGTT", value: 1)]
        case "Destination Address Type":
            return [.init(name: "PPGTT", value: 0), .init(name: "GGTT", value: 1)]
        default:
            return []
        }
    }

    /// MI_LOAD_REGISTER_IMM carries (offset, value) pairs to the end of the command.
    static func loadRegisterImmediate(_ dwords: UnsafeBufferPointer<UInt32>) -> [DecodedField] {
        var out: [DecodedField] = []
        let disables = (dwords[0] >> 8) & 0xF
        if disables != 0 { out.append(DecodedField(name: "Byte Write Disables", value: UInt64(disables), text: String(disables))) }
        var index = 1
        var pair = 0
        while index < dwords.count {
            let offset = dwords[index] & 0x007F_FFFC
            out.append(DecodedField(name: "Register Offset[\(pair)]", value: UInt64(offset), text: registerText(offset)))
            if index + 1 < dwords.count {
                let value = dwords[index + 1]
                out.append(DecodedField(name: "Data DWord[\(pair)]", value: UInt64(value), text: hex(value, width: 8)))
            }
            index += 2
            pair += 1
        }
        return out
    }
}
