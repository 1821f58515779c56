import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Shadow PPGTT construction and trapped guest page-table writes, checked through the GPU
/// model's own PPGTT walker over the shadow root.
@Suite struct PPGTTShadowTests {
    struct Setup {
        let f = MediatorFixture()
        let id: VGPUID
        let v: VGPU
        let pt: GuestPageTables
        init(guestPages: Int = 1024) throws {
            id = try f.makeVGPU(.v5_4, guestPages: guestPages)
            v = f.mediator.vgpu(id)!
            pt = GuestPageTables(f, vgpu: id)
        }
        var m: Mediator { f.mediator }
        func backing(_ gfn: UInt64) -> PhysicalAddress { f.hypervisor.backing(id, GuestFrameNumber(gfn))!.address }
        func translate(_ h: ShadowPPGTTHandle, _ gma: UInt64) -> PhysicalAddress? {
            try? PPGTT.translate(GraphicsAddress(gma), root: m.shadowRoot(h), memory: f.gpu.memory).get()
        }
        var scratchPage: PhysicalAddress? { v.ppgtt.scratch[0]?.address }
        func tracked(_ gfn: GuestFrameNumber) -> Bool { f.hypervisor.isTracked(id, gfn) }
        func root(_ pml4: GuestFrameNumber) -> GuestPPGTTRoot { .fourLevel(pml4: pml4.address) }
        var refusals: [String] {
            f.log.events.compactMap { if case let .shadowPPGTTRefused(_, _, _, _, reason) = $0 { reason } else { nil } }
        }
        func checkInvariants(sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(m.checkGTTInvariants(v) == [], sourceLocation: sourceLocation)
            #expect(Set(v.ppgtt.trackedGuestFrames) == (f.hypervisor.tracked[id] ?? []), sourceLocation: sourceLocation)
        }
    }

    static func entry(_ gfn: UInt64, _ flags: UInt64 = 0) -> UInt64 { GuestPageTables.entry(GuestFrameNumber(gfn), flags) }

