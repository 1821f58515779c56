import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Shadow PPGTT references, pins and LRU reclaim when the host runs out of pages, and
/// invariants under seeded guest page-table churn.
@Suite struct PPGTTShadowMMTests {
    /// A small host (so it can run dry) with one vGPU and `spare` free host pages left.
    struct Setup {
        let f: MediatorFixture
        let id: VGPUID
        let v: VGPU
        let pt: GuestPageTables
        /// A second vGPU with its own guest memory and page tables, when asked for.
        let other: (id: VGPUID, v: VGPU, pt: GuestPageTables)?
        init(spare: Int, secondVGPU: Bool = false) throws {
            f = MediatorFixture(gpu: GPUConfiguration(memorySize: (1 << 20) + 512 * 4096))
            id = try f.makeVGPU(.v5_8, guestPages: 128)
            v = f.mediator.vgpu(id)!
            pt = GuestPageTables(f, vgpu: id)
            if secondVGPU {
                let otherID = try f.makeVGPU(.v5_8, guestPages: 128)
                other = (otherID, f.mediator.vgpu(otherID)!, GuestPageTables(f, vgpu: otherID))
            } else {
                other = nil
            }
            while f.gpu.memory.freeFrameCount > spare { _ = f.gpu.memory.allocateFrame() }
        }
        var m: Mediator { f.mediator }
        /// A 4-level guest tree of four fresh tables mapping gma 0x1000 to `data`.
        func tree(_ data: UInt64) -> GuestPPGTTRoot {
            let pml4 = pt.allocate()
            pt.map4K(0x1000, to: GuestFrameNumber(data), pml4: pml4)
            return .fourLevel(pml4: pml4.address)
        }
        func translate(_ h: ShadowPPGTTHandle) -> PhysicalAddress? {
            try? PPGTT.translate(0x1000, root: m.shadowRoot(h), memory: f.gpu.memory).get()
        }
        func backing(_ gfn: UInt64) -> PhysicalAddress { f.hypervisor.backing(id, GuestFrameNumber(gfn))!.address }
        var reclaimed: Int {
            f.log.events.filter { if case .shadowPPGTTReleased(_, _, "reclaimed") = $0 { true } else { false } }.count
        }
        func checkInvariants(sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(m.checkGTTInvariants(v) == [], sourceLocation: sourceLocation)
            #expect(Set(v.ppgtt.trackedGuestFrames) == (f.hypervisor.tracked[id] ?? []), sourceLocation: sourceLocation)
        }
    }

