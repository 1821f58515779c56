import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Two vGPUs of different weights sharing the blitter through the real submission path and
/// scheduler for thousands of workloads: the isolation oracle stays clean and the time-based
/// scheduler's shares follow the weights (V5_4 weight 4 : V5_8 weight 2).
@Suite struct TwoVGPUStressTests {
    @Test func sharesFollowWeightsAndIsolationHolds() throws {
        let fixture = MediatorFixture()
        fixture.mediator.observer = nil  // thousands of workloads: keep the log out of it
        let heavy = try TestGuest(fixture, type: .v5_4)
        let light = try TestGuest(fixture, type: .v5_8)
        let oracle = IsolationOracle()
        oracle.attach(to: fixture.gpu, mediator: fixture.mediator, ownership: fixture.hypervisor)
        var contexts: [TestGuest.Context] = []
        var targets: [GuestFrameNumber] = []
        for guest in [heavy, light] {
            guest.createPPGTT()
            _ = guest.enableEngine(.bcs)
            targets.append(guest.mapPPGTT(0x40_0000))
            contexts.append(guest.makeContext(.bcs))
        }
        var submitted = [0, 0]
        var owned = [0, 0]
        // 3 s of scheduler time (30 balance periods) after the 2 s start-up window.
        for tick in 0..<5_000 {
            for _ in 0..<4 {
                for (k, guest) in [heavy, light].enumerated() {
                    let vgpu = fixture.mediator.vgpu(guest.id)!
                    guard vgpu.workloadQueues[EngineID.bcs.index].isEmpty else { continue }
                    submitted[k] += 1
                    guest.emit(CommandEncoder.storeDataImmediate(0x40_0000, UInt32(submitted[k])), to: &contexts[k])
                    guest.submit(contexts[k])
                }
                fixture.runHost()
            }
            if fixture.mediator.scheduler.currentVGPU == heavy.id { owned[0] += 1 }
            if fixture.mediator.scheduler.currentVGPU == light.id { owned[1] += 1 }
            fixture.clock.advance(by: 1_000_000)
            fixture.mediator.schedulerTimerFired()
            if tick == 2_000 { submitted = [0, 0]; owned = [0, 0] }  // measure after the start-up priority window
        }
        // Thousands of workloads ran, both vGPUs made progress.
        #expect(submitted[0] + submitted[1] > 2_000 && submitted[1] > 500)
        // GPU time (1 ms ticks owned) follows the weights 4:2 within a few percent.
        let heavyShare = Double(owned[0]) / Double(owned[0] + owned[1])
        #expect(abs(heavyShare - 2.0 / 3.0) < 0.03, "heavy vGPU time share \(heavyShare), ticks owned \(owned)")
        #expect(oracle.takeEngineFindings().isEmpty)
        #expect(oracle.checkMappings(mediator: fixture.mediator, gpu: fixture.gpu, ownership: fixture.hypervisor).isEmpty)
        // Each guest's last store landed in its own page only.
        #expect(heavy.read32(GuestPhysicalAddress(frame: targets[0])) != 0)
        #expect(light.read32(GuestPhysicalAddress(frame: targets[1])) != 0)
    }
}
