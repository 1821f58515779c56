import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The isolation oracle over the real submission path: two vGPUs running workloads are
/// clean; each kind of hand-made violation is found, with its fields filled.
@Suite struct IsolationOracleTests {
    /// Two guests, each with a 4-level PPGTT, a data page at 4 MiB and BCS enabled.
    struct TwoGuests {
        let fixture = MediatorFixture()
        let a: TestGuest
        let b: TestGuest
        let oracle = IsolationOracle()
        let dataA: GuestFrameNumber
        let dataB: GuestFrameNumber
        static let data: GraphicsAddress = 0x40_0000

        init() throws {
            a = try TestGuest(fixture)
            b = try TestGuest(fixture, type: .v5_8)
            for guest in [a, b] {
                guest.createPPGTT()
                _ = guest.enableEngine(.bcs)
                _ = guest.enableEngine(.rcs)
            }
            dataA = a.mapPPGTT(Self.data)
            dataB = b.mapPPGTT(Self.data)
            oracle.attach(to: fixture.gpu, mediator: fixture.mediator, ownership: fixture.hypervisor)
        }

        var gpu: GPU { fixture.gpu }
        var mediator: Mediator { fixture.mediator }

        func checkMappings() -> [IsolationFinding] {
            oracle.checkMappings(mediator: mediator, gpu: gpu, ownership: fixture.hypervisor)
        }

        /// The host root of `guest`'s (only) shadow PPGTT.
        func shadowRoot(_ guest: TestGuest) -> PPGTTRoot {
            let vgpu = mediator.vgpu(guest.id)!
            let mm = vgpu.ppgtt.mms.compactMap { $0 }.first { $0.shadowed }!
            return .fourLevel(pml4: PhysicalAddress(mediator.shadowRootPointers(vgpu, mm)[0]))
        }

        /// Runs one workload per guest on `engine` and lets the host finish them.
        func runWorkloads(_ engine: EngineID, _ commandsA: [UInt32], _ commandsB: [UInt32]) {
            var ca = a.makeContext(engine)
            var cb = b.makeContext(engine)
            a.emit(commandsA, to: &ca)
            b.emit(commandsB, to: &cb)
            a.submit(ca)
            b.submit(cb)
            fixture.runHost()
        }

        func completedCleanly() -> Int {
            fixture.log.events.filter { if case .workloadCompleted(_, _, _, nil) = $0 { true } else { false } }.count
        }
    }

    // MARK: Clean

    @Test func twoVGPUsRunningWorkloadsAreClean() throws {
        let s = try TwoGuests()
        s.runWorkloads(.bcs, CommandEncoder.storeDataImmediate(TwoGuests.data, 1)
                           + CommandEncoder.colorBlit(TwoGuests.data.advanced(by: 0x100), pitch: 64, x1: 0, y1: 0, x2: 4, y2: 2, color: 7),
                       CommandEncoder.storeDataImmediate(TwoGuests.data, 2))
        s.runWorkloads(.rcs, CommandEncoder.pipeControl(store: 5, at: TwoGuests.data.advanced(by: 8)),
                       CommandEncoder.storeDataImmediate(TwoGuests.data.advanced(by: 8), 6))
        #expect(s.completedCleanly() == 4)
        #expect(s.a.read32(GuestPhysicalAddress(frame: s.dataA)) == 1)
        #expect(s.b.read32(GuestPhysicalAddress(frame: s.dataB)) == 2)
        #expect(s.oracle.takeEngineFindings() == [])
        #expect(s.oracle.engineAccessesChecked >= 5)  // stores, blit rows, post-sync write
        #expect(s.checkMappings() == [])
        // The check looked at real mappings: both guests' GGTT pages, their shadow tables.
        let stats = s.oracle.lastStatistics
        #expect(stats.ggttEntries == GGTT.entryCount)
        #expect(stats.presentGGTTEntries >= 20)
        #expect(stats.shadowTables >= 8)  // PML4, PDP, PD, PT per guest (plus scratch tables)
        #expect(stats.shadowEntries >= 8)
    }

    @Test func aWorkloadInFlightIsCleanToo() throws {
        let s = try TwoGuests()
        var ca = s.a.makeContext(.rcs)
        s.a.emit(CommandEncoder.storeDataImmediate(TwoGuests.data, 1), to: &ca)
        s.a.submit(ca)
        #expect(s.mediator.currentWorkloads[EngineID.rcs.index]?.vgpu == s.a.id)
        #expect(s.checkMappings() == [])
        s.fixture.runHost()
        #expect(s.oracle.takeEngineFindings() == [])
    }

    // MARK: GGTT