    @Test func buildsAFourLevelShadowWith4K64KAnd2MPages() throws {
        let s = try Setup()
        let pml4 = s.pt.allocate()
        s.pt.map4K(0x1000, to: 200, pml4: pml4)
        let pd = s.pt.walkOrCreate(0x20_0000, pml4: pml4, downTo: 2)
        let ipsPT = s.pt.allocate()
        s.pt.set(pd, 1, Self.entry(ipsPT.rawValue, PPGTTEntry.ipsBit))
        s.pt.set(ipsPT, 0, Self.entry(208))
        s.pt.set(ipsPT, 16, Self.entry(224))
        s.pt.set(ipsPT, 3, Self.entry(300))  // an unused slot of a 64K table: ignored
        s.pt.set(pd, 2, Self.entry(512, PPGTTEntry.pageSizeBit))

        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        #expect(s.translate(h, 0x1234) == s.backing(200).advanced(by: 0x234))
        #expect(s.translate(h, 0x20_5678) == s.backing(213).advanced(by: 0x678))
        #expect(s.translate(h, 0x21_0010) == s.backing(224).advanced(by: 0x10))
        #expect(s.translate(h, 0x20_3008) == s.backing(211).advanced(by: 8))
        #expect(s.translate(h, 0x40_3008) == s.backing(515).advanced(by: 8))
        #expect(s.translate(h, 0x5F_F000) == s.backing(1023))
        #expect(s.translate(h, 0x60_0000) == nil)  // PD entry 3: not present
        // The 64K table is shadowed as a 4K table: IPS cleared, 4 KiB pages, split marker set.
        let walk = PPGTT.walk(0x20_5678, root: s.m.shadowRoot(h), memory: s.f.gpu.memory)
        #expect(walk.pageSize == 4096)
        #expect(walk.steps.first { $0.level == 2 }?.entry.isIPS == false)
        #expect((walk.steps.last?.entry.rawValue ?? 0) & split64KBit != 0)
        // The 2M page is a split 4K table: no PS in the shadow PDE.
        let walk2M = PPGTT.walk(0x40_0000, root: s.m.shadowRoot(h), memory: s.f.gpu.memory)
        #expect(walk2M.steps.first { $0.level == 2 }?.entry.isLargePage == false)
        #expect(walk2M.pageSize == 4096)

        for frame in [pml4, pd, ipsPT, s.pt.walkOrCreate(0x1000, pml4: pml4, downTo: 1)] { #expect(s.tracked(frame)) }
        for gfn: GuestFrameNumber in [200, 208, 512] { #expect(!s.tracked(gfn)) }
        #expect(s.v.ppgtt.tableCount == 6)  // PML4, PDP, PD, PT, 64K PT, split 2M
        #expect(s.f.log.events.contains { if case .shadowPPGTTCreated = $0 { true } else { false } })
        s.checkInvariants()
    }

    @Test func oneGiBPagesAreRefused() throws {
        let s = try Setup()
        let pml4 = s.pt.allocate()
        s.pt.map4K(0x1000, to: 200, pml4: pml4)
        let pdp = s.pt.walkOrCreate(0, pml4: pml4, downTo: 3)
        s.pt.set(pdp, 1, Self.entry(0, PPGTTEntry.pageSizeBit))
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        #expect(s.translate(h, 0x1000) == s.backing(200))
        let result = PPGTT.translate(GraphicsAddress(1 << 30 | 0x1000), root: s.m.shadowRoot(h), memory: s.f.gpu.memory)
        #expect(throws: GPUFault.self) { try result.get() }
        #expect(s.refusals == ["1 GiB page: not supported"])
        // Rewriting it as a 1 GiB page through a trapped write is refused the same way.
        s.pt.trappedSet(pdp, 2, Self.entry(0, PPGTTEntry.pageSizeBit))
        #expect(s.refusals.count == 2)
        #expect(s.translate(h, 2 << 30) == nil)
        s.checkInvariants()
    }

    @Test func entriesOutsideGuestMemoryMapScratchNeverForeignFrames() throws {
        let s = try Setup(guestPages: 768)
        let other = try s.f.makeVGPU(.v5_8, guestPages: 4096)
        let foreign = s.f.hypervisor.backing(other, 2000)!.address
        let pml4 = s.pt.allocate()
        let pt = s.pt.walkOrCreate(0, pml4: pml4, downTo: 1)
        s.pt.set(pt, 0, Self.entry(2000))                 // valid for the other vGPU only
        s.pt.set(pt, 1, Self.entry(5) | 1 << 45)          // beyond the address width
        s.pt.set(pt, 2, Self.entry(0xFFF_FFFF))
        s.pt.set(pt, 3, Self.entry(7))
        let pd = s.pt.walkOrCreate(0, pml4: pml4, downTo: 2)
        s.pt.set(pd, 1, Self.entry(5000))                 // a page table outside guest memory
        s.pt.set(pd, 2, Self.entry(512, PPGTTEntry.pageSizeBit))  // 2M page half beyond guest memory
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        let scratch = try #require(s.scratchPage)
        for gma: UInt64 in [0, 0x1000, 0x2000, 0x20_0000, 0x2F_F000, 0x40_0000 + 300 * 4096] {
            #expect(s.translate(h, gma) == scratch, "gma \(hex(gma))")
            #expect(s.translate(h, gma) != foreign)
        }
        #expect(s.translate(h, 0x3000) == s.backing(7))
        #expect(s.translate(h, 0x40_0000 + 10 * 4096) == s.backing(522))
        #expect(s.refusals == ["page table outside guest memory: scratch"])
        // A root outside guest memory: a not-present shadow root.
        let bad = try #require(s.m.findOrCreatePPGTT(s.v, root: .fourLevel(pml4: GuestPhysicalAddress(frame: 9999))))
        #expect(s.m.shadowRoot(bad) == .fourLevel(pml4: 0))
        #expect(s.refusals.last == "root page table outside guest memory: not present")
        s.checkInvariants()
    }

    @Test func trappedQwordWritesUpdateTheShadowAtOnce() throws {
        let s = try Setup()
        let pml4 = s.pt.allocate()
        s.pt.map4K(0x1000, to: 200, pml4: pml4)
        let pt = s.pt.walkOrCreate(0x1000, pml4: pml4, downTo: 1)
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        s.f.log.clear()
        #expect(s.pt.trappedSet(pt, 2, Self.entry(201)))
        #expect(s.pt.read(pt, 2) == Self.entry(201))  // the mediator completed the guest's write
        #expect(s.translate(h, 0x2000) == s.backing(201))
        let writes = s.f.log.events.compactMap { e -> (Int, UInt64, UInt64)? in
            if case let .shadowPPGTTWrite(_, _, index, guest, shadow) = e { (index, guest, shadow) } else { nil }
        }
        #expect(writes.count == 1)
        #expect(writes.first?.0 == 2 && writes.first?.1 == Self.entry(201))
        #expect(writes.first.map { $0.2 & PPGTTEntry.addressMask } == s.backing(201).rawValue)
        // Retarget an existing entry, then clear it: GVT keeps it present on scratch.
        s.pt.trappedSet(pt, 1, Self.entry(202))
        #expect(s.translate(h, 0x1000) == s.backing(202))
        s.pt.trappedSet(pt, 1, 0)
        #expect(s.translate(h, 0x1000) == s.scratchPage)
        // Writes to pages nobody tracks are not ours.
        #expect(!s.f.mediator.handlePageTrackWrite(s.id, address: GuestFrameNumber(200).address, bytes: [1, 2, 3, 4]))
        #expect(!s.f.mediator.handlePageTrackWrite(s.id, address: GuestFrameNumber(99_999).address, bytes: [0]))
        s.checkInvariants()
    }

    @Test func aWriteAcrossTwoTrackedPagesUpdatesBoth() throws {
        let s = try Setup()
        let pml4 = s.pt.allocate()
        s.pt.map4K(0x1000, to: 200, pml4: pml4)
        let pdp = s.pt.walkOrCreate(0, pml4: pml4, downTo: 3)
        #expect(pdp.rawValue == pml4.rawValue + 1)
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        // PML4[511] (last qword of the PML4 page) and PDP[0] (first qword of the next page).
        let bytes = GuestPageTables.bytes(Self.entry(pdp.rawValue)) + GuestPageTables.bytes(0)
        #expect(s.f.mediator.handlePageTrackWrite(s.id, address: GuestPhysicalAddress(frame: pml4, offset: 4088), bytes: bytes))
        #expect(s.pt.read(pdp, 0) == 0)
        #expect(s.translate(h, 0x1000) == s.scratchPage)              // PDP[0] cleared: scratch
        #expect(s.translate(h, 511 << 39 | 0x1000) == s.scratchPage)  // PML4[511] → the same PDP
        #expect(s.v.ppgtt.tableCount == 2)  // the PD and PT below PDP[0] are gone
        s.checkInvariants()
    }

    @Test(arguments: [false, true])
    func halfWritesGoToScratchUntilFlushed(highFirst: Bool) throws {
        let s = try Setup()
        let pml4 = s.pt.allocate()
        s.pt.map4K(0x1000, to: 200, pml4: pml4)
        let pt = s.pt.walkOrCreate(0x1000, pml4: pml4, downTo: 1)
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        let value = Self.entry(203) | 1 << 63
        let low = UInt32(truncatingIfNeeded: value), high = UInt32(value >> 32)
        #expect(s.pt.trappedSetHalf(pt, 1, high: highFirst, highFirst ? high : low))
        #expect(s.translate(h, 0x1000) == s.scratchPage)
        s.checkInvariants()
        #expect(s.pt.trappedSetHalf(pt, 1, high: !highFirst, highFirst ? low : high))
        #expect(s.translate(h, 0x1000) == s.scratchPage)  // still pending
        #expect(s.v.ppgtt.postShadowTables.count == 1)
        s.m.flushPostShadow(s.v)
        #expect(s.translate(h, 0x1000) == s.backing(203))
        #expect((PPGTT.walk(0x1000, root: s.m.shadowRoot(h), memory: s.f.gpu.memory).steps.last?.entry.rawValue ?? 0) >> 63 == 1)
        #expect(s.v.ppgtt.postShadowTables.isEmpty)
        s.checkInvariants()
    }

    @Test func aLoneHalfIsResolvedFromGuestMemoryAtFlush() throws {
        let s = try Setup()
        let pml4 = s.pt.allocate()
        s.pt.map4K(0x1000, to: 200, pml4: pml4)
        let pd = s.pt.walkOrCreate(0x1000, pml4: pml4, downTo: 2)
        let pt = s.pt.walkOrCreate(0x1000, pml4: pml4, downTo: 1)
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        s.pt.trappedSetHalf(pt, 1, high: false, UInt32(Self.entry(204)))
        // A half-written PD entry drops its page table until the flush.
        s.pt.trappedSetHalf(pd, 0, high: true, 0)
        #expect(!s.tracked(pt))
        #expect(s.translate(h, 0x1000) == s.scratchPage)
        s.checkInvariants()
        s.m.flushPostShadow(s.v)
        #expect(s.tracked(pt))
        #expect(s.translate(h, 0x1000) == s.backing(204))
        // Odd-sized and unaligned writes are treated as partial too.
        s.f.mediator.handlePageTrackWrite(s.id, address: GuestPhysicalAddress(frame: pt, offset: 8 + 2), bytes: [0x0D])
        #expect(s.translate(h, 0x1000) == s.scratchPage)
        s.m.flushPostShadow(s.v)
        #expect(s.translate(h, 0x1000) == s.backing(0xDC))
        s.checkInvariants()
    }

    @Test func removingATableUntracksItOnceNothingSharesIt() throws {
        let s = try Setup()
        let pml4 = s.pt.allocate()
        s.pt.map4K(0x1000, to: 200, pml4: pml4)
        s.pt.map4K(0x20_1000, to: 201, pml4: pml4)
        let pd = s.pt.walkOrCreate(0, pml4: pml4, downTo: 2)
        let pt1 = s.pt.walkOrCreate(0x20_0000, pml4: pml4, downTo: 1)
        s.pt.set(pd, 2, Self.entry(pt1.rawValue))  // shared by PD entries 1 and 2
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        #expect(s.translate(h, 0x40_1000) == s.backing(201))
        let tables = s.v.ppgtt.tableCount
        let frames = s.v.ppgtt.shadowTableFrames
        s.pt.trappedSet(pd, 1, 0)
        #expect(s.tracked(pt1) && s.v.ppgtt.tableCount == tables)
        s.pt.trappedSet(pd, 2, 0)
        #expect(!s.tracked(pt1) && s.v.ppgtt.tableCount == tables - 1)
        let freed = Set(frames).subtracting(s.v.ppgtt.shadowTableFrames)
        #expect(freed.count == 1 && freed.allSatisfy { !s.f.gpu.memory.isAllocated($0) })
        #expect(!s.pt.trappedSet(pt1, 0, Self.entry(5)))
        s.checkInvariants()
        // Cutting the PML4 entry drops everything below it.
        s.pt.trappedSet(pml4, 0, 0)
        #expect(s.v.ppgtt.trackedGuestFrames == [pml4])
        #expect(s.v.ppgtt.tableCount == 1)
        s.checkInvariants()
        s.m.releasePPGTT(s.v, h)
        #expect(s.v.ppgtt.trackedGuestFrames.isEmpty && s.v.ppgtt.tableCount == 0)
        #expect(s.m.shadowRoot(h) == .fourLevel(pml4: 0))  // stale handle
        #expect(s.f.log.events.contains { if case .shadowPPGTTReleased(_, _, "destroyed") = $0 { true } else { false } })
    }

    @Test func aTableThatPointsAtItselfIsShadowedOncePerLevel() throws {
        let s = try Setup()
        let pml4 = s.pt.allocate()
        s.pt.set(pml4, 0, Self.entry(pml4.rawValue))
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        #expect(s.v.ppgtt.tableCount == 4)
        #expect(s.v.ppgtt.trackedGuestFrames == [pml4])
        #expect(s.translate(h, 0) == s.backing(pml4.rawValue))  // the guest's own table page, read as data
        s.pt.trappedSet(pml4, 0, Self.entry(pml4.rawValue, 1 << 62))
        s.checkInvariants()
        s.pt.trappedSet(pml4, 0, 0)
        #expect(s.v.ppgtt.tableCount == 1)
        s.checkInvariants()
    }

    @Test func threeLevelRootsShadowFourPageDirectories() throws {
        let s = try Setup()
        let pd0 = s.pt.allocate(), pd2 = s.pt.allocate(), pt0 = s.pt.allocate(), pt2 = s.pt.allocate()
        s.pt.set(pd0, 0, Self.entry(pt0.rawValue))
        s.pt.set(pt0, 1, Self.entry(300))
        s.pt.set(pd2, 511, Self.entry(pt2.rawValue))
        s.pt.set(pt2, 511, Self.entry(301))
        let root = GuestPPGTTRoot.threeLevel(pdps: [pd0.address, 0, pd2.address.advanced(by: 0x123), GuestPhysicalAddress(frame: 7777)])
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: root))
        #expect(s.translate(h, 0x1000) == s.backing(300))
        #expect(s.translate(h, 1 << 30) == nil)
        #expect(s.translate(h, 3 << 30 - 4096) == s.backing(301))
        #expect(s.translate(h, 3 << 30) == nil)
        guard case let .threeLevel(pdps) = s.m.shadowRoot(h) else { Issue.record("not a 3-level root"); return }
        #expect(pdps.count == 4 && pdps[1] == 0 && pdps[3] == 0 && pdps[0] != 0)
        // Lookup ignores the low 12 bits of the pointers.
        #expect(s.m.findPPGTT(s.v, root: .threeLevel(pdps: [pd0.address, 0, pd2.address, GuestPhysicalAddress(frame: 7777)])) == h)
        s.checkInvariants()
    }

