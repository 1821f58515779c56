import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The fourth 2019 isolation hole, `intel_gvt_ggtt_validate_range` accepting a range whose
/// first byte lies in the vGPU's aperture slice and last byte in its hidden slice, played
/// end to end through the real submission path (ELSP → workload → scan → shadow → GPU).
///
/// Finding (why no foreign write is asserted): every range GVT validates that way is either
/// a GGTT command operand, at most 4088 bytes (MI_STORE_DATA_IMM with a 10-bit length; the
/// others 4 to 32 bytes), or a buffer the mediator copies page by page through the guest's
/// own GGTT (ring, batches, context). Slices are page-granular, so a range whose two ends
/// are the attacker's and which covers foreign memory spans a whole foreign page plus both
/// ends: more than 4 KiB, beyond every operand. And the guest GGTT has no entries outside
/// the vGPU's slices (writes there are dropped, GVT `emulate_ggtt_mmio_write`), so a copy
/// through it stops at the first foreign page. The tests show both halves: the gvt-2018
/// check passes where `current` rejects, and shadowing still keeps the access inside.
@Suite struct StraddlingRangeAttackTests {
    static let apertureSize = GPUConfiguration.apolloLake.apertureSize
    static let victimType = VGPUType(name: "victim", lowGMSize: 4 << 20, highGMSize: 1 << 20, fences: 2, weight: 2,
                                     width: 1024, height: 768)
    static let attackerType = VGPUType(name: "attacker", lowGMSize: 4 << 20, highGMSize: 4 << 20, fences: 2, weight: 2,
                                       width: 1024, height: 768)

    /// Victim first, attacker second, host high GM empty: the attacker's aperture slice
    /// ends at the top of the aperture and its hidden slice starts right after the victim's
    /// 1 MiB hidden slice, so [attacker aperture end − 4 KiB, attacker hidden start + 4 KiB)
    /// has both ends in the attacker's slices and the victim's whole hidden slice between.
    struct Stage {
        let fixture: MediatorFixture
        let attacker: TestGuest
        let victim: TestGuest
        let oracle = IsolationOracle()
        /// The victim's hidden-slice page holding a sentinel, and its frame.
        let victimPage: GraphicsAddress
        let victimFrame: GuestFrameNumber
        static let sentinel: UInt32 = 0x5EED_CAFE

        init(_ revision: MediatorRevision) throws {
            let configuration = MediatorConfiguration(
                revision: revision,
                hostLowGMSize: StraddlingRangeAttackTests.apertureSize - victimType.lowGMSize - attackerType.lowGMSize,
                hostHighGMSize: 0)
            fixture = MediatorFixture(configuration: configuration)
            victim = try TestGuest(fixture, type: victimType)
            attacker = try TestGuest(fixture, type: attackerType)
            attacker.createPPGTT()
            _ = attacker.enableEngine(.rcs)
            let hidden = fixture.mediator.vgpu(victim.id)!.slices.hidden
            victimPage = GraphicsAddress(hidden.lowerBound)
            victimFrame = victim.allocateFrame()
            victim.mmioWrite(BARLayout.ggttOffset + victimPage.pageNumber * 8, victimFrame.rawValue << 12 | 1, size: 8)
            victim.write(GuestPhysicalAddress(frame: victimFrame), [Self.sentinel, Self.sentinel])
            oracle.attach(to: fixture.gpu, mediator: fixture.mediator, ownership: fixture.hypervisor)
        }

        var attackerSlices: GraphicsMemorySlices { fixture.mediator.vgpu(attacker.id)!.slices }

        /// Maps a fresh attacker frame at `gma` through its trapped GGTT window.
        func mapAttacker(_ gma: GraphicsAddress) -> GuestFrameNumber {
            let frame = attacker.allocateFrame()
            attacker.mmioWrite(BARLayout.ggttOffset + gma.pageNumber * 8, frame.rawValue << 12 | 1, size: 8)
            return frame
        }

