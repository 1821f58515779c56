import Testing
@testable import GPUModel

@Suite struct InterruptControllerTests {
    /// A register file with GT0 and pipe A unmasked and enabled, master enabled.
    func armed() -> RegisterFile {
        var rf = RegisterFile()
        for bank in [InterruptBank.gt0, .dePipeA] {
            InterruptController.write(bank.imr, 0, in: &rf)
            InterruptController.write(bank.ier, 0xFFFF_FFFF, in: &rf)
        }
        InterruptController.write(Reg.masterIRQ, InterruptController.masterEnable, in: &rf)
        return rf
    }

    @Test func eventBits() {
        #expect(InterruptEvent.userInterrupt(.rcs) == InterruptEvent(bank: .gt0, bit: 0))
        #expect(InterruptEvent.userInterrupt(.bcs) == InterruptEvent(bank: .gt0, bit: 16))
        #expect(InterruptEvent.userInterrupt(.vcs) == InterruptEvent(bank: .gt1, bit: 0))
        #expect(InterruptEvent.userInterrupt(.vecs) == InterruptEvent(bank: .gt3, bit: 0))
        #expect(InterruptEvent.contextSwitch(.bcs).bit == 24)
        #expect(InterruptEvent.contextSwitch(.vecs) == InterruptEvent(bank: .gt3, bit: 8))
        #expect(InterruptEvent.flushNotify(.bcs).bit == 20)
        #expect(InterruptEvent.flushNotify(.vcs) == InterruptEvent(bank: .gt1, bit: 4))
        #expect(InterruptEvent.pipeControlNotify.bit == 4)
        #expect(InterruptEvent.vblank(.c) == InterruptEvent(bank: .dePipeC, bit: 0))
        #expect(InterruptEvent.primaryFlipDone(.b) == InterruptEvent(bank: .dePipeB, bit: 3))
        #expect(InterruptEvent.spriteFlipDone(.a).bit == 4)
        #expect(InterruptEvent.gmbus == InterruptEvent(bank: .pch, bit: 17))
        #expect(InterruptEvent.vblank(.a).name == "PIPE_A_VBLANK")
        #expect(InterruptEvent(bank: .gt2, bit: 5).name == "gt2[5]")
        #expect(Set(InterruptEvent.known.map(\.event)).count == InterruptEvent.known.count)
    }

    @Test func bankOffsets() {
        #expect(InterruptBank.gt0.isr == 0x44300)
        #expect(InterruptBank.gt3.ier == 0x4433C)
        #expect(InterruptBank.dePipeB.iir == 0x44418)
        #expect(InterruptBank.pch.imr == 0xC4004)
        #expect(InterruptBank.pcu.iir == 0x444E8)
        #expect(InterruptBank.locate(0x44428)! == (.dePipeC, 2))
        #expect(InterruptBank.locate(0x44450) == nil)
        let cat = RegisterCatalogue.gen9
        for bank in InterruptBank.allCases {
            #expect(cat.info(at: bank.iir)?.flags.contains(.writeOneToClear) == true)
            #expect(cat.info(at: bank.isr)?.flags.contains(.readOnly) == true)
        }
    }

    @Test func raiseLatchesAndAsserts() {
        var rf = armed()
        #expect(!InterruptController.isAsserted(rf))
        #expect(InterruptController.raise(.userInterrupt(.rcs), in: &rf))
        #expect(rf.read(InterruptBank.gt0.iir) == 1)
        #expect(rf.read(Reg.masterIRQ) == InterruptController.masterEnable | 1)
        #expect(InterruptController.isAsserted(rf))
        // The BCS half of GT0 reports in master bit 1.
        InterruptController.raise(.contextSwitch(.bcs), in: &rf)
        #expect(rf.read(Reg.masterIRQ) & 0b11 == 0b11)
        #expect(InterruptController.pendingEvents(in: .gt0, rf) == [.userInterrupt(.rcs), .contextSwitch(.bcs)])
    }

