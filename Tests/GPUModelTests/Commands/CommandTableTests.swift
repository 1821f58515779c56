import Testing

@testable import GPUModel

@Suite("CommandTable")
struct CommandTableTests {
    let table = CommandTable.gen9

    // MARK: whole-table invariants

    @Test func everyIDIsItsIndex() {
        for (index, command) in table.commands.enumerated() {
            #expect(command.id == index, "\(command.name)")
        }
    }

    @Test func holdsGenxmlAndHandWrittenRows() {
        // 227 genxml instructions + 25 XY + 5 MI + 3 VEBOX.
        #expect(table.commands.count == Gen9Commands.generatedCount + 33)
        #expect(Gen9Commands.generatedCount == 227)
    }

    @Test func rowsPassTheirOwnValidation() {
        #expect(CommandTable.problems(in: table.commands) == [])
    }

    @Test func everyCommandIsFoundFromItsDefaultHeaderOnEachOfItsEngines() {
        for command in table.commands {
            let header = command.defaultHeader
            #expect(command.matches(header), "\(command.name) \(hex(header))")
            #expect(command.length(header: header) == command.nominalLength, "\(command.name)")
            for engine in EngineID.allCases {
                let found = table.lookup(header, engine: engine)
                if command.engines.contains(engine) {
                    #expect(found?.id == command.id, "\(command.name) on \(engine): got \(found?.name ?? "nil")")
                } else {
                    #expect(found?.id != command.id, "\(command.name) must be unknown on \(engine)")
                }
            }
            #expect(table.lookupAnyEngine(header) != nil, "\(command.name)")
        }
    }

    @Test func noTwoCommandsShareAnEngineAndOpcode() {
        var seen: [String: String] = [:]
        for command in table.commands {
            for engine in command.engines.engines {
                let key = "\(engine)/\(hex(command.headerValue))"
                #expect(seen[key] == nil, "\(command.name) collides with \(seen[key] ?? "")")
                seen[key] = command.name
            }
        }
    }

    @Test func namesAreUniqueAndFindable() {
        for command in table.commands {
            #expect(table.command(named: command.name)?.id == command.id)
        }
        #expect(table.command(named: "NO_SUCH_COMMAND") == nil)
    }

    @Test func headerFieldsAgreeWithHeaderValue() {
        // Opcode fields' defaults reproduce the identity bits.
        for command in table.commands {
            #expect(command.defaultHeader & command.headerMask == command.headerValue, "\(command.name)")
            for field in command.fields where field.end < 32 && field.start >= 16 {
                if let value = field.defaultValue {
                    #expect(field.extract(from: [command.headerValue]) == value, "\(command.name).\(field.name)")
                }
            }
        }
    }

    @Test func addressDwordsLieInsideTheCommandsFields() {
        for command in table.commands {
            let extent = command.fields.map { $0.end / 32 + 1 }.max() ?? 1
            let groupExtent = command.groups.map { $0.count == 0 ? Int.max : ($0.start + $0.count * $0.size) / 32 }.max() ?? 0
            for dword in command.addressDwords {
                #expect(dword >= 1 && dword < max(extent, groupExtent), "\(command.name) dword \(dword)")
            }
        }
    }

    // MARK: spot checks against known encodings

    @Test func miNoop() throws {
        let noop = try #require(table.lookup(0x0000_0000, engine: .vcs))
        #expect(noop.name == "MI_NOOP")
        #expect(noop.length == .fixed(1))
        #expect(noop.length(header: 0x0000_0000) == 1)
    }

    @Test func miBatchBufferStart() throws {
        let bbs = try #require(table.lookup(0x1880_0001, engine: .rcs))
        #expect(bbs.name == "MI_BATCH_BUFFER_START")
        #expect(bbs.length(header: 0x1880_0001) == 3)
        #expect(table.lookup(0x1880_0101, engine: .bcs)?.name == "MI_BATCH_BUFFER_START")  // PPGTT bit
        #expect(bbs.addressDwords == [1])
    }