        /// Submits a context whose ring is [start, start + size) with HEAD..TAIL as given.
        func submit(ringStart: GraphicsAddress, ringSize: UInt32, head: UInt32, tail: UInt32) {
            let lrca = attacker.mapGGTT(pages: ContextImage.pageCount(for: .rcs))
            let state = ContextImage.initialStatePage(engine: .rcs, ringStart: ringStart, ringSize: ringSize, head: head,
                                                      tail: tail, pdps: [attacker.pml4.rawValue << 12, 0, 0, 0])
            attacker.writeGGTT(lrca.advanced(by: 4096), state)
            let descriptor = ContextDescriptor(lrca: lrca, contextID: 7, addressingMode: .legacy64, privileged: true)
            let submission = ExeclistSubmission(element0: descriptor, element1: ContextDescriptor(rawValue: 0))
            let elsp = UInt64(MMIOOffset.ring(.elsp, .rcs).rawValue)
            for dword in submission.elspDwords { attacker.mmioWrite(elsp, UInt64(dword)) }
            fixture.runHost()
        }

        var victimWords: [UInt32] {
            [victim.read32(GuestPhysicalAddress(frame: victimFrame)),
             victim.read32(GuestPhysicalAddress(frame: victimFrame, offset: 4))]
        }

        func findings() -> [IsolationFinding] {
            oracle.takeEngineFindings()
                + oracle.checkMappings(mediator: fixture.mediator, gpu: fixture.gpu, ownership: fixture.hypervisor)
        }

        var created: Bool {
            fixture.log.events.contains {
                if case .workloadCreated(let id, _, _, _, _, _, _, _) = $0 { return id == attacker.id }
                return false
            }
        }

        /// What the oracle says after each of the attacker's workload creations (replay runs
        /// it after every event).
        var acceptedRangeFindings: [IsolationFinding] {
            fixture.log.events.flatMap { event -> [IsolationFinding] in
                guard case .workloadCreated(let id, _, _, _, _, _, _, _) = event, id == attacker.id else { return [] }
                return oracle.check(after: event, mediator: fixture.mediator, gpu: fixture.gpu, ownership: fixture.hypervisor)
                    .filter { $0.kind == .acceptedRange }
            }
        }

        var rejections: [String] {
            fixture.log.events.compactMap {
                if case .workloadRejected(let id, _, _, let reason) = $0, id == attacker.id { return reason }
                return nil
            }
        }

        var scanFailures: [AuditFailure] {
            fixture.log.events.compactMap {
                if case .workloadScanFailed(let id, let failure) = $0, id == attacker.id { return failure }
                return nil
            }
        }
    }

    /// A ring from the attacker's last aperture page to its first hidden page, HEAD in the
    /// first page and TAIL in the last, so the commands to copy run across the victim's slice.
    func straddlingRing(_ revision: MediatorRevision) throws -> Stage {
        let stage = try Stage(revision)
        let slices = stage.attackerSlices
        try #require(slices.aperture.upperBound == Self.apertureSize)
        try #require(slices.hidden.lowerBound == Self.apertureSize + Self.victimType.highGMSize)
        let start = GraphicsAddress(slices.aperture.upperBound - 4096)
        let size = UInt32(slices.hidden.lowerBound + 4096 - start.rawValue)
        let first = stage.mapAttacker(start)
        _ = stage.mapAttacker(GraphicsAddress(slices.hidden.lowerBound))
        // MI_NOOPs from HEAD to the end of the first page (guest memory is zeroed).
        stage.attacker.write(GuestPhysicalAddress(frame: first, offset: 0xF00), [UInt32](repeating: 0, count: 64))
        stage.submit(ringStart: start, ringSize: size, head: 0xF00, tail: size - 0xF00)
        return stage
    }

