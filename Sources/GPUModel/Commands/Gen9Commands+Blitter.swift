// Hand-written: the blitter's XY_* commands, which genxml does not describe.
//
// Facts: opcodes and engines from GVT cmd_parser.c (`OP_2D(x)`, R_BCS, length bits 8, bias 2)
// plus XY_FAST_COPY_BLT (Gen9). Gen8+ layouts (two-dword addresses) for XY_SETUP_BLT,
// XY_COLOR_BLT, XY_SRC_COPY_BLT and XY_FAST_COPY_BLT follow the PRM (vol 2a, "BLT Engine
// Commands") as used by Mesa's i965 intel_blit.c and IGT's lib/intel_blt.c. The other XY
// commands are recognised and measured (length = (dw0 & 0xFF) + 2) but their bodies are not
// modelled: only their header fields are listed, no address dwords, and `nominalLength` is the
// rule's minimum.

extension Gen9Commands {
    /// XY opcode (bits 28:22 without the client) and name, for the rows without a body layout.
    private static let headerOnlyBlits: [(opcode: UInt32, name: String, nominal: Int)] = [
        (0x03, "XY_SETUP_CLIP_BLT", 3),
        (0x11, "XY_SETUP_MONO_PATTERN_SL_BLT", 2),
        (0x24, "XY_PIXEL_BLT", 2),
        (0x25, "XY_SCANLINES_BLT", 3),
        (0x26, "XY_TEXT_BLT", 2),
        (0x31, "XY_TEXT_IMMEDIATE_BLT", 3),
        (0x51, "XY_PAT_BLT", 2),
        (0x52, "XY_MONO_PAT_BLT", 2),
        (0x54, "XY_MONO_SRC_COPY_BLT", 2),
        (0x55, "XY_FULL_BLT", 2),
        (0x56, "XY_FULL_MONO_SRC_BLT", 2),
        (0x57, "XY_FULL_MONO_PATTERN_BLT", 2),
        (0x58, "XY_FULL_MONO_PATTERN_MONO_SRC_BLT", 2),
        (0x59, "XY_MONO_PAT_FIXED_BLT", 2),
        (0x71, "XY_MONO_SRC_COPY_IMMEDIATE_BLT", 2),
        (0x72, "XY_PAT_BLT_IMMEDIATE", 2),
        (0x73, "XY_SRC_COPY_CHROMA_BLT", 2),
        (0x74, "XY_FULL_IMMEDIATE_PATTERN_BLT", 2),
        (0x75, "XY_FULL_MONO_SRC_IMMEDIATE_PATTERN_BLT", 2),
        (0x76, "XY_PAT_CHROMA_BLT", 2),
        (0x77, "XY_PAT_CHROMA_BLT_IMMEDIATE", 2),
    ]

    /// Every XY_* row.
    static func blitter() -> [CommandInfo] {
        var rows = [xySetupBlt(), xyColorBlt(), xySrcCopyBlt(), xyFastCopyBlt()]
        for blit in headerOnlyBlits {
            rows.append(blit2D(blit.name, opcode: blit.opcode, nominal: blit.nominal, addressDwords: [], body: []))
        }
        return rows
    }

    /// A BCS row with opcode `opcode` (bits 28:22), 8-bit length field, bias 2.
    private static func blit2D(
        _ name: String, opcode: UInt32, nominal: Int, addressDwords: [Int], body: [CommandField]
    ) -> CommandInfo {
        let header: [CommandField] = [
            CommandField(name: "DWord Length", start: 0, end: 7, type: .uint, defaultValue: UInt64(nominal - 2), values: []),
            CommandField(name: "Opcode", start: 22, end: 28, type: .uint, defaultValue: UInt64(opcode), values: []),
            CommandField(name: "Client", start: 29, end: 31, type: .uint, defaultValue: 2, values: []),
        ]
        return CommandInfo(
            id: 0, name: name, commandClass: .blitter,
            headerMask: CommandClass.blitter.opcodeMask, headerValue: (2 << 29) | (opcode << 22),
            length: .variable(bits: 8, bias: 2), nominalLength: nominal,
            engines: .bcs, addressDwords: addressDwords,
            fields: (header + body).sorted { $0.start < $1.start }, groups: [])
    }

    /// Color depth values of BR13 bits 25:24.
    private static let colorDepths: [CommandEnumValue] = [
        CommandEnumValue(name: "8 bit", value: 0),
        CommandEnumValue(name: "16 bit 565", value: 1),
        CommandEnumValue(name: "16 bit 1555", value: 2),
        CommandEnumValue(name: "32 bit", value: 3),
    ]

    /// dw0 bits 21:20 (32bpp byte mask) and the destination tiling bit 11.
    private static let xyHeaderFlags: [CommandField] = [
        CommandField(name: "Destination Tiling Enable", start: 11, end: 11, type: .bool, defaultValue: nil, values: []),
        CommandField(name: "Write RGB", start: 20, end: 20, type: .bool, defaultValue: nil, values: []),
        CommandField(name: "Write Alpha", start: 21, end: 21, type: .bool, defaultValue: nil, values: []),
    ]

