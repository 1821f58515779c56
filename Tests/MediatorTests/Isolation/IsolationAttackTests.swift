import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Three of the four isolation holes GVT closed in 2019, played by a guest end to end:
/// under revision `gvt-2018` the attack reaches memory or registers it must not and the
/// oracle catches it; under `current` the mediator blocks it. (The fourth, ranges
/// straddling the aperture and hidden slices, is played end to end in
/// StraddlingRangeAttackTests, which explains why it yields no foreign write.)
@Suite struct IsolationAttackTests {
    struct Stage {
        let fixture: MediatorFixture
        let attacker: TestGuest
        let victim: TestGuest
        let oracle = IsolationOracle()

        init(_ revision: MediatorRevision) throws {
            fixture = MediatorFixture(configuration: MediatorConfiguration(revision: revision))
            victim = try TestGuest(fixture, type: .v5_8)
            attacker = try TestGuest(fixture)
            attacker.createPPGTT()
            for engine in [EngineID.rcs, .bcs] { _ = attacker.enableEngine(engine) }
            oracle.attach(to: fixture.gpu, mediator: fixture.mediator, ownership: fixture.hypervisor)
        }

        func run(_ engine: EngineID, _ commands: [UInt32]) {
            var context = attacker.makeContext(engine)
            attacker.emit(commands, to: &context)
            attacker.submit(context)
            fixture.runHost()
        }

        var failsafe: FailsafeReason? { fixture.mediator.vgpu(attacker.id)?.failsafe }

        func findings() -> [IsolationFinding] {
            oracle.takeEngineFindings()
                + oracle.checkMappings(mediator: fixture.mediator, gpu: fixture.gpu, ownership: fixture.hypervisor)
        }
    }

    /// GFX_MODE bit 0: privilege checks off, then an unscanned PPGTT batch stores through the
    /// GGTT into the victim's slice.
    func privilegeDisableAttack(_ revision: MediatorRevision) throws -> (Stage, UInt32, GuestFrameNumber) {
        let stage = try Stage(revision)
        let target = stage.victim.mapGGTT(pages: 1)
        let victimFrame = stage.victim.frame(ofGGTT: target)
        stage.attacker.mmioWrite(UInt64(MMIOOffset.ring(.mode, .rcs).rawValue), 0x0001_0001)
        let batch: GraphicsAddress = 0x50_0000
        let batchFrame = stage.attacker.mapPPGTT(batch)
        stage.attacker.write(GuestPhysicalAddress(frame: batchFrame),
                             CommandEncoder.storeDataImmediate(target, 0xBAD, ggtt: true) + CommandEncoder.batchEnd)
        stage.run(.rcs, CommandEncoder.batchStart(batch, ppgtt: true))
        return (stage, stage.victim.read32(GuestPhysicalAddress(frame: victimFrame)), victimFrame)
    }

    @Test func privilegeDisableBitIsCaughtUnderGVT2018() throws {
        let (stage, victimValue, _) = try privilegeDisableAttack(.gvt2018)
        #expect(victimValue == 0xBAD)
        let findings = stage.findings()
        #expect(findings.contains { $0.kind == .engineWrite && $0.victim == .vgpu(stage.victim.id) })
    }

    @Test func privilegeDisableBitIsBlockedUnderCurrent() throws {
        let (stage, victimValue, _) = try privilegeDisableAttack(.current)
        #expect(victimValue == 0)
        #expect(stage.failsafe == .unsupportedGuest)
        #expect(stage.findings().isEmpty)
    }

    /// CSFE_CHICKEN1 bits 3/4: the blitter then loads a render-engine register.
    func crossEngineAttack(_ revision: MediatorRevision) throws -> Stage {
        let stage = try Stage(revision)
        stage.attacker.mmioWrite(UInt64(GPU.csfeChicken1.rawValue),
                                 UInt64(GPU.crossEngineAccessBits << 16 | GPU.crossEngineAccessBits))
        stage.run(.rcs, CommandEncoder.noop)  // carries the render MMIO context to the host
        stage.run(.bcs, CommandEncoder.loadRegisterImmediate([(MMIOOffset.csGPR(.rcs, 0), 0x1234)]))
        return stage
    }

    @Test func crossEngineBitsAreCaughtUnderGVT2018() throws {
        let stage = try crossEngineAttack(.gvt2018)
        #expect(stage.fixture.gpu.readRegister(MMIOOffset.csGPR(.rcs, 0)) == 0x1234)
        #expect(stage.findings().contains { $0.kind == .engineRegisterWrite && $0.engine == .bcs })
    }

    @Test func crossEngineBitsAreBlockedUnderCurrent() throws {
        let stage = try crossEngineAttack(.current)
        #expect(stage.fixture.gpu.readRegister(MMIOOffset.csGPR(.rcs, 0)) == 0)
        #expect(stage.fixture.gpu.readRegister(GPU.csfeChicken1) & GPU.crossEngineAccessBits == 0)
        #expect(stage.failsafe == .unsupportedGuest)
        #expect(stage.findings().isEmpty)
    }

    /// Index-mode GGTT post-sync store: it lands at HWS_PGA + offset of the engine it runs on,
    /// which is the host's status page unless the parser redirects it.
    func indexStoreAttack(_ revision: MediatorRevision) throws -> Stage {
        let stage = try Stage(revision)
        stage.run(.rcs, CommandEncoder.pipeControl(store: 0xBAD, at: 0x100, ggtt: true, storeIndex: true))
        return stage
    }

    @Test func indexStoresReachTheHostStatusPageUnderGVT2018() throws {
        let stage = try indexStoreAttack(.gvt2018)
        #expect(stage.findings().contains { $0.kind == .engineWrite && $0.victim == .host })
    }

    @Test func indexStoresAreRedirectedToTheGuestsOwnPageUnderCurrent() throws {
        let stage = try indexStoreAttack(.current)
        #expect(stage.findings().isEmpty)
        let hwsp = stage.fixture.mediator.vgpu(stage.attacker.id)!.hwsPGA[EngineID.rcs.index]
        #expect(stage.attacker.readGGTT(hwsp.advanced(by: 0x100)) == 0xBAD)
        #expect(stage.failsafe == nil)
    }
}
