import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Runs a row's write handler as the MMIO table would.
func rowWrite(_ rows: [MMIOInfo], _ f: MediatorFixture, _ v: VGPU, _ offset: MMIOOffset, size: Int = 4, _ value: UInt64) {
    guard let row = rows.first(where: { offset >= $0.offset && offset.rawValue < $0.offset.rawValue + UInt32($0.size) }),
        let write = row.write
    else {
        Issue.record("no handler row covers \(offset)")
        return
    }
    write(f.mediator, v, offset, size, value)
}

/// The interrupt rows of the MMIO handler table and the dword-write adapter they use.
@Suite struct InterruptRowsTests {
    @Test func rowsCoverMasterAndEveryQuadRegisterOnceAndAreCatalogued() {
        let rows = MMIOHandlerTable.interruptRows()
        let offsets = rows.map(\.offset)
        var expected: [MMIOOffset] = [Reg.masterIRQ]
        for bank in InterruptBank.allCases { expected += [bank.isr, bank.imr, bank.iir, bank.ier] }
        #expect(offsets.sorted() == expected.sorted())
        #expect(Set(offsets).count == offsets.count)
        for row in rows {
            #expect(row.size == 4)
            #expect(RegisterCatalogue.gen9.info(at: row.offset) != nil, "\(row.offset) is not in the catalogue")
            // ISR keeps GVT's default handlers; the others have a write handler.
            #expect((row.write == nil) == (InterruptBank.locate(row.offset)?.slot == 0))
        }
    }

    @Test func rowHandlersEmulateTheRegisters() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        let rows = MMIOHandlerTable.interruptRows()
        rowWrite(rows, f, v, InterruptBank.gt0.imr, 0)
        rowWrite(rows, f, v, InterruptBank.gt0.ier, 0xFFFF)
        rowWrite(rows, f, v, Reg.masterIRQ, 0xFFFF_FFFF)
        #expect(v.vregs[Reg.masterIRQ] == 1 << 31)
        f.mediator.triggerVirtualInterrupt(v, .userInterrupt(.rcs))
        f.mediator.triggerVirtualInterrupt(v, .contextSwitch(.rcs))
        // A one-byte IIR write at byte 1 clears bit 8 only: unwritten bytes clear nothing.
        rowWrite(rows, f, v, InterruptBank.gt0.iir.advanced(by: 1), size: 1, 0x01)
        #expect(v.vregs[InterruptBank.gt0.iir] == 1)
        // A two-byte IMR write at byte 2 keeps the low half.
        rowWrite(rows, f, v, InterruptBank.gt0.imr.advanced(by: 2), size: 2, 0xABCD)
        #expect(v.vregs[InterruptBank.gt0.imr] == 0xABCD_0000)
        // An 8-byte write at IIR reaches IIR (low dword) and IER (high dword, stored by the
        // default path until the table routes it).
        rowWrite(rows, f, v, InterruptBank.gt0.iir, size: 8, 0x0000_00FF_0000_0001)
        #expect(v.vregs[InterruptBank.gt0.iir] == 0)
        #expect(v.vregs[InterruptBank.gt0.ier] == 0xFF)
    }

    @Test func dwordWriteMergesNarrowWrites() {
        let old: UInt32 = 0x1122_3344
        #expect(DwordWrite.value(old: old, offset: 0x100, size: 4, value: 0xAABB_CCDD, keepUnwritten: true) == 0xAABB_CCDD)
        #expect(DwordWrite.value(old: old, offset: 0x101, size: 1, value: 0xEE, keepUnwritten: true) == 0x1122_EE44)
        #expect(DwordWrite.value(old: old, offset: 0x102, size: 2, value: 0xBEEF, keepUnwritten: true) == 0xBEEF_3344)
        #expect(DwordWrite.value(old: old, offset: 0x102, size: 2, value: 0xBEEF, keepUnwritten: false) == 0xBEEF_0000)
        // A 4-byte write at byte 3 only reaches the top byte of this dword.
        #expect(DwordWrite.value(old: old, offset: 0x103, size: 4, value: 0xFFFF_FF99, keepUnwritten: true) == 0x9922_3344)
    }
}
