import Testing

@testable import Decode

@Suite struct DecodeInputTests {
    @Test func detectsFormats() {
        #expect(DecodeInput.detectFormat([0x04, 0x00, 0x00, 0x7A, 0, 0, 0, 0]) == .bin)
        #expect(DecodeInput.detectFormat(Array("0x7a000004 0x00000000\n".utf8)) == .hex)
        #expect(DecodeInput.detectFormat(Array("Kernel: 5.4\nPCI ID: 0x5a84\n".utf8)) == .errorState)
        #expect(DecodeInput.detectFormat(Array("rcs0 command stream:\n".utf8)) == .errorState)
    }

    @Test func binaryIsLittleEndianWithTrailingBytesCounted() {
        let input = DecodeInput.dwords(fromBinary: [0x04, 0x00, 0x00, 0x7A, 0x01, 0x02])
        #expect(Array(input.dwords) == [0x7A00_0004])
        #expect(input.trailingBytes == 2)
    }

    @Test func hexTextShapes() {
        let text = """
            # a comment
            0x00001000: 0x7a000004 0x00104000
            00001008 :  00001000
            0x0000100c:      0x00000000: MI_NOOP
            0000abcd 05000000 trailing words ignored
            not hex at all
            """
        let input = DecodeInput.dwords(fromHex: Substring(text))
        #expect(Array(input.dwords) == [0x7A00_0004, 0x0010_4000, 0x1000, 0, 0xABCD, 0x0500_0000])
        #expect(input.firstOffset == 0x1000)
        #expect(input.skippedLines == [6])
    }

    @Test func tooLongTokensAreNotDwords() {
        let input = DecodeInput.dwords(fromHex: "0x123456789 0x1\n")
        #expect(input.dwords.isEmpty)
    }
}
