import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Engine checks: what commands of a vGPU's workload write and load while it runs on the
/// host GPU, built by weakening the host GPU directly (the 2019 holes, gvt-reference §9.3).
@Suite struct IsolationOracleEngineTests {
    /// One guest with a PPGTT batch at 5 MiB and RCS/BCS enabled, the oracle attached.
    struct Setup {
        /// The pre-2019 revision: the guest's GFX_MODE and CSFE_CHICKEN1 bits reach the host
        /// through the MMIO context switch, so the holes can be opened from the guest.
        let fixture = MediatorFixture(configuration: MediatorConfiguration(revision: .gvt2018))
        let guest: TestGuest
        let oracle = IsolationOracle()
        static let batch: GraphicsAddress = 0x50_0000
        let batchFrame: GuestFrameNumber

        init() throws {
            guest = try TestGuest(fixture)
            guest.createPPGTT()
            _ = guest.enableEngine(.rcs)
            _ = guest.enableEngine(.bcs)
            batchFrame = guest.mapPPGTT(Self.batch)
            oracle.attach(to: fixture.gpu, mediator: fixture.mediator, ownership: fixture.hypervisor)
        }

        /// Runs a ring on `engine` whose only command starts the PPGTT batch `batch`.
        func runBatch(_ engine: EngineID, _ batch: [UInt32]) {
            guest.write(GuestPhysicalAddress(frame: batchFrame), batch + CommandEncoder.batchEnd)
            runRing(engine, CommandEncoder.batchStart(Self.batch, ppgtt: true))
        }

        func runRing(_ engine: EngineID, _ commands: [UInt32]) {
            var context = guest.makeContext(engine)
            guest.emit(commands, to: &context)
            guest.submit(context)
            fixture.runHost()
        }

        var gpu: GPU { fixture.gpu }

        /// Opens the GFX_MODE hole from the guest: RCS RING_MODE bit 0 (privilege checks off).
        func disablePrivilegeChecks() {
            guest.mmioWrite(UInt64(MMIOOffset.ring(.mode, .rcs).rawValue), 0x0001_0001)
        }

        /// Opens the CSFE_CHICKEN1 hole from the guest and lets an RCS workload carry it to the host.
        func enableCrossEngineAccess() {
            guest.mmioWrite(UInt64(GPU.csfeChicken1.rawValue), UInt64(GPU.crossEngineAccessBits << 16 | GPU.crossEngineAccessBits))
            runRing(.rcs, CommandEncoder.noop)
        }

        /// The host GPU refused a command of the workload.
        var sawPrivilegeViolation: Bool {
            fixture.log.events.contains { if case .hardwareEvent(.privilegeViolation) = $0 { true } else { false } }
        }
    }

    // MARK: Index-mode store into the host status page

    @Test func anIndexStoreFromAPPGTTBatchIsBlockedWhilePrivilegeChecksAreOn() throws {
        let s = try Setup()
        s.runBatch(.rcs, CommandEncoder.storeDataIndex(offset: 0x40, 0xBAD))
        #expect(s.oracle.takeEngineFindings() == [])
        #expect(s.sawPrivilegeViolation)  // the batch ran; the hardware dropped the store
    }