    @Test func theLeastRecentlyUsedUnpinnedShadowIsReclaimedWhenTheHostRunsDry() throws {
        let s = try Setup(spare: 5)
        let rootA = s.tree(100), rootB = s.tree(101)
        let a = try #require(s.m.findOrCreatePPGTT(s.v, root: rootA))
        #expect(s.f.gpu.memory.freeFrameCount == 1)
        let b = try #require(s.m.findOrCreatePPGTT(s.v, root: rootB))
        #expect(s.reclaimed == 1)
        #expect(!s.m.isShadowed(a) && s.m.isShadowed(b))
        #expect(s.translate(a) == nil && s.translate(b) == s.backing(101))
        #expect(s.v.ppgtt.trackedGuestFrames.count == 4)  // only B's tables
        s.checkInvariants()

        // B pinned: A cannot come back, and its failed rebuild leaves nothing behind.
        #expect(s.m.pinPPGTT(s.v, b))
        #expect(!s.m.pinPPGTT(s.v, a))
        #expect(s.f.gpu.memory.freeFrameCount == 1 && !s.m.isShadowed(a))
        s.checkInvariants()
        // Unpinned, B gives way.
        s.m.unpinPPGTT(s.v, b)
        #expect(s.m.pinPPGTT(s.v, a))
        #expect(s.translate(a) == s.backing(100) && !s.m.isShadowed(b))
        #expect(s.reclaimed == 2)
        // Everything pinned or unshadowed: a new tree cannot be built.
        let c = s.m.findOrCreatePPGTT(s.v, root: s.tree(102))
        #expect(c == nil)
        #expect(s.f.log.events.last == .shadowPPGTTRequestIgnored(s.id, guestRoots: [(s.pt.nextFrame.rawValue - 4) << 12],
                                                                   reason: "no host pages left for the shadow page tables"))
        s.checkInvariants()
    }

    @Test func reclaimFollowsLeastRecentUse() throws {
        let s = try Setup(spare: 9)
        let a = try #require(s.m.findOrCreatePPGTT(s.v, root: s.tree(100)))
        let b = try #require(s.m.findOrCreatePPGTT(s.v, root: s.tree(101)))
        // Touch A: B becomes the least recently used.
        #expect(s.m.pinPPGTT(s.v, a))
        s.m.unpinPPGTT(s.v, a)
        let c = try #require(s.m.findOrCreatePPGTT(s.v, root: s.tree(102)))
        #expect(s.m.isShadowed(a) && !s.m.isShadowed(b) && s.m.isShadowed(c))
        // A lookup of an existing root also counts as use.
        #expect(s.m.findOrCreatePPGTT(s.v, root: .fourLevel(pml4: GuestFrameNumber(1).address)) == a)
        #expect(s.m.pinPPGTT(s.v, b))  // reclaims C, the least recent now
        #expect(s.m.isShadowed(a) && s.m.isShadowed(b) && !s.m.isShadowed(c))
        s.checkInvariants()
    }

    @Test func anotherVGPUsUnpinnedShadowIsReclaimedOnlyWhenTheRequesterHasNone() throws {
        let s = try Setup(spare: 13, secondVGPU: true)
        let o = try #require(s.other)
        let pml4 = o.pt.allocate()
        o.pt.map4K(0x1000, to: 50, pml4: pml4)
        let x = try #require(s.m.findOrCreatePPGTT(o.v, root: .fourLevel(pml4: pml4.address)))  // oldest
        let a = try #require(s.m.findOrCreatePPGTT(s.v, root: s.tree(100)))
        let b = try #require(s.m.findOrCreatePPGTT(s.v, root: s.tree(101)))
        // The requester's own unpinned shadow goes first, though the other vGPU's is older.
        let c = try #require(s.m.findOrCreatePPGTT(s.v, root: s.tree(102)))
        #expect(s.m.isShadowed(x) && !s.m.isShadowed(a) && s.m.isShadowed(b) && s.m.isShadowed(c))
        // With all its own pinned, the other vGPU's is taken.
        #expect(s.m.pinPPGTT(s.v, b) && s.m.pinPPGTT(s.v, c))
        #expect(s.m.pinPPGTT(s.v, a))
        #expect(!s.m.isShadowed(x) && s.m.isShadowed(a))
        #expect(!s.f.hypervisor.isTracked(o.id, pml4))
        s.checkInvariants()
        #expect(s.m.checkGTTInvariants(o.v) == [])
        // The other vGPU gets it back once something is unpinned.
        s.m.unpinPPGTT(s.v, c)
        #expect(s.m.pinPPGTT(o.v, x))
        #expect(!s.m.isShadowed(c))
    }

    @Test func seededGuestChurnKeepsEveryInvariant() throws {
        let f = MediatorFixture()
        let id = try f.makeVGPU(.v5_4, guestPages: 1024)
        let v = f.mediator.vgpu(id)!
        let pt = GuestPageTables(f, vgpu: id)
        let baseline = f.gpu.memory.freeFrameCount
        // Pools of guest frames used as tables at each level (PML4s first).
        let pml4s = (0..<2).map { _ in pt.allocate() }
        let pdps = (0..<2).map { _ in pt.allocate() }
        let pds = (0..<3).map { _ in pt.allocate() }
        let pts = (0..<5).map { _ in pt.allocate() }
        let pool: [[GuestFrameNumber]] = [pts, pds, pdps, pml4s]  // index = level - 1
        var rng = SplitMix64(seed: 0xC0FF_EE00_1234)
        func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        func entry(_ gfn: GuestFrameNumber, _ flags: UInt64 = 0) -> UInt64 { GuestPageTables.entry(gfn, flags) }
        // A starting tree.
        pt.set(pml4s[0], 0, entry(pdps[0]))
        pt.set(pdps[0], 0, entry(pds[0]))
        pt.set(pds[0], 0, entry(pts[0]))
        pt.set(pts[0], 1, entry(200))
        var handles = [try #require(f.mediator.findOrCreatePPGTT(v, root: .fourLevel(pml4: pml4s[0].address)))]

        for step in 0..<1500 {
            let level = Int(rng.next() % 4) + 1
            let table = pick(pool[level - 1])
            let index = Int(rng.next() % 20)
            let value: UInt64
            switch (level, rng.next() % 6) {
            case (_, 0): value = 0
            case (1, _): value = entry(GuestFrameNumber(rng.next() % 1100 + 100), rng.next() & 0x9A)  // some beyond memory
            case (2, 1): value = entry(pick(pts), PPGTTEntry.ipsBit)
            case (2, 2): value = entry(GuestFrameNumber(512), PPGTTEntry.pageSizeBit)
            case (3, 1): value = entry(GuestFrameNumber(0), PPGTTEntry.pageSizeBit)
            case (_, 3): value = entry(GuestFrameNumber(5000 + rng.next() % 10))  // table outside memory
            default: value = entry(pick(pool[max(level - 2, 0)]))
            }
            let address = GuestPhysicalAddress(frame: table, offset: UInt64(index) * 8)
            let wasTracked = f.hypervisor.isTracked(id, table)
            let trapped: Bool
            if rng.next() % 4 == 0 {
                let high = rng.next() & 1 == 0
                let half = UInt32(truncatingIfNeeded: high ? value >> 32 : value)
                let bytes = withUnsafeBytes(of: half.littleEndian) { Array($0) }
                let at = address.advanced(by: high ? 4 : 0)
                trapped = f.mediator.handlePageTrackWrite(id, address: at, bytes: bytes)
                if !trapped { f.hypervisor.guestWrite(id, at, bytes: bytes) }
            } else {
                trapped = f.mediator.handlePageTrackWrite(id, address: address, bytes: GuestPageTables.bytes(value))
                if !trapped { f.hypervisor.guestWrite64(id, address, value) }
            }
            #expect(trapped == wasTracked)
            switch rng.next() % 40 {
            case 0: if let h = f.mediator.findOrCreatePPGTT(v, root: .fourLevel(pml4: pick(pml4s).address)) { handles.append(h) }
            case 1: if handles.count > 1 { f.mediator.releasePPGTT(v, handles.removeLast()) }
            case 2, 3: f.mediator.flushPostShadow(v)
            default: break
            }
            if step % 100 == 99 {
                let problems = f.mediator.checkGTTInvariants(v)
                #expect(problems == [], "step \(step)")
                if !problems.isEmpty { break }
                #expect(Set(v.ppgtt.trackedGuestFrames) == (f.hypervisor.tracked[id] ?? []))
            }
        }
        f.mediator.flushPostShadow(v)
        #expect(f.mediator.checkGTTInvariants(v) == [])
        #expect(v.ppgtt.postShadowTables.isEmpty)
        #expect(Set(v.ppgtt.trackedGuestFrames) == (f.hypervisor.tracked[id] ?? []))
        for h in handles { f.mediator.releasePPGTT(v, h) }
        #expect(v.ppgtt.tableCount == 0 && v.ppgtt.trackedGuestFrames.isEmpty)
        try f.mediator.resetVGPU(id, deviceModelLevel: true)
        #expect(f.gpu.memory.freeFrameCount == baseline)
    }

    @Test func invariantsCatchAShadowEntryPointingAtAForeignFrame() throws {
        let s = try Setup(spare: 20)
        let h = try #require(s.m.findOrCreatePPGTT(s.v, root: s.tree(100)))
        let walk = PPGTT.walk(0x1000, root: s.m.shadowRoot(h), memory: s.f.gpu.memory)
        let leaf = try #require(walk.steps.last)
        s.f.gpu.memory.write64(leaf.tableAddress!.advanced(by: UInt64(leaf.index) * 8), 0x77_7003)
        let problems = s.m.checkGTTInvariants(s.v)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("[1] maps pfn 0x00777") ?? false, "\(problems)")
    }
}