    @Test func aStraddlingRingPassesTheGVT2018CheckButItsCopyStopsAtTheVictimsPage() throws {
        let stage = try straddlingRing(.gvt2018)
        // The range check passed: the workload exists.
        #expect(stage.created)
        #expect(stage.rejections.isEmpty)
        // Copying HEAD..TAIL through the attacker's own GGTT fails on the first foreign page.
        let failure = try #require(stage.scanFailures.first)
        #expect(failure.reason == .unmappedGuestMemory)
        #expect(failure.address == GraphicsAddress(Self.apertureSize))
        #expect(stage.victimWords == [Stage.sentinel, Stage.sentinel])
        #expect(stage.findings().isEmpty)
        // The oracle catches the acceptance itself: the range reaches the victim's slice.
        let accepted = stage.acceptedRangeFindings
        #expect(accepted.count == 1)
        #expect(accepted.first?.responsible == stage.attacker.id)
        #expect(accepted.first?.victim == .vgpu(stage.victim.id))
        #expect(accepted.first?.address == GraphicsAddress(Self.apertureSize))
    }

    @Test func aStraddlingRingIsRejectedAtWorkloadCreationUnderCurrent() throws {
        let stage = try straddlingRing(.current)
        #expect(!stage.created)
        #expect(stage.rejections.count == 1)
        #expect(stage.rejections.first?.contains("ring buffer") == true)
        #expect(stage.scanFailures.isEmpty)
        #expect(stage.victimWords == [Stage.sentinel, Stage.sentinel])
        #expect(stage.findings().isEmpty)
        #expect(stage.acceptedRangeFindings.isEmpty)
    }

    /// The widest GGTT operand the parser audits, an 8-byte MI_STORE_DATA_IMM, from the last
    /// dword of the aperture slice into the next page, which is the victim's aperture slice:
    /// the gvt-2018 check needs the last byte in the attacker's slices too, so it is refused
    /// under both revisions and the victim keeps its memory.
    @Test func aStoreRunningOffTheApertureSliceIsRefusedUnderBothRevisions() throws {
        for revision in MediatorRevision.allCases {
            let fixture = MediatorFixture(configuration: MediatorConfiguration(revision: revision))
            let attacker = try TestGuest(fixture)
            let victim = try TestGuest(fixture)
            attacker.createPPGTT()
            _ = attacker.enableEngine(.rcs)
            let aperture = fixture.mediator.vgpu(attacker.id)!.slices.aperture
            let victimAperture = fixture.mediator.vgpu(victim.id)!.slices.aperture
            try #require(victimAperture.lowerBound == aperture.upperBound)
            let victimPage = victim.mapGGTT(pages: 1)
            #expect(victimPage.rawValue == victimAperture.lowerBound)
            victim.writeGGTT(victimPage, [0x1111_1111])
            let oracle = IsolationOracle()
            oracle.attach(to: fixture.gpu, mediator: fixture.mediator, ownership: fixture.hypervisor)
            var context = attacker.makeContext(.rcs)
            let lastPage = GraphicsAddress(aperture.upperBound - 4096)
            let frame = attacker.allocateFrame()
            attacker.mmioWrite(BARLayout.ggttOffset + lastPage.pageNumber * 8, frame.rawValue << 12 | 1, size: 8)
            attacker.emit(CommandEncoder.storeDataImmediate64(GraphicsAddress(aperture.upperBound - 4), 0xBAD0_0000_0BAD,
                                                              ggtt: true), to: &context)
            attacker.submit(context)
            fixture.runHost()
            #expect(victim.readGGTT(victimPage) == 0x1111_1111, "\(revision)")
            #expect(oracle.takeEngineFindings().isEmpty, "\(revision)")
            let failures = fixture.log.events.compactMap { event -> AuditFailure? in
                if case .workloadScanFailed(_, let failure) = event { return failure }
                return nil
            }
            #expect(failures.map(\.reason) == [.addressOutOfRange], "\(revision)")
        }
    }
}
