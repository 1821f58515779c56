import Foundation
import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Cross-vGPU state: an input of one vGPU must leave every other vGPU's fingerprint alone.
@Suite struct VGPUFingerprintTests {
    /// An observer that, when it sees `attacker`'s MMIO write, changes `victim`'s vreg: a
    /// test-only stand-in for a handler that writes the wrong vGPU.
    final class Leak: MediatorObserver {
        let attacker: VGPUID
        let victim: VGPUID
        let offset: MMIOOffset
        var armed = true
        init(attacker: VGPUID, victim: VGPUID, offset: MMIOOffset) {
            self.attacker = attacker
            self.victim = victim
            self.offset = offset
        }
        func mediator(_ mediator: Mediator, observed event: MediatorEvent) {
            guard armed, case .mmioWrite(let id, _, _, _, _) = event, id == attacker else { return }
            mediator.vgpu(victim)!.vregs[offset] = 0xDEAD_BEEF
        }
    }

    func twoGuests() throws -> (MediatorFixture, TestGuest, TestGuest) {
        let fixture = MediatorFixture()
        let a = try TestGuest(fixture)
        let b = try TestGuest(fixture, type: .v5_8)
        return (fixture, a, b)
    }

    @Test func ordinaryInputsLeaveOtherVGPUsAlone() throws {
        let (fixture, a, b) = try twoGuests()
        let oracle = IsolationOracle()
        var before = oracle.fingerprints(mediator: fixture.mediator, gpu: fixture.gpu)
        a.createPPGTT()
        _ = a.mapGGTT(pages: 4)
        a.mmioWrite(UInt64(MMIOOffset.csGPR(.rcs, 0).rawValue), 7)
        #expect(oracle.checkAccess(by: a.id, before: before, mediator: fixture.mediator, gpu: fixture.gpu) == [])
        // The same inputs did change a's own fingerprint (the check can see changes).
        let after = oracle.fingerprints(mediator: fixture.mediator, gpu: fixture.gpu)
        #expect(after[a.id] != before[a.id])
        #expect(after[b.id] == before[b.id])
        before = after
        _ = b.mapGGTT(pages: 1)
        #expect(oracle.checkAccess(by: b.id, before: before, mediator: fixture.mediator, gpu: fixture.gpu) == [])
    }

