import GPUModel
import Testing
@testable import Mediator

/// GVT's `cmd_info` rows attached to the GPU model's command table.
@Suite struct CommandAuditTableTests {
    let table = CommandAuditTable.gen9

    @Test func everyRuleNamesACommandTheTableKnows() {
        #expect(table.problems.isEmpty, "\(table.problems)")
        for rule in table.rules {
            #expect(CommandTable.gen9.command(named: rule.command) != nil, "\(rule.command)")
        }
        #expect(table.entries.count == table.rules.count)
    }

    @Test func problemsCatchUnknownNamesDuplicatesAndEnginelessRules() {
        let bad = CommandAuditTable(rules: [
            CommandAuditRule("MI_NOT_A_COMMAND", .all, .fixed(1)),
            CommandAuditRule("MI_NOOP", .all, .fixed(1)),
            CommandAuditRule("MI_NOOP", gvt: "again", .all, .fixed(1)),
            CommandAuditRule("PIPE_CONTROL", .bcs, .variable(bits: 8, bias: 2)),
            CommandAuditRule("MI_SEMAPHORE_MBOX", .all, .variable(bits: 8, bias: 2), valid: 1),
        ])
        #expect(bad.problems.count == 4)
        #expect(bad.entry(named: "PIPE_CONTROL") == nil)
    }

    @Test func enginesAreGVTRingsWithinTheTableEngines() throws {
        // MI_FLUSH_DW: GVT R_ALL, genxml not RCS.
        let flush = try #require(table.entry(named: "MI_FLUSH_DW"))
        #expect(flush.engines == [.bcs, .vcs, .vecs])
        #expect(table.entry(for: 0x1300_0002, engine: .rcs) == nil)
        #expect(table.entry(for: 0x1300_0002, engine: .bcs)?.name == "MI_FLUSH_DW")
        // PIPE_CONTROL on RCS only; 2D on BCS only.
        #expect(table.entry(for: 0x7A00_0004, engine: .rcs)?.name == "PIPE_CONTROL")
        #expect(table.entry(for: 0x7A00_0004, engine: .vcs) == nil)
        #expect(table.entry(for: 0x5400_0005, engine: .bcs)?.name == "XY_COLOR_BLT")
        #expect(table.entry(for: 0x5400_0005, engine: .rcs) == nil)
    }

    @Test func commandsGVTDoesNotKnowAreUnknown() {
        // XY_FAST_COPY_BLT (0x42) and MI_FORCE_WAKEUP are in genxml, not in GVT's table.
        #expect(CommandTable.gen9.lookup(0x5080_0008, engine: .bcs)?.name == "XY_FAST_COPY_BLT")
        #expect(table.entry(for: 0x5080_0008, engine: .bcs) == nil)
        #expect(CommandTable.gen9.lookup(0x0E80_0000, engine: .rcs)?.name == "MI_FORCE_WAKEUP")
        #expect(table.entry(for: 0x0E80_0000, engine: .rcs) == nil)
    }

    @Test func gvtLengthRulesWhereTheyDifferFromGenxml() throws {
        let overrides = Dictionary(uniqueKeysWithValues: table.lengthOverrides.map { ($0.rule.command, $0.rule.length) })
        #expect(overrides["MFX_WAIT"] == .variable(bits: 6, bias: 2))
        #expect(overrides["MI_LOAD_SCAN_LINES_INCL"] == .fixed(2))
        let lri = try #require(table.entry(named: "MI_LOAD_REGISTER_IMM"))
        #expect(lri.length == .variable(bits: 8, bias: 2))
        let srm = try #require(table.entry(named: "MI_STORE_REGISTER_MEM"))
        #expect(srm.validLength == 4 && srm.flags.contains(.lengthVarFixed))
        #expect(table.entry(named: "MI_NOOP")?.flags.contains(.lengthConst) == true)
    }

    @Test func flagsAndHandlersFollowGVT() throws {
        let rejected = ["MI_SEMAPHORE_WAIT", "MI_STORE_DATA_INDEX", "MI_UPDATE_GTT", "MI_CLFLUSH", "MI_REPORT_PERF_COUNT",
                        "MI_COPY_MEM_MEM", "MI_CONDITIONAL_BATCH_BUFFER_END"]
        for name in rejected {
            let entry = try #require(table.entry(named: name))
            #expect(entry.flags.contains(.rejected) && entry.handler == .unexpected, "\(name)")
        }
        #expect(table.entries.filter { $0.flags.contains(.rejected) }.count == rejected.count)
        #expect(table.entry(named: "MI_BATCH_BUFFER_START")?.flags.contains(.ipAdvanceCustom) == true)
        #expect(table.entry(named: "MI_BATCH_BUFFER_END")?.flags.contains(.ipAdvanceCustom) == true)
        #expect(table.entry(named: "MI_DISPLAY_FLIP")?.flags.contains(.postHandle) == true)
        #expect(table.rules.first { $0.command == "MI_ATOMIC" }?.gvtName == "MI_OP_2F")
    }

    @Test func addressDwordsComeFromTheCommandTable() throws {
        #expect(table.entry(named: "MI_STORE_DATA_IMM")?.addressDwords == [1])
        #expect(table.entry(named: "STATE_BASE_ADDRESS")?.addressDwords == CommandTable.gen9.command(named: "STATE_BASE_ADDRESS")?.addressDwords)
        #expect(table.entry(named: "PIPE_CONTROL")?.addressDwords == [2])
    }

    @Test func everyClassIsCovered() {
        var engines: EngineMask = []
        for entry in table.entries { engines.formUnion(entry.engines) }
        #expect(engines == .all)
        #expect(table.entry(for: 0x7100_0004, engine: .vcs)?.name == "MFX_AVC_IMG_STATE")
        #expect(table.entry(for: 0x7402_0000, engine: .vecs)?.name == "VEB_STATE")
        #expect(table.entry(for: 0x7100_0004, engine: .rcs)?.name == "MEDIA_OBJECT")
    }
}
