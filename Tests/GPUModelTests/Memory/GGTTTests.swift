import Foundation
import Testing
@testable import GPUModel

@Suite struct GGTTTests {
    @Test func entryEncoding() {
        let entry = GGTTEntry(frame: PageFrameNumber(0x12345))
        #expect(entry.rawValue == 0x1234_5001)
        #expect(entry.isPresent)
        #expect(entry.frame == PageFrameNumber(0x12345))
        #expect(!GGTTEntry(frame: PageFrameNumber(1), present: false).isPresent)
        // Bits above 38 and the cache bits are not part of the address.
        let raw = GGTTEntry(rawValue: 0xFFFF_FF80_0000_309B)
        #expect(raw.frame == PageFrameNumber(3))
        #expect(raw.isPresent)
        #expect(raw.flags == 0xFFFF_FF80_0000_009B)
        var edited = raw
        edited.frame = PageFrameNumber(0x7FF_FFFF)
        edited.isPresent = false
        #expect(edited.rawValue == 0xFFFF_FFFF_FFFF_F09A)
        #expect(GGTTEntry.addressMask == 0x7F_FFFF_F000)
    }

    @Test func translatePresentEntry() {
        let ggtt = GGTT()
        ggtt[0x10] = GGTTEntry(frame: PageFrameNumber(0xABCDE))
        #expect(ggtt.translate(0x10123) == .success(PhysicalAddress(0xABCD_E123)))
        #expect(ggtt[0x10].frame == PageFrameNumber(0xABCDE))
        ggtt[GGTT.entryCount - 1] = GGTTEntry(frame: PageFrameNumber(2))
        #expect(ggtt.translate(0xFFFF_FFFF) == .success(PhysicalAddress(0x2FFF)))
    }

    @Test func translateNotPresentAndOutOfRange() {
        let ggtt = GGTT()
        ggtt[5] = GGTTEntry(frame: PageFrameNumber(9), present: false)
        #expect(ggtt.translate(0x5000) == .failure(GPUFault(address: 0x5000, space: .ggtt, reason: .notPresent(level: 0))))
        #expect(ggtt.translate(0x6000, isWrite: true)
            == .failure(GPUFault(address: 0x6000, space: .ggtt, reason: .notPresent(level: 0), isWrite: true)))
        #expect(ggtt.translate(0x1_0000_0000)
            == .failure(GPUFault(address: 0x1_0000_0000, space: .ggtt, reason: .outsideAddressSpace)))
        #expect(ggtt.entry(for: 0x1_0000_0000) == nil)
    }

    @Test func dwordWindowWritesHalves() {
        let ggtt = GGTT()
        ggtt.writeDword(atByteOffset: 8 * 3, 0x0000_5001)
        #expect(ggtt[3].rawValue == 0x5001)
        ggtt.writeDword(atByteOffset: 8 * 3 + 4, 0x0000_0012)
        #expect(ggtt[3].rawValue == 0x12_0000_5001)
        #expect(ggtt.readDword(atByteOffset: 8 * 3) == 0x5001)
        #expect(ggtt.readDword(atByteOffset: 8 * 3 + 4) == 0x12)
        ggtt.writeDword(atByteOffset: 8 * 3, 0)
        #expect(ggtt[3].rawValue == 0x12_0000_0000)
    }

    @Test func resetPresentIndicesAndCheckpoint() throws {
        let ggtt = GGTT()
        ggtt[7] = GGTTEntry(frame: PageFrameNumber(1))
        ggtt[3] = GGTTEntry(frame: PageFrameNumber(2))
        ggtt[9] = GGTTEntry(rawValue: 0x5000)   // non-zero, not present
        #expect(ggtt.presentIndices() == [3, 7])
        #expect(ggtt.presentIndices(in: 4..<10) == [7])
        let state = ggtt.save()
        #expect(state.indices == [3, 7, 9])
        let decoded = try JSONDecoder().decode(GGTT.State.self, from: JSONEncoder().encode(state))
        ggtt.reset()
        #expect(ggtt.presentIndices().isEmpty)
        #expect(ggtt[9].rawValue == 0)
        ggtt.restore(decoded)
        #expect(ggtt[3] == GGTTEntry(frame: PageFrameNumber(2)))
        #expect(ggtt[9].rawValue == 0x5000)
    }
}