    @Test func miLoadRegisterImmIsVariable() throws {
        let lri = try #require(table.lookup(0x1100_0001, engine: .rcs))
        #expect(lri.name == "MI_LOAD_REGISTER_IMM")
        #expect(lri.length(header: 0x1100_0001) == 3)
        #expect(lri.length(header: 0x1100_0005) == 7)
        #expect(lri.groups.count == 1 && lri.groups[0].count == 0 && lri.groups[0].size == 64)
    }

    @Test func pipeControlIsRenderOnly() throws {
        let pc = try #require(table.lookup(0x7A00_0004, engine: .rcs))
        #expect(pc.name == "PIPE_CONTROL")
        #expect(pc.length(header: 0x7A00_0004) == 6)
        #expect(pc.addressDwords == [2])
        #expect(table.lookup(0x7A00_0004, engine: .bcs) == nil)
        #expect(table.lookup(0x7A00_0004, engine: .vcs) == nil)
    }

    @Test func miStoreDataImmHasTenLengthBits() throws {
        let sdi = try #require(table.lookup(0x1040_0002, engine: .rcs))
        #expect(sdi.name == "MI_STORE_DATA_IMM")
        #expect(sdi.length == .variable(bits: 10, bias: 2))
        #expect(sdi.length(header: 0x1040_0002) == 4)
        #expect(sdi.length(header: 0x1060_0003) == 5)  // qword form
        #expect(sdi.length(header: 0x1040_0302) == 0x302 + 2)
    }

    @Test func miFlushDwHasSixLengthBitsAndNoRender() throws {
        let flush = try #require(table.lookup(0x1300_0003, engine: .bcs))
        #expect(flush.name == "MI_FLUSH_DW")
        #expect(flush.length == .variable(bits: 6, bias: 2))
        #expect(flush.length(header: 0x1300_0002) == 4)
        #expect(flush.length(header: 0x1300_00C3) == 5)  // bits 7:6 are not length
        #expect(flush.engines == [.bcs, .vcs, .vecs])
        #expect(table.lookup(0x1300_0003, engine: .rcs) == nil)
    }

    @Test func xyColorBltIsBlitterOnly() throws {
        let color = try #require(table.lookup(0x5400_0005, engine: .bcs))
        #expect(color.name == "XY_COLOR_BLT")
        #expect(color.commandClass == .blitter)
        #expect(color.length(header: 0x5400_0005) == 7)
        #expect(color.addressDwords == [4])
        #expect(table.lookup(0x5400_0005, engine: .rcs) == nil)
        #expect(table.lookupAnyEngine(0x5400_0005)?.name == "XY_COLOR_BLT")
        // 32bpp write bits and tiling do not change the identity.
        #expect(table.lookup(0x5430_0805, engine: .bcs)?.name == "XY_COLOR_BLT")
    }

    @Test func xySrcCopyBlt() throws {
        let copy = try #require(table.lookup(0x54C0_0008, engine: .bcs))
        #expect(copy.name == "XY_SRC_COPY_BLT")
        #expect(copy.length(header: 0x54C0_0008) == 10)
        #expect(copy.addressDwords == [4, 8])
    }

    @Test func xyFastCopyAndSetup() throws {
        let fast = try #require(table.command(named: "XY_FAST_COPY_BLT"))
        #expect(fast.headerValue == 0x5080_0000)
        #expect(fast.defaultHeader == 0x5080_0008)
        let setup = try #require(table.command(named: "XY_SETUP_BLT"))
        #expect(setup.headerValue == 0x4040_0000)
        #expect(setup.nominalLength == 10)
        #expect(setup.addressDwords == [4, 8])
    }