    @Test func pvinfoCreateAndDestroyCountReferences() throws {
        let s = try Setup()
        let pml4 = s.pt.allocate()
        s.pt.map4K(0, to: 200, pml4: pml4)
        let address = pml4.address.rawValue
        s.v.vregs[MMIOOffset(0x78838)] = UInt32(truncatingIfNeeded: address)
        s.v.vregs[MMIOOffset(0x7883C)] = 0
        s.m.ppgttCreateFromPVInfo(s.v, fourLevel: true)
        s.m.ppgttCreateFromPVInfo(s.v, fourLevel: true)
        let h = try #require(s.m.findPPGTT(s.v, root: s.root(pml4)))
        #expect(s.v.ppgtt.ppgttCount == 1 && s.tracked(pml4))
        s.m.ppgttDestroyFromPVInfo(s.v, fourLevel: true)
        #expect(s.m.isShadowed(h))
        s.m.ppgttDestroyFromPVInfo(s.v, fourLevel: true)
        #expect(!s.m.isShadowed(h) && s.v.ppgtt.ppgttCount == 0 && !s.tracked(pml4))
        s.m.ppgttDestroyFromPVInfo(s.v, fourLevel: true)
        #expect(s.f.log.events.last == .shadowPPGTTRequestIgnored(s.id, guestRoots: [pml4.address.rawValue],
                                                                   reason: "destroy of a PPGTT that was never created"))
        // 3-level: four pdp pairs, high dwords included.
        let pd = s.pt.allocate()
        for i in 0..<4 {
            s.v.vregs[MMIOOffset(0x78838 + UInt32(i) * 8)] = i == 2 ? UInt32(pd.address.rawValue) : 0
            s.v.vregs[MMIOOffset(0x7883C + UInt32(i) * 8)] = 0
        }
        s.m.ppgttCreateFromPVInfo(s.v, fourLevel: false)
        #expect(s.m.findPPGTT(s.v, root: .threeLevel(pdps: [0, 0, pd.address, 0])) != nil)
        s.checkInvariants()
    }

    @Test func resetFreesEverythingItAllocated() throws {
        let s = try Setup()
        let baseline = s.f.gpu.memory.freeFrameCount
        let pml4 = s.pt.allocate()
        s.pt.map4K(0x1000, to: 200, pml4: pml4)
        s.pt.set(s.pt.walkOrCreate(0, pml4: pml4, downTo: 1), 2, Self.entry(99_999))  // needs scratch
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.root(pml4)))
        #expect(s.m.pinPPGTT(s.v, h))
        #expect(s.f.gpu.memory.freeFrameCount < baseline)
        try s.m.resetVGPU(s.id, deviceModelLevel: false, engines: .all)
        #expect(s.f.gpu.memory.freeFrameCount == baseline)
        #expect(s.f.hypervisor.tracked[s.id, default: []].isEmpty)
        #expect(!s.m.pinPPGTT(s.v, h))  // stale after the reset
        #expect(s.f.log.events.contains { if case .shadowPPGTTReleased(_, _, "invalidated") = $0 { true } else { false } })
    }
}
