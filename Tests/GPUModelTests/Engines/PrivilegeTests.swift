import Testing
@testable import GPUModel

/// Hardware privilege checks and the two 2019 holes they guard (GFX_MODE bit 0,
/// CSFE_CHICKEN1 bits 3/4).
@Suite struct PrivilegeTests {
    typealias Fixture = CommandStreamerTests.Fixture

    func violations(_ gpu: GPU) -> Int {
        gpu.drainEvents().filter { if case .privilegeViolation = $0 { true } else { false } }.count
    }

    @Test func ppgttBatchCannotStoreToTheGGTT() {
        var f = Fixture()
        let page = f.bench.mapGGTT(pages: 1)
        let batch = f.ppgttBase.advanced(by: 0x1000)
        f.bench.write(CommandEncoder.storeDataImmediate(page, 0xBAD, ggtt: true) + CommandEncoder.batchEnd,
                      at: batch, in: f.space)
        #expect(f.run(CommandEncoder.batchStart(batch, ppgtt: true)) == .idle)
        #expect(f.bench.read32(page) == 0)
        #expect(violations(f.bench.gpu) == 1)
    }

    @Test func privilegeCheckDisableBitOpensTheGGTT() {
        var f = Fixture()
        let page = f.bench.mapGGTT(pages: 1)
        let batch = f.ppgttBase.advanced(by: 0x1000)
        f.bench.gpu.writeRegister(.ring(.mode, .rcs), 0x0001_0001)  // masked: set bit 0
        f.bench.write(CommandEncoder.storeDataImmediate(page, 0xBAD, ggtt: true) + CommandEncoder.batchEnd,
                      at: batch, in: f.space)
        #expect(f.run(CommandEncoder.batchStart(batch, ppgtt: true)) == .idle)
        #expect(f.bench.read32(page) == 0xBAD)
        #expect(violations(f.bench.gpu) == 0)
    }

    @Test func nonPrivilegedLRIOnlyReachesWhitelistedRegisters() {
        var f = Fixture()
        let batch = f.ppgttBase.advanced(by: 0x1000)
        // Whitelist L3SQCREG4 in RCS FORCE_TO_NONPRIV slot 0 (from the privileged ring).
        f.bench.write(CommandEncoder.loadRegisterImmediate([(0x7300, 0x0001_0001), (0xB118, 2), (.csGPR(.rcs, 3), 5)])
                      + CommandEncoder.batchEnd, at: batch, in: f.space)
        let outcome = f.run(CommandEncoder.loadRegisterImmediate([(.ring(.forceToNonPriv, .rcs), 0xB118)])
                            + CommandEncoder.batchStart(batch, ppgtt: true))
        #expect(outcome == .idle)
        #expect(f.bench.gpu.registers[0x7300] & 1 == 0)
        #expect(f.bench.gpu.registers[0xB118] == 2)
        #expect(f.bench.gpu.registers[.csGPR(.rcs, 3)] == 5)  // the engine's own GPRs are user registers
        #expect(violations(f.bench.gpu) == 1)
    }

    @Test func engineCannotReachAnotherEnginesRegistersUnlessChickenBitsAllow() {
        var f = Fixture(engine: .bcs)
        let target = MMIOOffset.ring(.hwsPGA, .rcs)
        #expect(f.run(CommandEncoder.loadRegisterImmediate([(target, 0x5000)])) == .idle)
        #expect(f.bench.gpu.registers[target] != 0x5000)
        #expect(violations(f.bench.gpu) == 1)

        f.bench.gpu.writeRegister(GPU.csfeChicken1, GPU.crossEngineAccessBits << 16 | GPU.crossEngineAccessBits)  // masked
        #expect(f.run(CommandEncoder.loadRegisterImmediate([(target, 0x5000)])) == .idle)
        #expect(f.bench.gpu.registers[target] == 0x5000)
    }

    @Test func unprivilegedContextCannotUseGGTTEvenFromTheRing() {
        var f = Fixture(privileged: false)
        let page = f.bench.mapGGTT(pages: 1)
        #expect(f.run(CommandEncoder.storeDataImmediate(page, 1, ggtt: true)) == .idle)
        #expect(f.bench.read32(page) == 0)
        #expect(violations(f.bench.gpu) == 1)
    }
}