    @Test func type3OpcodesDependOnTheEngine() throws {
        // Pipeline 2, opcode 0, sub-opcode 0: media on RCS, MFX on VCS.
        #expect(table.lookup(0x7000_0007, engine: .rcs)?.name == "MEDIA_VFE_STATE")
        #expect(table.lookup(0x7000_0003, engine: .vcs)?.name == "MFX_PIPE_MODE_SELECT")
        #expect(table.lookup(0x7000_0003, engine: .vecs) == nil)
        #expect(table.lookup(0x7000_0003, engine: .bcs) == nil)
        #expect(table.lookupAnyEngine(0x7000_0003)?.name == "MEDIA_VFE_STATE")  // rcs first
        // VEBOX lives on VECS; SFC on VCS and VECS.
        #expect(table.lookup(0x7402_0000, engine: .vecs)?.name == "VEB_STATE")
        #expect(table.lookup(0x7402_0000, engine: .vcs) == nil)
        let sfc = try #require(table.command(named: "SFC_STATE"))
        #expect(sfc.engines == [.vcs, .vecs])
    }

    @Test func miCommandsMissingFromGenxmlAreKnown() throws {
        #expect(table.lookup(0x0B00_0001, engine: .vcs)?.name == "MI_SEMAPHORE_MBOX")
        #expect(table.lookup(0x0B00_0001, engine: .vcs)?.length(header: 0x0B00_0001) == 3)
        #expect(table.lookup(0x0C80_0000, engine: .rcs)?.name == "MI_URB_CLEAR")
        #expect(table.lookup(0x0C80_0000, engine: .bcs) == nil)
        #expect(table.lookup(0x1180_0000, engine: .rcs)?.length == .variable(bits: 10, bias: 2))
        #expect(table.lookup(0x0200_0000, engine: .rcs)?.name == "MI_FLUSH")
        // GVT's "MI_OP_2E"/"MI_OP_2F" are genxml's MI_COPY_MEM_MEM and MI_ATOMIC.
        #expect(table.lookup(0x1700_0003, engine: .bcs)?.name == "MI_COPY_MEM_MEM")
        #expect(table.lookup(0x1780_0001, engine: .vcs)?.name == "MI_ATOMIC")
        #expect(table.lookup(0x1780_0009, engine: .vcs)?.length(header: 0x1780_0009) == 11)
    }

    @Test func engineRestrictedMICommands() {
        #expect(table.lookup(0x0900_0000, engine: .bcs)?.name == "MI_LOAD_SCAN_LINES_INCL")
        #expect(table.lookup(0x0900_0000, engine: .vcs) == nil)
        #expect(table.lookup(0x0A00_0001, engine: .bcs)?.name == "MI_DISPLAY_FLIP")
        #expect(table.lookup(0x0A00_0001, engine: .vecs) == nil)
        #expect(table.lookup(0x0C00_0000, engine: .rcs)?.name == "MI_SET_CONTEXT")
        #expect(table.lookup(0x0C00_0000, engine: .bcs) == nil)
        #expect(table.lookup(0x1600_0002, engine: .rcs)?.name == "MI_LOAD_URB_MEM")
        #expect(table.lookup(0x1600_0002, engine: .vcs) == nil)
    }

    @Test func singleDwordCommandsAreFixed() {
        for name in ["MI_NOOP", "MI_BATCH_BUFFER_END", "MI_USER_INTERRUPT", "MI_ARB_CHECK", "PIPELINE_SELECT",
                     "3DSTATE_VF_STATISTICS", "MI_FLUSH"] {
            #expect(table.command(named: name)?.length == .fixed(1), "\(name)")
        }
        #expect(table.lookup(0x6904_0003, engine: .rcs)?.name == "PIPELINE_SELECT")
        #expect(table.lookup(0x6904_0003, engine: .rcs)?.length(header: 0x6904_0003) == 1)
        #expect(table.lookup(0x0500_0000, engine: .vecs)?.length(header: 0x0500_0000) == 1)
    }

