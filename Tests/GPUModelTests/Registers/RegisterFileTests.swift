import Testing
@testable import GPUModel

@Suite struct RegisterFileTests {
    @Test func maskedUpdateFormula() {
        #expect(RegisterFile.maskedUpdate(old: 0x0000_00F0, written: 0x0003_0001) == 0x0000_00F1)
        #expect(RegisterFile.maskedUpdate(old: 0x0000_FFFF, written: 0x8000_0000) == 0x0000_7FFF)
        #expect(RegisterFile.maskedUpdate(old: 0x1234, written: 0x0000_FFFF) == 0x1234)  // no enables: no change
        #expect(RegisterFile.maskedEnable(0x8000) == 0x8000_8000)
        #expect(RegisterFile.maskedDisable(0x0200) == 0x0200_0000)
    }

    @Test func maskedRegisterWriteAndRead() {
        var rf = RegisterFile()
        let mode = MMIOOffset.ring(.mode, .rcs)
        rf.write(mode, RegisterFile.maskedEnable(1 << 15 | 1 << 9))
        #expect(rf.read(mode) == 0x8200)
        rf.write(mode, 0x0000_0001)  // bit 0 without its enable: ignored
        #expect(rf.read(mode) == 0x8200)
        rf.write(mode, RegisterFile.maskedDisable(1 << 9))
        #expect(rf.read(mode) == 0x8000)
        #expect(rf[mode] & 0xFFFF_0000 == 0)
        // Forcewake request is masked too.
        rf.write(Reg.forcewakeRender, 0x0001_0001)
        #expect(rf.read(Reg.forcewakeRender) == 1)
    }

    @Test func readOnlyWriteOnlyAndReadOnlyBits() {
        var rf = RegisterFile()
        let status = MMIOOffset.ring(.execlistStatusLo, .rcs)
        rf[status] = 0x1234
        rf.write(status, 0xFFFF_FFFF)
        #expect(rf.read(status) == 0x1234)
        let elsp = MMIOOffset.ring(.elsp, .bcs)
        rf.write(elsp, 0xDEAD_BEEF)
        #expect(rf.read(elsp) == 0)
        #expect(rf[elsp] == 0xDEAD_BEEF)  // stored for the caller
        // PIPECONF state bit 30 is read-only.
        rf.write(Reg.pipeConf(.a), 0xC000_0000)
        #expect(rf.read(Reg.pipeConf(.a)) == 0x8000_0000)
        // DDI_BUF_CTL idle bit stays as hardware reports it.
        #expect(rf.read(Reg.ddiBufCtl(.a)) == 0x80)
        rf.write(Reg.ddiBufCtl(.a), 0x8000_0000)
        #expect(rf.read(Reg.ddiBufCtl(.a)) == 0x8000_0080)
    }

    @Test func writeOneToClear() {
        var rf = RegisterFile()
        let iir = InterruptBank.gt0.iir
        rf[iir] = 0b1011
        rf.write(iir, 0b0010)
        #expect(rf.read(iir) == 0b1001)
        rf.write(Reg.errorGen6, 0)
        rf[Reg.errorGen6] = 0xF
        rf.write(Reg.errorGen6, 0x5)
        #expect(rf.read(Reg.errorGen6) == 0xA)
    }

    @Test func unknownOffsetsAndOutOfRange() {
        var rf = RegisterFile()
        rf.write(0x2004, 0x55AA)  // a hole: plain storage
        #expect(rf.read(0x2004) == 0x55AA)
        rf.write(MMIOOffset(RegisterCatalogue.mmioSize), 1)  // ignored, no crash
        #expect(rf.read(MMIOOffset(RegisterCatalogue.mmioSize)) == 0)
        #expect(rf.read(MMIOOffset(0xFFFF_FFFF)) == 0)
        rf.write(0x2032, 0x40)  // unaligned: addresses its dword (RCS_RING_TAIL)
        #expect(rf.read(.ring(.tail, .rcs)) == 0x40)
    }

    @Test func resetValuesAndReset() {
        var rf = RegisterFile()
        #expect(rf.read(.ring(.csbPointer, .vcs)) == 0x7)
        #expect(rf.read(InterruptBank.gt0.imr) == 0xFFFF_FFFF)
        #expect(rf.read(.ring(.tail, .rcs)) == 0)
        let fresh = rf
        rf.write(.ring(.tail, .rcs), 0x100)
        rf.write(.ring(.tail, .bcs), 0x200)
        rf.write(.ring(.csbPointer, .rcs), 0x0700_0500)
        #expect(rf.read(.ring(.csbPointer, .rcs)) == 0x0500 | 0x7 & ~0x0700)
        #expect(rf != fresh)
        rf.reset(where: { $0.engine == .rcs })
        #expect(rf.read(.ring(.tail, .rcs)) == 0)
        #expect(rf.read(.ring(.csbPointer, .rcs)) == 0x7)
        #expect(rf.read(.ring(.tail, .bcs)) == 0x200)
        rf.write(0x2004, 9)
        rf.resetAll()
        #expect(rf == fresh)
        #expect(rf.hashValue == fresh.hashValue)
    }

    @Test func qwordAccess() {
        var rf = RegisterFile()
        rf.write(Reg.fence(0), 0x1234_5000)
        rf.write(Reg.fence(0).advanced(by: 4), 0xABCD)
        #expect(rf.qword(Reg.fence(0)) == 0xABCD_1234_5000)
    }
}