    @Test func imrMasksLatching() {
        var rf = armed()
        InterruptController.write(InterruptBank.gt0.imr, ~UInt32(0), in: &rf)
        #expect(!InterruptController.raise(.userInterrupt(.rcs), in: &rf))
        #expect(rf.read(InterruptBank.gt0.iir) == 0)
        #expect(!InterruptController.isAsserted(rf))
        // Unmasking later does not resurrect an edge that was masked.
        InterruptController.write(InterruptBank.gt0.imr, 0, in: &rf)
        #expect(!InterruptController.isAsserted(rf))
        // Default reset state: everything masked.
        var fresh = RegisterFile()
        #expect(!InterruptController.raise(.vblank(.a), in: &fresh))
    }

    @Test func ierGatesMasterButNotIIR() {
        var rf = armed()
        InterruptController.write(InterruptBank.gt0.ier, 0, in: &rf)
        #expect(InterruptController.raise(.userInterrupt(.rcs), in: &rf))
        #expect(rf.read(InterruptBank.gt0.iir) == 1)
        #expect(rf.read(Reg.masterIRQ) == InterruptController.masterEnable)
        #expect(!InterruptController.isAsserted(rf))
        // Enabling it afterwards asserts at once (level, latched in IIR).
        InterruptController.write(InterruptBank.gt0.ier, 1, in: &rf)
        #expect(InterruptController.isAsserted(rf))
    }

    @Test func masterEnableAndWritableBits() {
        var rf = armed()
        InterruptController.write(Reg.masterIRQ, 0, in: &rf)
        InterruptController.raise(.vblank(.a), in: &rf)
        // Pending group still visible with the enable clear (i915 reads it that way)...
        #expect(rf.read(Reg.masterIRQ) == 1 << 16)
        // ...but the device does not signal.
        #expect(!InterruptController.isAsserted(rf))
        // Software cannot set group bits.
        InterruptController.write(Reg.masterIRQ, 0x7FFF_FFFF, in: &rf)
        #expect(rf.read(Reg.masterIRQ) == 1 << 16)
        InterruptController.write(Reg.masterIRQ, 0xFFFF_FFFF, in: &rf)
        #expect(InterruptController.isAsserted(rf))
        // The plain register-file write honours the same read-only mask.
        rf.write(Reg.masterIRQ, 0)
        #expect(rf.read(Reg.masterIRQ) == 1 << 16)
    }

    @Test func iirWriteOneToClearRecomputesMaster() {
        var rf = armed()
        InterruptController.raise(.userInterrupt(.rcs), in: &rf)
        InterruptController.raise(.contextSwitch(.rcs), in: &rf)
        InterruptController.write(InterruptBank.gt0.iir, 1, in: &rf)
        #expect(rf.read(InterruptBank.gt0.iir) == 1 << 8)
        #expect(InterruptController.isAsserted(rf))
        InterruptController.write(InterruptBank.gt0.iir, 0xFFFF_FFFF, in: &rf)
        #expect(rf.read(InterruptBank.gt0.iir) == 0)
        #expect(rf.read(Reg.masterIRQ) == InterruptController.masterEnable)
        #expect(!InterruptController.isAsserted(rf))
    }

    @Test func handledOffsets() {
        #expect(InterruptController.handlesWrite(to: Reg.masterIRQ))
        #expect(InterruptController.handlesWrite(to: InterruptBank.pch.iir))
        #expect(InterruptController.handlesWrite(to: InterruptBank.gt2.imr))
        #expect(!InterruptController.handlesWrite(to: InterruptBank.gt2.isr))
        #expect(!InterruptController.handlesWrite(to: .ring(.tail, .rcs)))
        var rf = RegisterFile()
        InterruptController.write(.ring(.tail, .rcs), 0x80, in: &rf)  // falls back to a plain write
        #expect(rf.read(.ring(.tail, .rcs)) == 0x80)
    }
}
