import Testing
@testable import GPUModel

@Suite struct RingRegisterTests {
    @Test func absoluteOffsets() {
        #expect(MMIOOffset.ring(.tail, .rcs) == 0x2030)
        #expect(MMIOOffset.ring(.tail, .bcs) == 0x22030)
        #expect(MMIOOffset.ring(.elsp, .vcs) == 0x12230)
        #expect(MMIOOffset.ring(.mode, .vecs) == 0x1A29C)
        #expect(MMIOOffset.csb(.rcs, entry: 0) == 0x2370)
        #expect(MMIOOffset.csb(.rcs, entry: 5, upper: true) == 0x239C)
        #expect(MMIOOffset.pdp(.rcs, 0, upper: false) == 0x2270)
        #expect(MMIOOffset.pdp(.rcs, 3, upper: true) == 0x228C)
        #expect(MMIOOffset.forceToNonPriv(.rcs, 11) == 0x24FC)
        #expect(MMIOOffset.csGPR(.bcs, 15, upper: true) == 0x2267C)
        #expect(MMIOOffset.mocs(.vecs, 1) == 0xCB04)
        #expect(MMIOOffset.l3cc(31) == 0xB09C)
        #expect(Reg.fence(31) == 0x1000F8)
        #expect(Reg.tlbInvalidate(.vecs) == 0x4270)
        #expect(Reg.planeSurf(.b, 2) == 0x7129C)
        #expect(Reg.planeCtl(.c, 3) == 0x72380)
        #expect(Reg.dpAuxCh(.c, dword: 5) == 0x64224)
        #expect(Reg.gmbus(4) == 0xC5110)
    }

    @Test func engineOwnership() {
        #expect(EngineID.owning(0x2248) == .rcs)
        #expect(EngineID.owning(0x22030) == .bcs)
        #expect(EngineID.owning(0x1A3A0) == .vecs)
        #expect(EngineID.owning(0x44200) == nil)
        #expect(Set(RingRegister.allCases.map(\.i915Name)).count == RingRegister.allCases.count)
    }
}