    @Test func anMMIOWriteThatChangesAnotherVGPUsRegisterIsFound() throws {
        let (fixture, a, b) = try twoGuests()
        let oracle = IsolationOracle()
        let leaked = MMIOOffset.csGPR(.bcs, 1)
        let leak = Leak(attacker: a.id, victim: b.id, offset: leaked)
        fixture.mediator.observer = leak
        let before = oracle.fingerprints(mediator: fixture.mediator, gpu: fixture.gpu)
        a.mmioWrite(UInt64(MMIOOffset.csGPR(.rcs, 0).rawValue), 7)
        let findings = oracle.checkAccess(by: a.id, before: before, mediator: fixture.mediator, gpu: fixture.gpu)
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.kind == .crossVGPUState)
        #expect(finding.responsible == a.id && finding.victim == .vgpu(b.id))
        #expect(finding.register == leaked)
        #expect(finding.detail.contains("0xdeadbeef"))
        #expect(finding.response == nil)  // the mediator did not notice
    }

    @Test func eachPartOfTheFingerprintCounts() throws {
        let (fixture, a, b) = try twoGuests()
        let oracle = IsolationOracle()
        let vb = fixture.mediator.vgpu(b.id)!
        var before = oracle.fingerprints(mediator: fixture.mediator, gpu: fixture.gpu)
        // Host GGTT slice of b, changed behind the mediator's back.
        let index = Int(vb.slices.aperture.lowerBound >> 12)
        fixture.gpu.ggtt[index] = GGTTEntry(frame: 0x400)
        var findings = oracle.checkAccess(by: a.id, before: before, mediator: fixture.mediator, gpu: fixture.gpu)
        #expect(findings.map(\.detail) == ["an input of \(a.id) changed \(b.id)'s host GGTT slice"])
        // Guest GGTT view, config space and failsafe of b.
        before = oracle.fingerprints(mediator: fixture.mediator, gpu: fixture.gpu)
        vb.ggtt.setEntry(index, 0x1234_5001)
        vb.config.write(offset: 0x10, size: 4, value: 0xFFFF_FFFF)
        vb.failsafe = .guestError
        findings = oracle.checkAccess(by: a.id, before: before, mediator: fixture.mediator, gpu: fixture.gpu)
        #expect(findings.count == 3)
        #expect(findings.allSatisfy { $0.kind == .crossVGPUState && $0.victim == .vgpu(b.id) && $0.responsible == a.id })
        #expect(findings.map(\.detail).contains { $0.contains("guest GGTT view") })
        #expect(findings.map(\.detail).contains { $0.contains("PCI config space") })
        #expect(findings.map(\.detail).contains { $0.contains("failsafe state (none -> GUEST_ERR)") })
        // The responsible vGPU's own changes are not findings.
        before = oracle.fingerprints(mediator: fixture.mediator, gpu: fixture.gpu)
        fixture.mediator.vgpu(a.id)!.vregs[0x2600] = 1
        #expect(oracle.checkAccess(by: a.id, before: before, mediator: fixture.mediator, gpu: fixture.gpu) == [])
    }

    @Test func hardwareUpdatedRegistersAreExcusedOnlyWhenTheVictimsWorkloadsMoved() {
        #expect(IsolationOracle.isHardwareUpdated(.ring(.csbPointer, .bcs)))
        #expect(IsolationOracle.isHardwareUpdated(.csb(.vecs, entry: 5, upper: true)))
        #expect(IsolationOracle.isHardwareUpdated(.ring(.execlistStatusLo, .rcs)))
        #expect(IsolationOracle.isHardwareUpdated(0x44308))  // GT0 IIR
        #expect(IsolationOracle.isHardwareUpdated(0x44200))
        #expect(!IsolationOracle.isHardwareUpdated(.ring(.hwsPGA, .rcs)))
        var a = RegisterFile()
        let b = a
        a[.ring(.csbPointer, .rcs)] = 3
        #expect(IsolationOracle.firstChangedRegister(b, a, excusingHardware: true) == nil)
        #expect(IsolationOracle.firstChangedRegister(b, a, excusingHardware: false) == .ring(.csbPointer, .rcs))
        a[0x2600] = 9
        #expect(IsolationOracle.firstChangedRegister(b, a, excusingHardware: true) == 0x2600)
    }

    @Test func theVictimsMovingWorkloadsExcuseItsHardwareRegisters() throws {
        let (fixture, a, b) = try twoGuests()
        for guest in [a, b] { guest.createPPGTT(); _ = guest.enableEngine(.bcs) }
        let flag: GraphicsAddress = 0x40_0000
        a.mapPPGTT(flag)
        b.mapPPGTT(flag)
        // a's workload waits on a semaphore: the BCS stays busy, b's submission queues.
        var ca = a.makeContext(.bcs)
        a.emit(CommandEncoder.semaphoreWait(flag, data: 1), to: &ca)
        a.submit(ca)
        fixture.runHost()
        var cb = b.makeContext(.bcs)
        b.emit(CommandEncoder.storeDataImmediate(flag, 5), to: &cb)
        b.submit(cb)
        #expect(fixture.mediator.vgpu(b.id)!.workloadQueues[EngineID.bcs.index].count == 1)
        // Recovering a's hang completes its workload and dispatches b's: b's CSB moves.
        let oracle = IsolationOracle()
        let before = oracle.fingerprints(mediator: fixture.mediator, gpu: fixture.gpu)
        for _ in 0..<fixture.gpu.configuration.hangcheckThreshold { fixture.gpu.hangcheck() }
        fixture.runHost()
        let vb = fixture.mediator.vgpu(b.id)!
        #expect(vb.vregs[.ring(.csbPointer, .bcs)] != before[b.id]!.registers[.ring(.csbPointer, .bcs)])
        #expect(oracle.checkAccess(by: a.id, before: before, mediator: fixture.mediator, gpu: fixture.gpu) == [])
    }

    @Test func findingsAreCodableValues() throws {
        let finding = IsolationFinding(kind: .engineWrite, responsible: 1, victim: .vgpu(2), owner: .guest(2), address: 0x1000,
                                       frame: 0x42, engine: .bcs, detail: "x", response: "failsafe GUEST_ERR")
        let data = try JSONEncoder().encode(finding)
        #expect(try JSONDecoder().decode(IsolationFinding.self, from: data) == finding)
        #expect(finding.description.contains("engineWrite: vgpu1 -> vgpu2"))
    }
}
