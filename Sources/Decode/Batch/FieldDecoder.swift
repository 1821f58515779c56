import GPUModel

/// Turns a command's dwords into named fields, following the table's field layout.
///
/// Header fields (type, opcodes, DWord Length) are left out; register offsets in
/// MI_LOAD_REGISTER_IMM/REG/MEM and MI_STORE_REGISTER_MEM get the register's name; the
/// enumerations that matter when reading a hang (post-sync operations, address spaces, batch
/// levels) are named.
enum FieldDecoder {
    /// The fields of `info` found in `dwords` (the command's dwords; fields past the end are left out).
    static func fields(of info: CommandInfo, dwords: UnsafeBufferPointer<UInt32>, table: CommandTable) -> [DecodedField] {
        if info.name == "MI_LOAD_REGISTER_IMM" { return loadRegisterImmediate(info, dwords) }
        let registerCommand = isRegisterCommand(info.name)
        var out: [DecodedField] = []
        out.reserveCapacity(info.fields.count)
        let availableBits = dwords.count * 32
        func add(_ field: CommandField, offset: Int, suffix: String) {
            let start = field.start + offset
            if start >= availableBits || (offset == 0 && isHeaderField(field)) { return }
            if case .mbo = field.type { return }
            let end = min(field.end + offset, availableBits - 1)
            let raw = extract(dwords, start: start, end: end)
            out.append(DecodedField(name: field.name + suffix, value: valueOf(field, raw: raw),
                                    text: text(of: field, raw: raw, registerCommand: registerCommand, table: table)))
        }
        for field in info.fields { add(field, offset: 0, suffix: "") }
        // Repeated groups: `count` elements, or as many as the command holds (count 0).
        for group in info.groups where group.size > 0 {
            var element = 0
            while group.count == 0 ? group.start + element * group.size < availableBits : element < group.count {
                let offset = group.start + element * group.size
                if offset >= availableBits { break }
                for field in group.fields { add(field, offset: offset, suffix: "[\(element)]") }
                element += 1
                if element > 4096 { break }
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

    static func text(of field: CommandField, raw: UInt64, registerCommand: Bool, table: CommandTable) -> String {
        let width = field.end - field.start + 1
        switch field.type {
        case .bool:
            return raw != 0 ? "true" : "false"
        case .address:
            let value = valueOf(field, raw: raw)
            return hex(value, width: value > 0xFFFF_FFFF ? 12 : 8)
        case .offset:
            let value = valueOf(field, raw: raw)
            if registerCommand && field.name.contains("Register") { return registerText(UInt32(truncatingIfNeeded: value)) }
            return hex(value, width: 8)
        case .int:
            let shift = UInt64(64 - min(width, 64))
            return String(Int64(bitPattern: raw << shift) >> Int64(shift))
        case .float:
            return String(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
        case .uint, .enumeration:
            if let value = field.values.first(where: { $0.value == raw }) { return value.name }
            if case .enumeration(let name) = field.type, let e = table.enumeration(named: name),
               let value = e.values.first(where: { $0.value == raw }) {
                return value.name
            }
            if let name = enumName(field: field.name, value: raw) { return name }
            if registerCommand && field.name.contains("Register") {
                return registerText(UInt32(truncatingIfNeeded: raw))
            }
            return raw < 1024 ? String(raw) : hex(raw, width: width > 32 ? 16 : 8)
        case .ufixed(_, let fraction):
            return fixedText(Double(raw), fraction: fraction)
        case .sfixed(_, let fraction):
            let shift = UInt64(64 - min(width, 64))
            return fixedText(Double(Int64(bitPattern: raw << shift) >> Int64(shift)), fraction: fraction)
        default:
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

    /// Names of the enumerated values that matter most when reading a hang (from genxml).
    static func enumName(field: String, value: UInt64) -> String? {
        switch field {
        case "Post Sync Operation", "Post-Sync Operation":
            return ["No Write", "Write Immediate Data", "Write PS Depth Count", "Write Timestamp"][Int(value & 3)]
        case "Address Space Indicator":
            return value == 0 ? "GGTT" : "PPGTT"
        case "Second Level Batch Buffer":
            return value == 0 ? "First level batch" : "Second level batch"
        case "Destination Address Type":
            return value == 0 ? "PPGTT" : "GGTT"
        case "LRI Post Sync Operation":
            return value == 0 ? "No LRI Operation" : "MMIO Write Immediate Data"
        default:
            return nil
        }
    }

    /// MI_LOAD_REGISTER_IMM carries (offset, value) pairs to the end of the command.
    static func loadRegisterImmediate(_ info: CommandInfo, _ dwords: UnsafeBufferPointer<UInt32>) -> [DecodedField] {
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
