import Testing
@testable import GPUModel

/// BAR0 as the CPU sees it: register side effects and the GGTT window.
@Suite struct GPUMMIOTests {
    @Test func ggttWindowQwordAndHalfWrites() {
        let gpu = GPU()
        let slot = BARLayout.ggttOffset + 5 * 8
        gpu.mmioWrite(slot, size: 8, value: 0x1_2345_6001)
        #expect(gpu.ggtt[5].rawValue == 0x1_2345_6001)
        #expect(gpu.mmioRead(slot, size: 8) == 0x1_2345_6001)
        gpu.mmioWrite(slot + 4, size: 4, value: 0x2)
        #expect(gpu.ggtt[5].rawValue == 0x2_2345_6001)
        #expect(gpu.mmioRead(slot, size: 4) == 0x2345_6001)
        #expect(gpu.mmioRead(slot + 4, size: 4) == 0x2)
    }

    @Test func forcewakeAckMirrorsTheRequest() {
        let gpu = GPU()
        gpu.mmioWrite(UInt64(Reg.forcewakeRender.rawValue), size: 4, value: 0x0001_0001)
        #expect(gpu.readRegister(Reg.forcewakeAckRender) & 1 == 1)
        gpu.mmioWrite(UInt64(Reg.forcewakeRender.rawValue), size: 4, value: 0x0001_0000)
        #expect(gpu.readRegister(Reg.forcewakeAckRender) & 1 == 0)
    }

    @Test func maskedModeRegister() {
        let gpu = GPU()
        let mode = MMIOOffset.ring(.mode, .bcs)
        gpu.writeRegister(mode, 0x8000_8000)  // set bit 15 (run list enable)
        #expect(gpu.readRegister(mode) & 0x8000 != 0)
        gpu.writeRegister(mode, 0x0000_0000)  // no enable bits: nothing changes
        #expect(gpu.readRegister(mode) & 0x8000 != 0)
    }

    @Test func resetControlAcknowledgesARequest() {
        let gpu = GPU()
        let ctl = MMIOOffset.ring(.resetCtl, .rcs)
        gpu.writeRegister(ctl, 0x0001_0001)
        #expect(gpu.readRegister(ctl) & 3 == 3)
    }

    @Test func timestampFollowsVirtualTime() {
        let gpu = GPU()
        gpu.advance(to: VirtualTime(nanoseconds: 1_000_000))
        #expect(gpu.readRegister(.ring(.timestamp, .rcs)) == 19_200)
    }

    @Test func apertureReachesGGTTMappedMemory() {
        let bench = Workbench(gpu: GPU())
        let page = bench.mapGGTT(pages: 1)
        if case .failure(let fault) = bench.gpu.apertureWrite(page.rawValue + 8, bytes: [1, 2, 3, 4]) {
            Issue.record("aperture write failed: \(fault)")
        }
        #expect(bench.read32(page.advanced(by: 8)) == 0x0403_0201)
        guard case .failure(let fault) = bench.gpu.apertureRead(0x100, count: 4) else {
            Issue.record("unmapped aperture page must fault")
            return
        }
        #expect(fault.reason == .notPresent(level: 0))
        guard case .failure = bench.gpu.apertureRead(bench.gpu.configuration.apertureSize, count: 4) else {
            Issue.record("beyond the aperture must fail")
            return
        }
    }

    @Test func accessesBeyondTheRangesAreHarmless() {
        let gpu = GPU()
        gpu.mmioWrite(BARLayout.mmioSize + 16, size: 4, value: 1)
        #expect(gpu.mmioRead(BARLayout.mmioSize + 16, size: 4) == 0)
        gpu.mmioWrite(BARLayout.ggttOffset + UInt64(GGTT.entryCount) * 8, size: 8, value: 1)
    }
}
