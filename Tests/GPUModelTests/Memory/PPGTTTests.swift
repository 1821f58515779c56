import Testing
@testable import GPUModel

/// Builds PPGTT page tables in physical memory.
struct PageTableBuilder {
    let memory: PhysicalMemory

    func newTable() -> PhysicalAddress { memory.allocateFrame()!.address }

    func set(_ table: PhysicalAddress, _ index: Int, _ entry: PPGTTEntry) {
        memory.write64(table.advanced(by: UInt64(index * 8)), entry.rawValue)
    }

    /// Table indices of `gma` for levels 4, 3, 2, 1.
    static func indices(_ gma: UInt64) -> (pml4: Int, pdp: Int, pd: Int, pt: Int) {
        (Int(gma >> 39 & 0x1FF), Int(gma >> 30 & 0x1FF), Int(gma >> 21 & 0x1FF), Int(gma >> 12 & 0x1FF))
    }

    /// A 4-level tree mapping the 4 KiB page of `gma` to `frame`; returns the PML4 and the tables.
    func map4K(_ gma: UInt64, to frame: PhysicalAddress) -> (pml4: PhysicalAddress, pdp: PhysicalAddress, pd: PhysicalAddress, pt: PhysicalAddress) {
        let (a, b, c, d) = Self.indices(gma)
        let pml4 = newTable(), pdp = newTable(), pd = newTable(), pt = newTable()
        set(pml4, a, PPGTTEntry(address: pdp))
        set(pdp, b, PPGTTEntry(address: pd))
        set(pd, c, PPGTTEntry(address: pt))
        set(pt, d, PPGTTEntry(address: frame))
        return (pml4, pdp, pd, pt)
    }
}

@Suite struct PPGTTTests {
    let memory = PhysicalMemory(size: 64 << 20)
    var builder: PageTableBuilder { PageTableBuilder(memory: memory) }

    @Test func entryEncoding() {
        let entry = PPGTTEntry(address: 0x1234_5000, largePage: true, ips: true)
        #expect(entry.rawValue == 0x1234_5000 | 0x1 | 0x2 | 0x80 | 0x800)
        #expect(entry.isPresent && entry.isWritable && entry.isLargePage && entry.isIPS)
        #expect(entry.address == PhysicalAddress(0x1234_5000))
        #expect(!PPGTTEntry(rawValue: 0x10_0000_0000_0001).hasReservedBits)   // bit 52: ignored
        #expect(PPGTTEntry(rawValue: 0x80_0000_0001).hasReservedBits)          // bit 39
    }

    @Test func fourLevelWalkWith4KPages() {
        let gma: UInt64 = 0x7F12_3456_7ABC
        let data = PhysicalAddress(0x0300_0000)
        let tables = builder.map4K(gma, to: data)
        let root = PPGTTRoot.fourLevel(pml4: tables.pml4)
        #expect(PPGTT.translate(GraphicsAddress(gma), root: root, memory: memory) == .success(PhysicalAddress(0x0300_0ABC)))

        let walk = PPGTT.walk(GraphicsAddress(gma), root: root, memory: memory)
        let (a, b, c, d) = PageTableBuilder.indices(gma)
        #expect(walk.steps.map(\.level) == [4, 3, 2, 1])
        #expect(walk.steps.map(\.index) == [a, b, c, d])
        #expect(walk.steps.map(\.tableAddress) == [tables.pml4, tables.pdp, tables.pd, tables.pt])
        #expect(walk.steps.last?.entry.address == data)
        #expect(walk.pageSize == 4096)
        #expect(walk.result == .success(PhysicalAddress(0x0300_0ABC)))
        #expect(walk.description.contains("PML4E[\(a)]"))
    }

    @Test func ipsPageTableMaps64KPagesFromEvery16thEntry() {
        let gma: UInt64 = 0x4000_0000 | 0x23 << 12 | 0xABC   // PT index 0x23 → entry 0x20
        let (a, b, c, _) = PageTableBuilder.indices(gma)
        let pml4 = builder.newTable(), pdp = builder.newTable(), pd = builder.newTable(), pt = builder.newTable()
        builder.set(pml4, a, PPGTTEntry(address: pdp))
        builder.set(pdp, b, PPGTTEntry(address: pd))
        builder.set(pd, c, PPGTTEntry(address: pt, ips: true))
        builder.set(pt, 0x20, PPGTTEntry(address: 0x0041_0000))
        builder.set(pt, 0x23, PPGTTEntry(address: 0x0099_9000))   // unused by the hardware
        let walk = PPGTT.walk(GraphicsAddress(gma), root: .fourLevel(pml4: pml4), memory: memory)
        // Offset inside the 64 KiB page: (0x23 & 0xF) << 12 | 0xABC.
        #expect(walk.result == .success(PhysicalAddress(0x0041_0000 + 0x3ABC)))
        #expect(walk.pageSize == 64 << 10)
        #expect(walk.steps.last?.index == 0x20)
    }

