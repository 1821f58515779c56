// Hand-written: commands GVT's parser knows that genxml gen9.xml lacks.
//
// Facts from GVT cmd_parser.c (`cmd_info[]`: opcode, rings, F_LEN_CONST / F_LEN_VAR with
// length bits and, for F_LEN_VAR_FIXED, the only valid length). Their bodies are not modelled:
// only header fields are listed. MI opcodes sit in bits 28:23; VEBOX commands are type 3,
// pipeline 2, opcode 4, sub-opcodes A (23:21) and B (20:16).

extension Gen9Commands {
    /// MI commands absent from genxml: (opcode, name, engines, length bits or nil for a
    /// one-dword command, nominal length).
    private static let extraMIRows: [(opcode: UInt32, name: String, engines: EngineMask, bits: Int?, nominal: Int)] = [
        (0x04, "MI_FLUSH", .all, nil, 1),
        (0x0E, "MI_SET_APPID", .all, nil, 1),
        (0x16, "MI_SEMAPHORE_MBOX", .all, 8, 3),
        (0x19, "MI_URB_CLEAR", .rcs, 8, 2),
        (0x23, "MI_UPDATE_GTT", .all, 10, 2),
    ]

    /// MI rows GVT knows and genxml gen9 does not.
    static func extraMI() -> [CommandInfo] {
        extraMIRows.map { row in
            var fields: [CommandField] = [
                CommandField(name: "MI Command Opcode", start: 23, end: 28, type: .uint, defaultValue: UInt64(row.opcode), values: []),
                CommandField(name: "Command Type", start: 29, end: 31, type: .uint, defaultValue: 0, values: []),
            ]
            let length: LengthRule
            if let bits = row.bits {
                length = .variable(bits: bits, bias: 2)
                fields.insert(
                    CommandField(name: "DWord Length", start: 0, end: bits - 1, type: .uint, defaultValue: UInt64(row.nominal - 2), values: []),
                    at: 0)
            } else {
                length = .fixed(1)
            }
            return CommandInfo(
                id: 0, name: row.name, commandClass: .mi,
                headerMask: CommandClass.mi.opcodeMask, headerValue: row.opcode << 23,
                length: length, nominalLength: row.nominal, engines: row.engines,
                addressDwords: [], fields: fields, groups: [])
        }
    }

    /// VEBOX commands (VECS only, 12-bit length field, bias 2): (sub-opcode B, name).
    private static let veboxRows: [(subOpcodeB: UInt32, name: String)] = [
        (0, "VEB_SURFACE_STATE"),
        (2, "VEB_STATE"),
        (3, "VEB_DI_IECP"),
    ]

    /// The VEBOX rows (GVT: VEBOX_SURFACE_STATE, VEBOX_STATE, VEB_DI_IECP).
    static func extraVebox() -> [CommandInfo] {
        veboxRows.map { row in
            let fields: [CommandField] = [
                CommandField(name: "DWord Length", start: 0, end: 11, type: .uint, defaultValue: 0, values: []),
                CommandField(name: "SubOpcode B", start: 16, end: 20, type: .uint, defaultValue: UInt64(row.subOpcodeB), values: []),
                CommandField(name: "SubOpcode A", start: 21, end: 23, type: .uint, defaultValue: 0, values: []),
                CommandField(name: "Media Command Opcode", start: 24, end: 26, type: .uint, defaultValue: 4, values: []),
                CommandField(name: "Pipeline", start: 27, end: 28, type: .uint, defaultValue: 2, values: []),
                CommandField(name: "Command Type", start: 29, end: 31, type: .uint, defaultValue: 3, values: []),
            ]
            return CommandInfo(
                id: 0, name: row.name, commandClass: .render,
                headerMask: CommandClass.render.opcodeMask,
                headerValue: (3 << 29) | (2 << 27) | (4 << 24) | (row.subOpcodeB << 16),
                length: .variable(bits: 12, bias: 2), nominalLength: 2, engines: .vecs,
                addressDwords: [], fields: fields, groups: [])
        }
    }
}
