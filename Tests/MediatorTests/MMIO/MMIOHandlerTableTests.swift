import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The handler table: construction, lookup and the consistency check against the catalogue.
@Suite struct MMIOHandlerTableTests {
    @Test func gen9HasNoProblems() {
        let problems = MMIOHandlerTable.gen9.problems(catalogue: .gen9)
        #expect(problems.isEmpty, "\(problems.prefix(10).map(\.description))")
    }

    @Test func duplicateRowIsAProblem() {
        let table = MMIOHandlerTable(rows: [MMIOInfo(0x2030), MMIOInfo(0x2030)])
        #expect(table.problems(catalogue: .gen9) == [.duplicate(0x2030)])
    }

    @Test func overlappingRunIsAProblemPerDword() {
        let table = MMIOHandlerTable(rows: [MMIOInfo(0x2270, size: 32), MMIOInfo(0x2278, size: 8)])
        #expect(table.problems(catalogue: .gen9) == [.duplicate(0x2278), .duplicate(0x227C)])
    }

    @Test func rowForAnUnknownOffsetIsAProblem() {
        let table = MMIOHandlerTable(rows: [MMIOInfo(0x2030), MMIOInfo(0x1234_0)])
        #expect(table.problems(catalogue: .gen9) == [.unknownRegister(0x12340)])
        #expect(table.problems(catalogue: .gen9)[0].description.contains("catalogue"))
    }

    @Test func rowInsideABlockIsAProblemAndTheBlockWins() {
        let block = MMIOBlock(name: "PVINFO", range: PVInfo.range, read: { _, _, _, _ in 7 }, write: { _, _, _, _, _ in })
        let table = MMIOHandlerTable(rows: [MMIOInfo(0x78010)], blocks: [block])
        #expect(table.problems(catalogue: .gen9) == [.insideBlock(0x78010, block: "PVINFO")])
        #expect(table.block(at: 0x78010)?.name == "PVINFO")
        #expect(table.info(at: 0x78010) == nil)
    }

    @Test func lookupCoversEveryDwordOfARun() throws {
        let table = MMIOHandlerTable.gen9
        let pdp = try #require(table.info(at: MMIOOffset.pdp(.rcs, 3, upper: true)))
        #expect(pdp.offset == MMIOOffset.pdp(.rcs, 0, upper: false) && pdp.size == 32)
        #expect(table.info(at: 0x100078)?.offset == FenceRegister.baseOffset)  // fence 15 HI
        #expect(table.info(at: 0x100080) == nil)  // fence 16: untracked, as in GVT
        #expect(table.block(at: 0x140000)?.name == "MCHBAR" && table.block(at: 0x17FFFC)?.name == "MCHBAR")
        #expect(table.block(at: 0x180000) == nil)
        #expect(table.block(at: 0x82FFC)?.name == "CSR")
        #expect(table.isTracked(0x941C) && !table.isTracked(0x9420))
        #expect(table.trackedDwordCount > 500)
    }

    @Test func commandAccessFlagsFollowGVT() {
        let table = MMIOHandlerTable.gen9
        for engine in EngineID.allCases {
            #expect(table.info(at: .ring(.miMode, engine))?.flags.contains([.modeMask, .commandAccess]) == true)
            #expect(table.info(at: .ring(.mode, engine))?.flags.contains(.commandWritePatch) == true)
            #expect(table.info(at: .pdp(engine, 2, upper: false))?.flags.contains(.commandAccess) == true)
            #expect(table.info(at: .ring(.timestamp, engine))?.flags.contains(.commandAccess) == true)
            #expect(table.info(at: .csGPR(engine, 15, upper: true))?.flags.contains(.commandAccess) == true)
            // An LRI must never reach ELSP, the CSB or the ring buffer registers.
            #expect(table.info(at: .ring(.elsp, engine))?.flags.contains(.commandAccess) == false)
            #expect(table.info(at: .csb(engine, entry: 0))?.flags.contains(.commandAccess) == false)
            #expect(table.info(at: .ring(.tail, engine))?.flags.contains(.commandAccess) == false)
        }
        #expect(table.info(at: 0x7004)?.flags == [.modeMask, .commandAccess])  // CACHE_MODE_1
        #expect(table.info(at: Reg.fence(0))?.flags.contains(.commandAccess) == false)
        #expect(table.info(at: Reg.gdrst)?.flags.contains(.commandAccess) == false)
    }
}
