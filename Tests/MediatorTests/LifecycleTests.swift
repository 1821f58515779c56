import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// vGPU create/destroy, types and resource exhaustion.
@Suite struct LifecycleTests {
    @Test func createsUpToSevenSmallVGPUsAndThenRefuses() throws {
        // 1 GiB aperture: 128 MiB host + 7 × 64 MiB fits; hidden 3 GiB: 384 + 7 × 384 = 3072 MiB fits.
        let f = MediatorFixture()
        let ids = try (0..<7).map { _ in try f.mediator.createVGPU(type: .v5_8) }
        #expect(ids == (1...7).map { VGPUID($0) })
        #expect(throws: MediatorError.tooManyVGPUs(limit: 7)) { try f.mediator.createVGPU(type: .v5_8) }
    }

    @Test func slicesAreDisjointAndAboveTheHostReservation() throws {
        let f = MediatorFixture()
        let a = try f.mediator.createVGPU(type: .v5_4)
        let b = try f.mediator.createVGPU(type: .v5_8)
        let sa = f.mediator.vgpu(a)!.slices
        let sb = f.mediator.vgpu(b)!.slices
        #expect(sa.aperture.lowerBound == 128 << 20)
        #expect(sa.hidden.lowerBound == (1 << 30) + (384 << 20))
        #expect(!sa.aperture.overlaps(sb.aperture) && !sa.hidden.overlaps(sb.hidden))
        #expect(sa.aperture.count == 128 << 20 && sb.hidden.count == 384 << 20)
        #expect(Set(f.mediator.vgpu(a)!.hostFences).isDisjoint(with: f.mediator.vgpu(b)!.hostFences))
        #expect(f.mediator.vgpu(a)!.hostFences.allSatisfy { $0 >= 4 })
    }

    @Test func creationBeyondResourcesFailsWithAClearError() throws {
        let f = MediatorFixture()
        _ = try f.mediator.createVGPU(type: .v5_1)  // 512 MiB of the 896 MiB left
        do {
            _ = try f.mediator.createVGPU(type: .v5_1)
            Issue.record("a second V5_1 cannot fit")
        } catch {
            #expect(error == .insufficientResources(type: "GVTg_V5_1", resource: "aperture", requested: 512 << 20,
                                                    available: 384 << 20))
            #expect(error.description.contains("needs 536870912 of aperture but only 402653184 is left"))
        }
    }

    @Test func destroyFreesResourcesForReuse() throws {
        let f = MediatorFixture()
        let a = try f.mediator.createVGPU(type: .v5_1)
        let before = f.mediator.resources.availableInstances(of: .v5_1)
        try f.mediator.destroyVGPU(a)
        #expect(f.mediator.vgpu(a) == nil)
        #expect(f.mediator.resources.availableInstances(of: .v5_1) == before + 1)
        let again = try f.mediator.createVGPU(type: .v5_1)
        #expect(again == a)
        #expect(throws: MediatorError.noSuchVGPU(5)) { try f.mediator.destroyVGPU(5) }
    }

    @Test func availableInstancesFollowGVTsFormula() {
        let allocator = ResourceAllocator(configuration: MediatorConfiguration(), apertureSize: 256 << 20)
        // 256 MiB aperture: (256 − 128) / 64 = 2 × V5_8, (256 − 128) / 128 = 1 × V5_4, no V5_2.
        #expect(allocator.availableInstances(of: .v5_8) == 2)
        #expect(allocator.availableInstances(of: .v5_4) == 1)
        #expect(allocator.availableInstances(of: .v5_2) == 0)
    }

    @Test func lifecycleIsObserved() throws {
        let f = MediatorFixture()
        let id = try f.mediator.createVGPU(type: .v5_8)
        try f.mediator.resetVGPU(id, deviceModelLevel: true)
        try f.mediator.destroyVGPU(id)
        let kinds = f.log.events.filter {
            switch $0 {
            case .vgpuCreated, .vgpuReset, .vgpuDestroyed: true
            default: false
            }
        }
        #expect(kinds == [.vgpuCreated(id, type: "GVTg_V5_8"), .vgpuReset(id, deviceModelLevel: true, engines: .all),
                          .vgpuDestroyed(id)])
    }

    @Test func typesByName() {
        #expect(VGPUType.named("GVTg_V5_2") == .v5_2)
        #expect(VGPUType.named("V5_4") == .v5_4)
        #expect(VGPUType.named("8") == .v5_8)
        #expect(VGPUType.named("V4_1") == nil)
        #expect(VGPUType.gen9.map(\.weight) == [2, 4, 8, 16])
    }
}