    @Test func aHostGGTTEntryMappingTheOtherVGPUsFrameIsFound() throws {
        let s = try TwoGuests()
        let gma = s.a.mapGGTT(pages: 1)
        let index = Int(gma.pageNumber)
        let foreign = s.fixture.hypervisor.backing(s.b.id, s.dataB)!
        #expect(s.checkMappings() == [])
        s.gpu.ggtt[index] = GGTTEntry(frame: foreign)
        let findings = s.checkMappings()
        #expect(findings == [IsolationFinding(
            kind: .ggttMapping, responsible: s.a.id, victim: .vgpu(s.b.id), owner: .guest(s.b.id), address: gma,
            frame: foreign, detail: findings.first?.detail ?? "")])
        #expect(findings.first?.detail.contains("slice") == true)
    }

    @Test func aHostRangeEntryMappingAGuestFrameIsFound() throws {
        let s = try TwoGuests()
        let frame = s.fixture.hypervisor.backing(s.a.id, s.dataA)!
        let hostIndex = 16  // inside the host's low GM reservation
        s.gpu.ggtt[hostIndex] = GGTTEntry(frame: frame)
        let findings = s.checkMappings()
        #expect(findings.count == 1)
        #expect(findings.first?.kind == .ggttMapping)
        #expect(findings.first?.responsible == nil)
        #expect(findings.first?.victim == .host)
        #expect(findings.first?.owner == .guest(s.a.id))
        #expect(findings.first?.address == GraphicsAddress(UInt64(hostIndex) << 12))
        // The per-event check of that entry finds it too.
        let perEvent = s.oracle.check(after: .ggttWrite(s.a.id, index: hostIndex, guest: 0, host: 0), mediator: s.mediator,
                                      gpu: s.gpu, ownership: s.fixture.hypervisor)
        #expect(perEvent == findings)
    }

    @Test func aSliceEntryMappingAFreeOrHostFrameIsFound() throws {
        let s = try TwoGuests()
        let slice = s.mediator.vgpu(s.b.id)!.slices
        let index = Int(slice.hidden.lowerBound >> 12) + 3
        let hostFrame = s.gpu.memory.allocateFrame()!
        s.gpu.ggtt[index] = GGTTEntry(frame: hostFrame)
        s.gpu.ggtt[index + 1] = GGTTEntry(frame: PageFrameNumber(s.gpu.memory.frameCount - 1))  // never allocated
        let findings = s.checkMappings()
        #expect(findings.map(\.owner) == [.host, .free])
        #expect(findings.allSatisfy { $0.responsible == s.b.id && $0.victim == .host && $0.kind == .ggttMapping })
    }

    @Test func aScratchPageThatIsAGuestFrameIsFound() throws {
        let s = try TwoGuests()
        let foreign = s.fixture.hypervisor.backing(s.b.id, s.dataB)!
        s.mediator.vgpu(s.a.id)!.ggtt.scratchFrame = foreign
        let findings = s.checkMappings()
        #expect(findings.count == 1)
        #expect(findings.first?.responsible == s.a.id && findings.first?.victim == .vgpu(s.b.id))
        #expect(findings.first?.detail.contains("scratch page") == true)
    }

    @Test func replayRunsTheFullCheckWhenAWorkloadIsDispatched() throws {
        let s = try TwoGuests()
        let gma = s.a.mapGGTT(pages: 1)
        s.gpu.ggtt[Int(gma.pageNumber)] = GGTTEntry(frame: s.fixture.hypervisor.backing(s.b.id, s.dataB)!)
        let ownership = s.fixture.hypervisor
        // An unrelated event checks nothing; a dispatch checks everything.
        #expect(s.oracle.check(after: .clock(.zero), mediator: s.mediator, gpu: s.gpu, ownership: ownership) == [])
        let dispatched = MediatorEvent.workloadDispatched(s.a.id, .rcs, id: 1, host: ContextDescriptor(rawValue: 0))
        let findings = s.oracle.check(after: dispatched, mediator: s.mediator, gpu: s.gpu, ownership: ownership)
        #expect(findings.map(\.kind) == [.ggttMapping])
        #expect(findings.first?.address == gma)
    }

    @Test func overlappingSlicesAreFound() throws {
        let s = try TwoGuests()
        // Forge b's slices onto a's aperture (test-only: a broken allocator).
        let va = s.mediator.vgpu(s.a.id)!
        let vb = s.mediator.vgpu(s.b.id)!
        let forged = VGPU(id: vb.id, type: vb.type, slices: GraphicsMemorySlices(aperture: va.slices.aperture, hidden: vb.slices.hidden),
                          hostFences: vb.hostFences, config: vb.config)
        s.mediator.vgpus[vb.id.rawValue] = forged
        let findings = s.oracle.checkGGTTMappings(mediator: s.mediator, gpu: s.gpu, ownership: s.fixture.hypervisor)
        #expect(findings.contains { $0.kind == .ggttMapping && $0.detail.contains("overlap") && $0.victim == .vgpu(s.a.id) })
    }

    // MARK: PPGTT

    @Test func aCorruptedShadowLeafIsFound() throws {
        let s = try TwoGuests()
        let walk = PPGTT.walk(TwoGuests.data, root: s.shadowRoot(s.a), memory: s.gpu.memory)
        #expect(try walk.result.get().frame == s.fixture.hypervisor.backing(s.a.id, s.dataA))
        let leaf = walk.steps.last!
        #expect(leaf.level == 1)
        let foreign = s.fixture.hypervisor.backing(s.b.id, s.dataB)!
        s.gpu.memory.write64(leaf.tableAddress!.advanced(by: UInt64(leaf.index) * 8), foreign.rawValue << 12 | 3)
        let findings = s.checkMappings()
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.kind == .ppgttMapping)
        #expect(finding.responsible == s.a.id && finding.victim == .vgpu(s.b.id) && finding.owner == .guest(s.b.id))
        #expect(finding.address == TwoGuests.data && finding.frame == foreign)
        // The per-event cheap check of that write catches it as well.
        let perEvent = s.oracle.check(after: .shadowPPGTTWrite(s.a.id, table: leaf.tableAddress!, index: leaf.index, guest: 0,
                                                               shadow: foreign.rawValue << 12 | 3),
                                      mediator: s.mediator, gpu: s.gpu, ownership: s.fixture.hypervisor)
        #expect(perEvent.map(\.kind) == [.ppgttMapping])
        #expect(perEvent.first?.victim == .vgpu(s.b.id))
    }

    @Test func aShadowTablePointerIntoGuestMemoryIsFound() throws {
        let s = try TwoGuests()
        let walk = PPGTT.walk(TwoGuests.data, root: s.shadowRoot(s.a), memory: s.gpu.memory)
        let pde = walk.steps[2]  // PML4, PDP, PD, PT
        #expect(pde.level == 2)
        // The PD entry now points at a page of a's own RAM: a could rewrite its mappings.
        let own = s.fixture.hypervisor.backing(s.a.id, s.a.allocateFrame())!
        s.gpu.memory.write64(pde.tableAddress!.advanced(by: UInt64(pde.index) * 8), own.rawValue << 12 | 3)
        let findings = s.checkMappings()
        #expect(findings.count == 1)
        #expect(findings.first?.kind == .ppgttMapping)
        #expect(findings.first?.owner == .guest(s.a.id) && findings.first?.victim == .vgpu(s.a.id))
        #expect(findings.first?.detail.contains("table pointer") == true)
    }

    @Test func aLargeLeafIsCheckedFrameByFrame() throws {
        let s = try TwoGuests()
        let walk = PPGTT.walk(TwoGuests.data, root: s.shadowRoot(s.a), memory: s.gpu.memory)
        let pde = walk.steps[2]
        // A 2 MiB page over the 2 MiB-aligned run holding a's first frame: a's RAM starts
        // above the reserved low megabyte, so the run also holds frames a does not own.
        let base = s.fixture.hypervisor.backing(s.a.id, 0)!.rawValue & ~511
        s.gpu.memory.write64(pde.tableAddress!.advanced(by: UInt64(pde.index) * 8), base << 12 | 1 << 7 | 3)
        let findings = s.checkMappings()
        #expect(findings.count == 1)
        #expect(findings.first?.detail.contains("2 MiB leaf") == true)
        #expect(findings.first?.address == GraphicsAddress(TwoGuests.data.rawValue & ~0x1F_FFFF))
    }

    @Test func sharedShadowTablesAreFound() throws {
        let s = try TwoGuests()
        // b's PML4 entry 0 is redirected to a's shadow PDP.
        let walkA = PPGTT.walk(TwoGuests.data, root: s.shadowRoot(s.a), memory: s.gpu.memory)
        let walkB = PPGTT.walk(TwoGuests.data, root: s.shadowRoot(s.b), memory: s.gpu.memory)
        let pml4eB = walkB.steps[0]
        s.gpu.memory.write64(pml4eB.tableAddress!.advanced(by: UInt64(pml4eB.index) * 8), walkA.steps[0].entry.rawValue)
        let findings = s.checkMappings()
        #expect(findings.contains { $0.responsible == s.b.id && $0.victim == .vgpu(s.a.id) && $0.detail.contains("also reached") })
    }
}