    @Test func genxmlCorrections() throws {
        // Typo in genxml's name; bias fix for HCP_TILE_CODING; MFX_WAIT keeps genxml's bias 1.
        #expect(table.command(named: "MFX_MPEG_TS_CONTROL") != nil)
        let tile = try #require(table.command(named: "HCP_TILE_CODING"))
        #expect(tile.length == .variable(bits: 12, bias: 2))
        #expect(tile.nominalLength == 5)
        #expect(table.lookup(0x6800_0000, engine: .vcs)?.name == "MFX_WAIT")
        #expect(table.lookup(0x6800_0100, engine: .vcs)?.length(header: 0x6800_0100) == 1)
    }

    // MARK: unknown headers

    @Test func unknownHeadersAreNil() {
        for engine in EngineID.allCases {
            #expect(table.lookup(0x2000_0000, engine: engine) == nil)  // type 1: reserved
            #expect(table.lookup(0x8000_0000, engine: engine) == nil)  // type 4
            #expect(table.lookup(0xE000_0000, engine: engine) == nil)  // type 7
            #expect(table.lookup(0xFFFF_FFFF, engine: engine) == nil)
            #expect(table.lookup(0x1F80_0000, engine: engine) == nil)  // MI opcode 0x3F
            #expect(table.lookup(0x7FFF_0000, engine: engine) == nil)  // type 3, unused opcode
            #expect(table.lookup(0x5FC0_0000, engine: engine) == nil)  // 2D opcode 0x7F
        }
        #expect(table.lookupAnyEngine(0x2000_0000) == nil)
        #expect(table.lookupAnyEngine(0x1F80_0000) == nil)
    }

    // MARK: validation catches bad rows

    @Test func problemsFindDuplicatesAndBadRows() throws {
        let noop = try #require(table.command(named: "MI_NOOP"))
        let clone = CommandInfo(
            id: 99, name: "MI_NOOP_TWIN", commandClass: .mi, headerMask: 0xFF80_0000, headerValue: 0,
            length: .fixed(1), nominalLength: 1, engines: .vcs, addressDwords: [], fields: [], groups: [])
        #expect(CommandTable.problems(in: [noop, clone]).count == 1)
        let wrongClass = CommandInfo(
            id: 0, name: "BAD", commandClass: .blitter, headerMask: 0xFFC0_0000, headerValue: 0x7A00_0001,
            length: .variable(bits: 8, bias: 2), nominalLength: 1, engines: .rcs, addressDwords: [], fields: [],
            groups: [])
        let problems = CommandTable.problems(in: [wrongClass])
        #expect(problems.contains { $0.contains("not of class") })
        #expect(problems.contains { $0.contains("BCS only") })
        #expect(problems.contains { $0.contains("nominal length") })
        #expect(problems.contains { $0.contains("bits outside its mask") })
    }

    @Test func smallTableLooksUpItsOwnRows() throws {
        let rows = [
            CommandInfo(
                id: 7, name: "B", commandClass: .mi, headerMask: 0xFF80_0000, headerValue: 0x0080_0000,
                length: .fixed(1), nominalLength: 1, engines: .all, addressDwords: [], fields: [], groups: []),
            CommandInfo(
                id: 3, name: "A", commandClass: .mi, headerMask: 0xFF80_0000, headerValue: 0,
                length: .fixed(1), nominalLength: 1, engines: .rcs, addressDwords: [], fields: [], groups: []),
        ]
        let small = CommandTable(rows: rows)
        #expect(small.commands.map(\.name) == ["A", "B"])
        #expect(small.commands.map(\.id) == [0, 1])
        #expect(small.lookup(0, engine: .rcs)?.name == "A")
        #expect(small.lookup(0, engine: .bcs) == nil)
        #expect(small.lookupAnyEngine(0x0080_0000)?.id == 1)
    }

    @Test func enumsAreAvailable() throws {
        let compare = try #require(table.enumeration(named: "3D_Compare_Function"))
        #expect(compare.values.count == 8)
        #expect(table.enums.count == 13)
        #expect(table.enumeration(named: "nope") == nil)
    }
}
