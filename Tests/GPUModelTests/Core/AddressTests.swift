import Testing
@testable import GPUModel

@Suite struct AddressTests {
    @Test func pageArithmetic() {
        let pa = PhysicalAddress(frame: PageFrameNumber(0x12345), offset: 0xABC)
        #expect(pa.rawValue == 0x12345ABC)
        #expect(pa.frame == PageFrameNumber(0x12345))
        #expect(pa.pageOffset == 0xABC)
        let gma = GraphicsAddress(0xFFFF_F123)
        #expect(gma.pageNumber == 0xFFFFF)
        #expect(gma.pageOffset == 0x123)
        #expect(MMIOOffset(0x2030).dwordIndex == 0x2030 / 4)
    }

    @Test func engineIdentities() {
        #expect(EngineID.allCases.map(\.index) == [0, 1, 2, 3])
        #expect(EngineID.allCases.map(\.mmioBase) == [0x2000, 0x22000, 0x12000, 0x1A000])
        #expect(EngineID(name: "bsd") == .vcs)
        #expect(EngineID(name: "VECS0") == .vecs)
        #expect(EngineID(name: "vcs2") == nil)
        let mask: EngineMask = [.rcs, .vecs]
        #expect(mask.engines == [.rcs, .vecs])
        #expect(!mask.contains(.bcs))
    }

    @Test func virtualTimeFormatting() {
        #expect(VirtualTime(nanoseconds: 1_500_000_000).description == "1.500000s")
        #expect(hex(UInt32(0x2a), width: 4) == "0x002a")
    }
}
