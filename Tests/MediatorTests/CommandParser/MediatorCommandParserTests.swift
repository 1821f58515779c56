import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The parser's entry points around the scan: failing a workload, applying flips, the guest
/// PPGTT walk.
@Suite struct MediatorCommandParserTests {
    @Test func badRequestsAndFaultsPutTheVGPUInFailsafe() throws {
        let p = try ParserFixture()
        let failure = try #require(p.scan([0x2000_0000, 0]).verdict.failure)
        #expect(p.vgpu.failsafe == nil)  // the scan only reports
        p.fixture.log.clear()
        p.mediator.failWorkloadScan(p.vgpu, failure)
        #expect(p.vgpu.failsafe == .guestError)
        #expect(p.fixture.log.events.first == .workloadScanFailed(p.id, failure))
        #expect(p.fixture.log.events.contains { if case .failsafe(p.id, .guestError, _) = $0 { true } else { false } })
    }

    @Test func permissionAndResourceFailuresOnlyFailTheWorkload() throws {
        let p = try ParserFixture()
        let failure = try #require(p.scan(Enc.loadRegisterRegister(from: .csGPR(.rcs, 0), to: .csGPR(.rcs, 1))).verdict.failure)
        #expect(failure.errorClass == .permission)
        p.mediator.failWorkloadScan(p.vgpu, failure)
        #expect(p.vgpu.failsafe == nil)
        #expect(p.fixture.log.events.contains(.workloadScanFailed(p.id, failure)))
        #expect(failure.description.contains("-EPERM"))
    }

    @Test func applyingAFlipUpdatesThePlaneAndSignalsFlipDone() throws {
        let p = try ParserFixture()
        let v = p.vgpu
        v.vregs[Reg.planeSurf(.a, 1)] = 0x0000_0004
        v.vregs[Reg.planeCtl(.a, 1)] = 1 << 31
        let count = v.vregs[Reg.pipeFlipCount(.a)]
        p.mediator.applyDisplayFlip(v, DisplayFlip(pipe: .a, plane: 1, surface: 0x0077_7000, stride: 0x20, tiling: 4, async: false))
        #expect(v.vregs[Reg.planeSurf(.a, 1)] == 0x0077_7004)
        #expect(v.vregs[Reg.planeSurfLive(.a, 1)] == 0x0077_7004)
        #expect(v.vregs[Reg.planeStride(.a, 1)] & 0x3FF == 0x20)
        #expect(v.vregs[Reg.planeCtl(.a, 1)] == 1 << 31 | 4 << 10)
        #expect(v.vregs[Reg.pipeFlipCount(.a)] == count &+ 1)
        #expect(v.display.pendingFlips[Pipe.a.rawValue] == InterruptEvent.planeFlipDone(.a, plane: 1).mask)
        // An async sprite flip signals at once.
        let event = InterruptEvent.planeFlipDone(.b, plane: 2)
        v.vregs[event.bank.imr] = 0
        p.mediator.applyDisplayFlip(v, DisplayFlip(pipe: .b, plane: 2, surface: 0x1000, stride: 1, tiling: 0, async: true))
        #expect(v.vregs[event.bank.iir] & event.mask != 0)
        #expect(v.vregs[Reg.pipeFlipCount(.b)] == 0)
    }

    @Test func theGuestPPGTTWalkFollowsEveryPageSize() throws {
        let p = try ParserFixture()
        let v = p.vgpu
        // 4-level: PML4 gfn 200, PDP 201; PDPE 1 → PD 202 with PDE 0 → PT 203, PDE 1 → 2 MiB page, PDE 2 IPS → PT 205.
        p.write64(GuestPhysicalAddress(200 << 12), 201 << 12 | 1)
        p.write64(GuestPhysicalAddress(201 << 12 | 8), 202 << 12 | 1)
        p.write64(GuestPhysicalAddress(202 << 12), 203 << 12 | 1)
        p.write64(GuestPhysicalAddress(203 << 12 | 5 * 8), 210 << 12 | 1)
        p.write64(GuestPhysicalAddress(202 << 12 | 8), 0x4020_0000 | PPGTTEntry.pageSizeBit | 1)
        p.write64(GuestPhysicalAddress(202 << 12 | 16), 205 << 12 | PPGTTEntry.ipsBit | 1)
        p.write64(GuestPhysicalAddress(205 << 12 | 16 * 8), 0x5000_0000 | 1)
        let root = GuestPPGTTRoot.fourLevel(pml4: GuestPhysicalAddress(200 << 12))
        let base: UInt64 = 1 << 30
        #expect(p.mediator.guestPPGTTTranslate(v, root: root, GraphicsAddress(base | 5 << 12 | 0x24)) == GuestPhysicalAddress(210 << 12 | 0x24))
        #expect(p.mediator.guestPPGTTTranslate(v, root: root, GraphicsAddress(base | 1 << 21 | 0x1_2345)) == GuestPhysicalAddress(0x4021_2345))
        #expect(p.mediator.guestPPGTTTranslate(v, root: root, GraphicsAddress(base | 2 << 21 | 0x1_2345)) == GuestPhysicalAddress(0x5000_2345))
        #expect(p.mediator.guestPPGTTTranslate(v, root: root, GraphicsAddress(base | 6 << 12)) == nil)  // PTE not present
        #expect(p.mediator.guestPPGTTTranslate(v, root: root, GraphicsAddress(1 << 48)) == nil)
        // 3-level: PDP 2 → PD 202 (same tables below).
        let legacy = GuestPPGTTRoot.threeLevel(pdps: [0, 0, GuestPhysicalAddress(202 << 12), 0])
        #expect(p.mediator.guestPPGTTTranslate(v, root: legacy, GraphicsAddress(2 << 30 | 5 << 12)) == GuestPhysicalAddress(210 << 12))
        #expect(p.mediator.guestPPGTTTranslate(v, root: legacy, GraphicsAddress(5 << 12)) == nil)
    }
}
