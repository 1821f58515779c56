import Testing

@testable import GPUModel

@Suite("CommandField")
struct CommandFieldTests {
    let table = CommandTable.gen9

    @Test func extractsWithinOneDword() {
        let field = CommandField(name: "f", start: 36, end: 43, type: .uint, defaultValue: nil, values: [])
        #expect(field.extract(from: [0, 0x0000_0AB0] as [UInt32]) == 0xAB)
        #expect(field.width == 8)
        #expect(field.firstDword == 1)
    }

    @Test func batchBufferStartAddressSpansTwoDwords() throws {
        let bbs = try #require(table.command(named: "MI_BATCH_BUFFER_START"))
        let field = try #require(bbs.field(named: "Batch Buffer Start Address"))
        #expect(field.type == .address)
        let dwords: [UInt32] = [0x1880_0101, 0x1234_5678, 0x0000_ABCD]
        #expect(field.extract(from: dwords) == 0xABCD_1234_5678 >> 2)
        #expect(field.addressValue(from: dwords) == 0xABCD_1234_5678)
        let asi = try #require(bbs.field(named: "Address Space Indicator"))
        #expect(asi.extract(from: dwords) == 1)
        #expect(asi.values.map(\.name) == ["GGTT", "PPGTT"])
    }

    @Test func bitsPastTheEndReadAsZero() throws {
        let bbs = try #require(table.command(named: "MI_BATCH_BUFFER_START"))
        let field = try #require(bbs.field(named: "Batch Buffer Start Address"))
        #expect(field.extract(from: [0x1880_0001, 0xFFFF_FFFC] as [UInt32]) == 0x3FFF_FFFF)
        #expect(field.extract(from: [] as [UInt32]) == 0)
        let far = CommandField(name: "far", start: 1000, end: 1031, type: .uint, defaultValue: nil, values: [])
        #expect(far.extract(from: [1, 2, 3] as [UInt32]) == 0)
    }

    @Test func sixtyFourBitFieldAndWiderFields() {
        let qword = CommandField(name: "q", start: 96, end: 159, type: .uint, defaultValue: nil, values: [])
        let dwords: [UInt32] = [0, 0, 0, 0x89AB_CDEF, 0x0123_4567]
        #expect(qword.extract(from: dwords) == 0x0123_4567_89AB_CDEF)
        let wide = CommandField(name: "w", start: 32, end: 199, type: .structure("X"), defaultValue: nil, values: [])
        #expect(wide.extract(from: [0, 0xFFFF_FFFF, 0x1, 0x2] as [UInt32]) == 0x1_FFFF_FFFF)
    }

    @Test func worksOnSlicesWithNonZeroStart() {
        let field = CommandField(name: "f", start: 32, end: 63, type: .uint, defaultValue: nil, values: [])
        let buffer: [UInt32] = [9, 9, 0x7A00_0004, 0xDEAD_BEEF, 5]
        let slice = buffer[2...]
        #expect(field.extract(from: slice) == 0xDEAD_BEEF)
        let short = buffer[4...]
        #expect(field.extract(from: short) == 0)
    }

    @Test func xyColorBltFields() throws {
        let color = try #require(table.command(named: "XY_COLOR_BLT"))
        let dwords: [UInt32] = [
            0x5430_0805, 0x03F0_1000, 0x0002_0001, 0x0040_0080, 0x0010_0000, 0x0000_0001, 0xFF00_FF00,
        ]
        func value(_ name: String) throws -> UInt64 {
            try #require(color.field(named: name)).extract(from: dwords)
        }
        #expect(try value("Opcode") == 0x50)
        #expect(try value("Client") == 2)
        #expect(try value("DWord Length") == 5)
        #expect(try value("Write Alpha") == 1)
        #expect(try value("Write RGB") == 1)
        #expect(try value("Destination Tiling Enable") == 1)
        #expect(try value("Destination Pitch") == 0x1000)
        #expect(try value("Raster Operation") == 0xF0)
        #expect(try value("Color Depth") == 3)
        #expect(try value("Destination X1 Coordinate") == 1)
        #expect(try value("Destination Y1 Coordinate") == 2)
        #expect(try value("Destination X2 Coordinate") == 0x80)
        #expect(try value("Destination Y2 Coordinate") == 0x40)
        #expect(try value("Destination Base Address") == 0x1_0010_0000)
        #expect(try value("Solid Pattern Color") == 0xFF00_FF00)
    }

    @Test func xySrcCopySourceAddress() throws {
        let copy = try #require(table.command(named: "XY_SRC_COPY_BLT"))
        var dwords = [UInt32](repeating: 0, count: 10)
        dwords[0] = 0x54C0_0008
        dwords[7] = 0x0000_0200
        dwords[8] = 0x8000_0000
        dwords[9] = 0x0000_0002
        #expect(try #require(copy.field(named: "Source Pitch")).extract(from: dwords) == 0x200)
        #expect(try #require(copy.field(named: "Source Base Address")).addressValue(from: dwords) == 0x2_8000_0000)
    }

    @Test func lengthRuleBounds() {
        #expect(LengthRule.fixed(1).minimum == 1 && LengthRule.fixed(1).maximum == 1)
        let rule = LengthRule.variable(bits: 6, bias: 2)
        #expect(rule.minimum == 2 && rule.maximum == 65)
        #expect(rule.length(header: 0xFFFF_FFFF) == 65)
    }

    @Test func commandClassFromHeader() {
        #expect(CommandClass(header: 0x1880_0001) == .mi)
        #expect(CommandClass(header: 0x54C0_0008) == .blitter)
        #expect(CommandClass(header: 0x7A00_0004) == .render)
        #expect(CommandClass(header: 0x2000_0000) == nil)
        #expect(CommandClass(header: 0x8000_0000) == nil)
    }

    @Test func enumerationAndStructureTypesNameTheirDefinitions() throws {
        let wmds = try #require(table.command(named: "3DSTATE_WM_DEPTH_STENCIL"))
        let types = wmds.fields.map(\.type)
        #expect(types.contains(.enumeration("3D_Compare_Function")))
        let mfx = try #require(table.command(named: "MFX_PIPE_BUF_ADDR_STATE"))
        #expect(mfx.fields.contains { $0.type == .structure("MEMORYADDRESSATTRIBUTES") })
    }
}