    /// BR13 (dw1): pitch, raster operation, color depth, clipping.
    private static let br13: [CommandField] = [
        CommandField(name: "Destination Pitch", start: 32, end: 47, type: .int, defaultValue: nil, values: []),
        CommandField(name: "Raster Operation", start: 48, end: 55, type: .uint, defaultValue: nil, values: []),
        CommandField(name: "Color Depth", start: 56, end: 57, type: .uint, defaultValue: nil, values: colorDepths),
        CommandField(name: "Clipping Enable", start: 62, end: 62, type: .bool, defaultValue: nil, values: []),
    ]

    /// dw2-dw3: destination (or clip) rectangle, x1/y1 inclusive, x2/y2 exclusive.
    private static func rectangle(_ prefix: String) -> [CommandField] {
        [
            CommandField(name: "\(prefix) X1 Coordinate", start: 64, end: 79, type: .int, defaultValue: nil, values: []),
            CommandField(name: "\(prefix) Y1 Coordinate", start: 80, end: 95, type: .int, defaultValue: nil, values: []),
            CommandField(name: "\(prefix) X2 Coordinate", start: 96, end: 111, type: .int, defaultValue: nil, values: []),
            CommandField(name: "\(prefix) Y2 Coordinate", start: 112, end: 127, type: .int, defaultValue: nil, values: []),
        ]
    }

    /// dw4-dw5: destination address (48 bits used).
    private static let destinationAddress = CommandField(
        name: "Destination Base Address", start: 128, end: 175, type: .address, defaultValue: nil, values: [])

    /// dw6-dw9 of the copy blits: source x1/y1, source pitch, source address.
    private static let copySource: [CommandField] = [
        CommandField(name: "Source X1 Coordinate", start: 192, end: 207, type: .int, defaultValue: nil, values: []),
        CommandField(name: "Source Y1 Coordinate", start: 208, end: 223, type: .int, defaultValue: nil, values: []),
        CommandField(name: "Source Pitch", start: 224, end: 239, type: .int, defaultValue: nil, values: []),
        CommandField(name: "Source Base Address", start: 256, end: 303, type: .address, defaultValue: nil, values: []),
    ]

    /// XY_SETUP_BLT (0x01): state for the following mono/text/scanline blits; 10 dwords on Gen8+.
    private static func xySetupBlt() -> CommandInfo {
        var body = xyHeaderFlags + br13 + rectangle("Clip Rect")
        body += [
            CommandField(name: "Mono Source Transparency Mode", start: 61, end: 61, type: .bool, defaultValue: nil, values: []),
            CommandField(name: "Solid Pattern Select", start: 63, end: 63, type: .bool, defaultValue: nil, values: []),
            destinationAddress,
            CommandField(name: "Background Color", start: 192, end: 223, type: .uint, defaultValue: nil, values: []),
            CommandField(name: "Foreground Color", start: 224, end: 255, type: .uint, defaultValue: nil, values: []),
            CommandField(name: "Pattern Base Address", start: 256, end: 303, type: .address, defaultValue: nil, values: []),
        ]
        return blit2D("XY_SETUP_BLT", opcode: 0x01, nominal: 10, addressDwords: [4, 8], body: body)
    }

    /// XY_COLOR_BLT (0x50): solid fill of a rectangle; 7 dwords on Gen8+.
    private static func xyColorBlt() -> CommandInfo {
        let body = xyHeaderFlags + br13 + rectangle("Destination") + [
            destinationAddress,
            CommandField(name: "Solid Pattern Color", start: 192, end: 223, type: .uint, defaultValue: nil, values: []),
        ]
        return blit2D("XY_COLOR_BLT", opcode: 0x50, nominal: 7, addressDwords: [4], body: body)
    }

    /// XY_SRC_COPY_BLT (0x53): rectangle copy with raster operation; 10 dwords on Gen8+.
    private static func xySrcCopyBlt() -> CommandInfo {
        var body = xyHeaderFlags + br13 + rectangle("Destination") + [destinationAddress] + copySource
        body.append(
            CommandField(name: "Source Tiling Enable", start: 15, end: 15, type: .bool, defaultValue: nil, values: []))
        return blit2D("XY_SRC_COPY_BLT", opcode: 0x53, nominal: 10, addressDwords: [4, 8], body: body)
    }

    /// XY_FAST_COPY_BLT (0x42, Gen9+): tiled copy without raster operation; 10 dwords.
    private static func xyFastCopyBlt() -> CommandInfo {
        let body = rectangle("Destination") + [destinationAddress] + copySource + [
            CommandField(name: "Destination Tiling Method", start: 13, end: 14, type: .uint, defaultValue: nil, values: []),
            CommandField(name: "Source Tiling Method", start: 20, end: 21, type: .uint, defaultValue: nil, values: []),
            CommandField(name: "Destination Pitch", start: 32, end: 47, type: .int, defaultValue: nil, values: []),
            CommandField(name: "Color Depth", start: 56, end: 58, type: .uint, defaultValue: nil, values: []),
            CommandField(name: "Destination Y-Tile Type", start: 62, end: 62, type: .bool, defaultValue: nil, values: []),
            CommandField(name: "Source Y-Tile Type", start: 63, end: 63, type: .bool, defaultValue: nil, values: []),
        ]
        return blit2D("XY_FAST_COPY_BLT", opcode: 0x42, nominal: 10, addressDwords: [4, 8], body: body)
    }
}