    @Test func anIndexStoreIntoTheHostStatusPageIsFound() throws {
        let s = try Setup()
        // The GFX_MODE hole: host RING_MODE bit 0 disables the privilege checks.
        s.disablePrivilegeChecks()
        s.runBatch(.rcs, CommandEncoder.storeDataIndex(offset: 0x40, 0xBAD))
        let findings = s.oracle.takeEngineFindings()
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        let hws = GraphicsAddress(UInt64(s.gpu.readRegister(.ring(.hwsPGA, .rcs)) & 0xFFFF_F000))
        let hostStatusFrame = s.gpu.ggtt.entry(for: hws)!.frame
        #expect(finding.kind == .engineWrite)
        #expect(finding.responsible == s.guest.id)
        #expect(finding.victim == .host && finding.owner == .host)
        #expect(finding.engine == .rcs)
        #expect(finding.address == hws.advanced(by: 0x40))
        #expect(finding.frame == hostStatusFrame)
        #expect(finding.detail.contains("host status page of rcs"))
        // The store really landed there: the oracle reports, it does not prevent.
        #expect(s.gpu.memory.read32(PhysicalAddress(frame: hostStatusFrame, offset: 0x40)) == 0xBAD)
        // The replayer's per-event entry hands the collected findings over once.
        #expect(s.oracle.check(after: .clock(.zero), mediator: s.fixture.mediator, gpu: s.gpu,
                               ownership: s.fixture.hypervisor) == [])
    }

    @Test func aGGTTStoreIntoAnotherGuestsFrameIsFound() throws {
        let s = try Setup()
        let other = try TestGuest(s.fixture, type: .v5_8)
        let victimGMA = other.mapGGTT(pages: 1)
        let victimFrame = s.fixture.hypervisor.backing(other.id, other.frame(ofGGTT: victimGMA))!
        // The 2019 GFX_MODE attack: with privilege checks off, an unscanned PPGTT batch stores
        // through the GGTT into the other vGPU's slice; the oracle sees the write.
        s.disablePrivilegeChecks()
        s.runBatch(.rcs, CommandEncoder.storeDataImmediate(victimGMA.advanced(by: 4), 0xEE, ggtt: true))
        let findings = s.oracle.takeEngineFindings()
        #expect(findings.map(\.kind) == [.engineWrite])
        #expect(findings.first?.victim == .vgpu(other.id) && findings.first?.owner == .guest(other.id))
        #expect(findings.first?.frame == victimFrame && findings.first?.engine == .rcs)
        #expect(findings.first?.address == victimGMA.advanced(by: 4))
    }

    @Test func writesToTheGuestsOwnMemoryAreClean() throws {
        let s = try Setup()
        let own = s.guest.mapGGTT(pages: 1)
        s.runRing(.bcs, CommandEncoder.storeDataImmediate(own, 1, ggtt: true)
                  + CommandEncoder.flushDW(store: 2, at: own.advanced(by: 8), ggtt: true))
        #expect(s.oracle.engineAccessesChecked >= 2)
        #expect(s.oracle.takeEngineFindings() == [])
    }

    // MARK: Cross-engine register loads

    @Test func aBlitterLoadOfARenderRegisterIsBlockedWithoutTheChickenBits() throws {
        let s = try Setup()
        s.runRing(.bcs, CommandEncoder.loadRegisterImmediate([(MMIOOffset.csGPR(.rcs, 0), 0x1234)]))
        #expect(s.oracle.takeEngineFindings() == [])
        #expect(s.sawPrivilegeViolation)
        #expect(s.gpu.readRegister(MMIOOffset.csGPR(.rcs, 0)) == 0)
    }

    @Test func aBlitterLoadOfARenderRegisterIsFoundWithTheChickenBits() throws {
        let s = try Setup()
        // The CSFE_CHICKEN1 hole: bits 3/4 let any engine reach the others' registers.
        s.enableCrossEngineAccess()
        let target = MMIOOffset.csGPR(.rcs, 0)
        s.runRing(.bcs, CommandEncoder.loadRegisterImmediate([(target, 0x1234)]))
        let findings = s.oracle.takeEngineFindings()
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.kind == .engineRegisterWrite)
        #expect(finding.responsible == s.guest.id && finding.victim == .host)
        #expect(finding.engine == .bcs && finding.register == target)
        #expect(finding.detail.contains("rcs's ring register"))
        #expect(s.gpu.readRegister(target) == 0x1234)
    }

    @Test func forbiddenLoadsAreNamed() {
        #expect(IsolationOracle.forbiddenLoad(by: .rcs, GPU.csfeChicken1, 0x18) != nil)
        #expect(IsolationOracle.forbiddenLoad(by: .rcs, .ring(.mode, .rcs), 0x0001_0001)?.contains("privilege") == true)
        #expect(IsolationOracle.forbiddenLoad(by: .rcs, .ring(.mode, .rcs), 0x0001_0000) == nil)  // clearing it is fine
        #expect(IsolationOracle.forbiddenLoad(by: .bcs, .ring(.hwsPGA, .bcs), 0x1000) != nil)
        #expect(IsolationOracle.forbiddenLoad(by: .vcs, Reg.gdrst, 1) != nil)
        #expect(IsolationOracle.forbiddenLoad(by: .vcs, Reg.fence(3), 1) != nil)
        #expect(IsolationOracle.forbiddenLoad(by: .rcs, 0x44200, 1) != nil)
        #expect(IsolationOracle.forbiddenLoad(by: .rcs, MMIOOffset.csGPR(.rcs, 2), 1) == nil)
        #expect(IsolationOracle.forbiddenLoad(by: .vecs, MMIOOffset.csGPR(.vcs, 0), 1)?.contains("vcs") == true)
    }

    @Test func hostWorkIsNotChecked() throws {
        let s = try Setup()
        #expect(s.fixture.mediator.currentWorkloads.allSatisfy { $0 == nil })
        s.oracle.engineWrote(.rcs, 0x1000, PhysicalAddress(frame: PageFrameNumber(1)), 4)
        s.oracle.engineLoaded(.bcs, GPU.csfeChicken1, 0x18)
        #expect(s.oracle.takeEngineFindings() == [])
    }

    @Test func detachingStopsTheChecks() throws {
        let s = try Setup()
        s.oracle.detach(from: s.gpu)
        #expect(s.gpu.commandWriteObserver == nil && s.gpu.commandRegisterWriteObserver == nil)
        s.disablePrivilegeChecks()
        s.runBatch(.rcs, CommandEncoder.storeDataIndex(offset: 0x40, 0xBAD))
        #expect(s.oracle.takeEngineFindings() == [])
    }

    @Test func engineFindingsAreCapped() throws {
        let s = try Setup()
        s.oracle.engineFindingLimit = 2
        s.disablePrivilegeChecks()
        s.runBatch(.rcs, CommandEncoder.storeDataIndex(offset: 0x40, 1) + CommandEncoder.storeDataIndex(offset: 0x44, 2)
                   + CommandEncoder.storeDataIndex(offset: 0x48, 3))
        #expect(s.oracle.engineFindings.count == 2)
        #expect(s.oracle.droppedEngineFindings == 1)
        #expect(s.oracle.takeEngineFindings().count == 2)
        #expect(s.oracle.droppedEngineFindings == 0)
    }
}
