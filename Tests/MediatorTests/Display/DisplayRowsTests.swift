import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The display rows of the MMIO handler table.
@Suite struct DisplayRowsTests {
    @Test func everyRowOffsetIsCataloguedOrExplained() {
        let explained = Set(MMIOHandlerTable.displayRowsOutsideCatalogue)
        for row in MMIOHandlerTable.displayRows() {
            #expect(row.size % 4 == 0 && row.size > 0)
            for dword in stride(from: UInt32(0), to: UInt32(row.size), by: 4) {
                let offset = row.offset.advanced(by: dword)
                #expect(RegisterCatalogue.gen9.info(at: offset) != nil || explained.contains(offset),
                        "\(offset) is neither in the catalogue nor explained")
            }
            #expect(row.write != nil)
        }
        // The explained offsets really are outside the catalogue (otherwise drop them from the list).
        for offset in explained { #expect(RegisterCatalogue.gen9.info(at: offset) == nil) }
    }

    @Test func rowsDoNotOverlapEachOtherOrTheInterruptRows() {
        let rows = (MMIOHandlerTable.displayRows() + MMIOHandlerTable.interruptRows()).sorted { $0.offset < $1.offset }
        for (a, b) in zip(rows, rows.dropFirst()) {
            #expect(a.offset.rawValue + UInt32(a.size) <= b.offset.rawValue, "\(a.offset) overlaps \(b.offset)")
        }
    }

    @Test func rowsCoverTheExpectedRegisters() {
        let covered = Set(MMIOHandlerTable.displayRows().flatMap { row in
            stride(from: UInt32(0), to: UInt32(row.size), by: 4).map { row.offset.advanced(by: $0) }
        })
        var expected: [MMIOOffset] = [0x7F008, 0x50080, 0x50088, 0x5008C, 0x50090, 0x50098, 0x5009C, 0x46070, 0x46078]
        for pipe in Pipe.allCases {
            expected += [Reg.pipeConf(pipe), Reg.planeSurf(pipe, 1), Reg.planeSurf(pipe, 2)]
            for scaler in 1...pipe.scalerCount {
                let s = DisplayBits.scaler(pipe, scaler)
                expected += [s.ctrl, s.winPos, s.winSize]
            }
        }
        for port in [Port.a, .b, .c, .d] { expected += (0..<6).map { Reg.dpAuxCh(port, dword: $0) } }
        for port in Port.allCases { expected += [Reg.ddiBufCtl(port), Reg.dpTPCtl(port), Reg.dpTPStatus(port)] }
        for offset in expected { #expect(covered.contains(offset), "\(offset) has no row") }
        #expect(!covered.contains(Reg.planeSurf(.a, 3)))  // plane 3 flips are plain registers, as in GVT
    }

    @Test func rowHandlersReachTheDisplayEmulation() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        let rows = MMIOHandlerTable.displayRows()
        f.unmaskAll(v, [.dePipeB, .dePort])
        rowWrite(rows, f, v, Reg.pipeConf(.b), 1 << 31)
        #expect(v.vregs[Reg.pipeConf(.b)] == 3 << 30)
        rowWrite(rows, f, v, Reg.planeSurf(.b, 1), 0x7000)
        #expect(v.vregs[Reg.pipeFlipCount(.b)] == 1 && v.display.pendingFlips[1] == 1 << 3)
        rowWrite(rows, f, v, 0x5008C, 0x8001)
        #expect(v.vregs[Reg.planeSurfLive(.c, 1)] == 0x8001)
        // AUX through the 24-byte row: header in DATA1, then CTL.
        rowWrite(rows, f, v, Reg.dpAuxCh(.b, dword: 1), 0x9000_0000)
        rowWrite(rows, f, v, Reg.dpAuxCh(.b), 1 << 31 | 1 << 29 | 4 << 20)
        #expect(v.vregs[Reg.dpAuxCh(.b, dword: 1)] == 0x0012_0000)
        #expect(v.vregs[InterruptBank.dePort.iir] == 1 << 25)
        // A one-byte write to PIPECONF's top byte merges with the rest.
        v.vregs[Reg.pipeConf(.c)] = 0x1234
        rowWrite(rows, f, v, Reg.pipeConf(.c).advanced(by: 3), size: 1, 0x80)
        #expect(v.vregs[Reg.pipeConf(.c)] == 0xC000_1234)
        let scaler = DisplayBits.scaler(.a, 1)
        rowWrite(rows, f, v, scaler.ctrl, 1 << 31 | 1 << 25)
        #expect(v.vregs[scaler.ctrl] == 0)
        rowWrite(rows, f, v, 0x46078, 1 << 31)
        #expect(v.vregs[0x46078] == 3 << 30)
    }
}