    @Test func pdeLargePageMaps2M() {
        let gma: UInt64 = 0x1_2345_6789
        let (a, b, c, _) = PageTableBuilder.indices(gma)
        let pml4 = builder.newTable(), pdp = builder.newTable(), pd = builder.newTable()
        builder.set(pml4, a, PPGTTEntry(address: pdp))
        builder.set(pdp, b, PPGTTEntry(address: pd))
        // Address bits 20:12 inside a 2 MiB page entry are ignored.
        builder.set(pd, c, PPGTTEntry(rawValue: PPGTTEntry(address: 0x0200_0000, largePage: true).rawValue | 0x5000))
        let walk = PPGTT.walk(GraphicsAddress(gma), root: .fourLevel(pml4: pml4), memory: memory)
        #expect(walk.result == .success(PhysicalAddress(0x0200_0000 | gma & 0x1F_FFFF)))
        #expect(walk.pageSize == 2 << 20)
        #expect(walk.steps.map(\.level) == [4, 3, 2])
    }

    @Test func pdpeLargePageMaps1G() {
        let big = PhysicalMemory(size: 2 << 30)
        let builder = PageTableBuilder(memory: big)
        let gma: UInt64 = 0x80_3456_789A
        let (a, b, _, _) = PageTableBuilder.indices(gma)
        let pml4 = builder.newTable(), pdp = builder.newTable()
        builder.set(pml4, a, PPGTTEntry(address: pdp))
        builder.set(pdp, b, PPGTTEntry(address: 0x4000_0000, largePage: true))
        let walk = PPGTT.walk(GraphicsAddress(gma), root: .fourLevel(pml4: pml4), memory: big)
        #expect(walk.result == .success(PhysicalAddress(0x4000_0000 | gma & 0x3FFF_FFFF)))
        #expect(walk.pageSize == 1 << 30)
        #expect(walk.steps.map(\.level) == [4, 3])
    }

    @Test func threeLevelLegacyWalks() {
        let pds = (0..<4).map { _ in builder.newTable() }
        let root = PPGTTRoot.threeLevel(pdps: pds)
        // 4 KiB page at 3 GiB + 0x12345678.
        let gma: UInt64 = 0xC000_0000 | 0x1234_5678
        let (_, _, c, d) = PageTableBuilder.indices(gma)
        let pt = builder.newTable()
        builder.set(pds[3], c, PPGTTEntry(address: pt))
        builder.set(pt, d, PPGTTEntry(address: 0x0280_0000))
        let walk = PPGTT.walk(GraphicsAddress(gma), root: root, memory: memory)
        #expect(walk.result == .success(PhysicalAddress(0x0280_0678)))
        #expect(walk.steps.map(\.level) == [3, 2, 1])
        #expect(walk.steps[0].tableAddress == nil && walk.steps[0].index == 3)
        #expect(walk.steps[0].entry.rawValue == pds[3].rawValue)

        // 2 MiB page in PD 1.
        builder.set(pds[1], 5, PPGTTEntry(address: 0x0220_0000, largePage: true))
        #expect(PPGTT.translate(GraphicsAddress(0x4000_0000 | 5 << 21 | 0x1_2345), root: root, memory: memory)
            == .success(PhysicalAddress(0x0221_2345)))

