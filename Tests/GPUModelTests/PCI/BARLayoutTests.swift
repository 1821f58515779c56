import Testing
@testable import GPUModel

@Suite struct BARLayoutTests {
    @Test func bar0RegionsMatchGVTDeviceInfo() {
        #expect(BARLayout.region(ofBAR0Offset: 0x2030) == .mmio(0x2030))
        #expect(BARLayout.region(ofBAR0Offset: 0x1F_FFFC) == .mmio(0x1F_FFFC))
        #expect(BARLayout.region(ofBAR0Offset: 0x20_0000) == .reserved(offset: 0x20_0000))
        #expect(BARLayout.region(ofBAR0Offset: 0x80_0000) == .ggtt(byteOffset: 0))
        #expect(BARLayout.region(ofBAR0Offset: 0xFF_FFFC) == .ggtt(byteOffset: 0x7F_FFFC))
        #expect(BARLayout.region(ofBAR0Offset: 0x100_0000) == .outside)
        #expect(BARLayout.ggttSize == UInt64(GGTT.tableSize))
        #expect(BARLayout.ggttOffset + BARLayout.ggttSize == BARLayout.gttmmadrSize)
    }
}