        // 64 KiB pages in PD 0.
        let ipsTable = builder.newTable()
        builder.set(pds[0], 0, PPGTTEntry(address: ipsTable, ips: true))
        builder.set(ipsTable, 16, PPGTTEntry(address: 0x0051_0000))
        #expect(PPGTT.translate(0x1F004, root: root, memory: memory) == .success(PhysicalAddress(0x0051_F004)))
    }

    @Test func notPresentAtEachLevelReportsTheLevel() {
        let gma: UInt64 = 0x1234_5678_9000
        let (a, b, c, d) = PageTableBuilder.indices(gma)
        let tables = builder.map4K(gma, to: 0x0300_0000)
        let root = PPGTTRoot.fourLevel(pml4: tables.pml4)
        let steps: [(PhysicalAddress, Int, Int)] = [(tables.pt, d, 1), (tables.pd, c, 2), (tables.pdp, b, 3), (tables.pml4, a, 4)]
        for (table, index, level) in steps {
            let entry = memory.read64(table.advanced(by: UInt64(index * 8)))
            builder.set(table, index, PPGTTEntry(rawValue: entry & ~1))   // clear present, keep address
            #expect(PPGTT.translate(GraphicsAddress(gma), root: root, memory: memory, isWrite: true)
                == .failure(GPUFault(address: GraphicsAddress(gma), space: .ppgtt, reason: .notPresent(level: level), isWrite: true)))
            #expect(PPGTT.walk(GraphicsAddress(gma), root: root, memory: memory).steps.count == 5 - level)
        }
        #expect(PPGTT.translate(0x1000, root: .fourLevel(pml4: 0), memory: memory)
            == .failure(GPUFault(address: 0x1000, space: .ppgtt, reason: .notPresent(level: 4))))
    }

    @Test func threeLevelMissingRootPointersAreNotPresent() {
        let pd = builder.newTable()
        let zeroRoot = PPGTTRoot.threeLevel(pdps: [pd, 0, pd, pd])
        #expect(PPGTT.translate(0x4000_1000, root: zeroRoot, memory: memory)
            == .failure(GPUFault(address: 0x4000_1000, space: .ppgtt, reason: .notPresent(level: 3))))
        let shortRoot = PPGTTRoot.threeLevel(pdps: [pd, pd])
        #expect(PPGTT.translate(0x8000_0000, root: shortRoot, memory: memory)
            == .failure(GPUFault(address: 0x8000_0000, space: .ppgtt, reason: .notPresent(level: 3))))
        #expect(PPGTT.translate(0x0000_1000, root: shortRoot, memory: memory)
            == .failure(GPUFault(address: 0x1000, space: .ppgtt, reason: .notPresent(level: 2))))
    }

    @Test func addressesOutsideTheSpaceFault() {
        let pd = builder.newTable()
        #expect(PPGTT.translate(0x1_0000_0000, root: .threeLevel(pdps: [pd, pd, pd, pd]), memory: memory)
            == .failure(GPUFault(address: 0x1_0000_0000, space: .ppgtt, reason: .outsideAddressSpace)))
        #expect(PPGTT.translate(0x1_0000_0000_0000, root: .fourLevel(pml4: pd), memory: memory)
            == .failure(GPUFault(address: 0x1_0000_0000_0000, space: .ppgtt, reason: .outsideAddressSpace)))
    }

    @Test func tablesBeyondPhysicalMemoryFaultInsteadOfCrashing() {
        let gma: UInt64 = 0x2000
        let far = PhysicalAddress(0x40_0000_0000)   // 256 GiB, memory is 64 MiB
        // Root beyond memory.
        #expect(PPGTT.translate(GraphicsAddress(gma), root: .fourLevel(pml4: far), memory: memory)
            == .failure(GPUFault(address: GraphicsAddress(gma), space: .ppgtt, reason: .beyondPhysicalMemory(far))))
        // PDP pointer beyond memory: the faulting address is the entry the walk wanted.
        let pml4 = builder.newTable()
        builder.set(pml4, 0, PPGTTEntry(address: far))
        #expect(PPGTT.translate(GraphicsAddress(gma), root: .fourLevel(pml4: pml4), memory: memory)
            == .failure(GPUFault(address: GraphicsAddress(gma), space: .ppgtt, reason: .beyondPhysicalMemory(far))))
        // Leaf page beyond memory.
        let tables = builder.map4K(gma, to: PhysicalAddress(0x7000_0000))
        #expect(PPGTT.translate(GraphicsAddress(gma | 0x10), root: .fourLevel(pml4: tables.pml4), memory: memory)
            == .failure(GPUFault(address: GraphicsAddress(gma | 0x10), space: .ppgtt, reason: .beyondPhysicalMemory(0x7000_0010))))
        // Legacy root pointer beyond memory.
        #expect(PPGTT.translate(0x1000, root: .threeLevel(pdps: [far, far, far, far]), memory: memory)
            == .failure(GPUFault(address: 0x1000, space: .ppgtt, reason: .beyondPhysicalMemory(far))))
    }

    @Test func reservedAddressBitsFault() {
        let pml4 = builder.newTable()
        builder.set(pml4, 0, PPGTTEntry(rawValue: 1 << 45 | 0x0010_0000 | 1))
        #expect(PPGTT.translate(0x3000, root: .fourLevel(pml4: pml4), memory: memory)
            == .failure(GPUFault(address: 0x3000, space: .ppgtt, reason: .reservedBitsSet(level: 4))))
    }

    @Test func walksAnnounceEveryTableFrameRead() {
        let gma: UInt64 = 0x5000
        let tables = builder.map4K(gma, to: 0x0300_0000)
        let observer = RecordingReadObserver()
        memory.readObserver = observer
        _ = PPGTT.translate(GraphicsAddress(gma), root: .fourLevel(pml4: tables.pml4), memory: memory)
        #expect(observer.frames == [tables.pml4.frame, tables.pdp.frame, tables.pd.frame, tables.pt.frame])
    }
}
