import Testing
@testable import GPUModel

/// Checkpoint pages: compressed by the memory's codec when that is smaller, kept as XOR deltas
/// against the previous snapshot's page when that is smaller still, restored byte for byte.
struct StoredPageTests {
    /// A toy codec for the tests: a page of one repeated byte becomes that byte.
    static let uniform = PageSnapshotCodec(
        compress: { page in page.allSatisfy { $0 == page[0] } ? [page[0]] : nil },
        expand: { stored, page in
            guard stored.count == 1 else { return false }
            page.initializeMemory(as: UInt8.self, repeating: stored[0])
            return true
        })

    /// A deterministic run-length codec for the tests: (run length 1...255, byte) pairs; a
    /// page of few runs (a mostly-zero XOR delta) compresses well, a varied one not at all.
    static let runLength = PageSnapshotCodec(
        compress: { page in
            var out: [UInt8] = []
            var i = 0
            while i < page.count {
                let byte = page[i]
                var run = 1
                while run < 255, i + run < page.count, page[i + run] == byte { run += 1 }
                out.append(UInt8(run))
                out.append(byte)
                if out.count >= page.count { return nil }
                i += run
            }
            return out
        },
        expand: { stored, page in
            guard stored.count % 2 == 0 else { return false }
            var at = 0
            for pair in stride(from: 0, to: stored.count, by: 2) {
                let run = Int(stored[pair])
                guard run > 0, at + run <= page.count else { return false }
                for k in at..<(at + run) { page[k] = stored[pair + 1] }
                at += run
            }
            return at == page.count
        })

    static func page(_ byte: (Int) -> UInt8) -> [UInt8] { (0..<PhysicalMemory.pageSize).map(byte) }
    /// A page the run-length codec cannot compress.
    static let varied = page { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 8)) }

    private func expanded(_ stored: StoredPage, codec: PageSnapshotCodec) -> [UInt8] {
        var back = [UInt8](repeating: 0x5A, count: PhysicalMemory.pageSize)
        back.withUnsafeMutableBytes { stored.expand(into: $0.baseAddress!, codec: codec) }
        return back
    }

    private func make(_ content: [UInt8], codec: PageSnapshotCodec) -> StoredPage {
        content.withUnsafeBytes { StoredPage.make(from: $0.baseAddress!, codec: codec) }
    }

    private func make(_ content: [UInt8], after previous: StoredPage, codec: PageSnapshotCodec) -> StoredPage {
        content.withUnsafeBytes { StoredPage.make(from: $0.baseAddress!, after: previous, codec: codec) }
    }

    private func holds(_ stored: StoredPage, _ content: [UInt8], codec: PageSnapshotCodec) -> Bool {
        content.withUnsafeBytes { stored.holds(sameAs: $0.baseAddress!, codec: codec) }
    }

    @Test func compressiblePagesAreStoredCompressedAndExpandExactly() {
        let content = Self.page { _ in 0xAB }
        let stored = make(content, codec: Self.uniform)
        #expect(stored.bytes == [0xAB] && stored.base == nil && stored.depth == 0)
        #expect(expanded(stored, codec: Self.uniform) == content)
        #expect(holds(stored, content, codec: Self.uniform))
        var other = content
        other[4095] ^= 1
        #expect(!holds(stored, other, codec: Self.uniform))
    }

    @Test func pagesTheCodecDeclinesAreStoredRaw() {
        for codec in [Self.uniform, Self.runLength, .raw] {
            let stored = make(Self.varied, codec: codec)
            #expect(stored.bytes == Self.varied && stored.base == nil)
            #expect(holds(stored, Self.varied, codec: codec))
            #expect(expanded(stored, codec: codec) == Self.varied)
        }
    }

    @Test func anUnchangedPageIsThePreviousOne() {
        let first = make(Self.varied, codec: Self.runLength)
        #expect(make(Self.varied, after: first, codec: Self.runLength) === first)
        var changed = Self.varied
        changed[100] ^= 0xFF
        let second = make(changed, after: first, codec: Self.runLength)
        #expect(make(changed, after: second, codec: Self.runLength) === second)
    }

    @Test func aSmallChangeIsStoredAsADeltaThatExpandsExactly() {
        let first = make(Self.varied, codec: Self.runLength)
        var changed = Self.varied
        changed[7] = 0
        changed[2000..<2016] = ArraySlice(repeating: 0xEE, count: 16)
        let second = make(changed, after: first, codec: Self.runLength)
        #expect(second.base === first && second.depth == 1)
        #expect(second.bytes.count < 128, "a few runs, not a page")
        #expect(expanded(second, codec: Self.runLength) == changed)
        #expect(holds(second, changed, codec: Self.runLength))
        #expect(!holds(second, Self.varied, codec: Self.runLength))
        #expect(second.chainBytes == second.bytes.count + first.bytes.count)
        #expect(second.chainContains(first) && second.chainContains(second) && !first.chainContains(second))
    }

    @Test func chainsStopAtTheDepthBoundAndStillExpandExactly() {
        var content = Self.varied
        var stored = make(content, codec: Self.runLength)
        var depths: [Int] = []
        for round in 0..<(2 * StoredPage.maxDepth + 3) {
            content[round * 37] &+= 1
            stored = make(content, after: stored, codec: Self.runLength)
            depths.append(stored.depth)
            #expect(expanded(stored, codec: Self.runLength) == content)
            #expect(holds(stored, content, codec: Self.runLength))
        }
        let cycle = Array(1...StoredPage.maxDepth) + [0]
        #expect(depths == Array((cycle + cycle + cycle).prefix(depths.count)))
        #expect(depths.max() == StoredPage.maxDepth)
    }

    @Test func aDeltaNoSmallerThanTheWholePageIsNotKept() {
        let zeros = make(Self.page { _ in 0 }, codec: Self.runLength)
        // The XOR with zeros is the page itself: as big as the page compressed whole.
        let ones = make(Self.page { _ in 0xFF }, after: zeros, codec: Self.runLength)
        #expect(ones.base == nil && ones.depth == 0)
        #expect(expanded(ones, codec: Self.runLength) == Self.page { _ in 0xFF })
    }

    @Test func withoutACompressorChangedPagesAreStoredWholeAndRaw() {
        let first = make(Self.varied, codec: .raw)
        var changed = Self.varied
        changed[5] ^= 1
        let second = make(changed, after: first, codec: .raw)
        #expect(second.base == nil && second.bytes == changed)
        #expect(make(changed, after: second, codec: .raw) === second)
    }

    @Test func aPageIsReachedFromAnotherOfItsChainByTheDeltasBetween() {
        var contents = [Self.varied]
        var chain = [make(Self.varied, codec: Self.runLength)]
        for round in 1...4 {
            var next = contents.last!
            next[round * 500] ^= UInt8(round)
            contents.append(next)
            chain.append(make(next, after: chain.last!, codec: Self.runLength))
        }
        #expect(chain.map(\.depth) == [0, 1, 2, 3, 4])
        for (from, to) in [(0, 4), (4, 3), (4, 2), (1, 3), (3, 2), (2, 4)] {
            var memory = contents[from]
            let done = memory.withUnsafeMutableBytes {
                chain[to].expand(into: $0.baseAddress!, holding: chain[from], codec: Self.runLength)
            }
            #expect(done, "\(from) -> \(to)")
            #expect(memory == contents[to], "\(from) -> \(to)")
        }
        // Going from the last to the root takes more steps than expanding the root: declined.
        // So is a page from another chain; in both cases the destination is left alone.
        let other = make(Self.page { _ in 3 }, codec: Self.runLength)
        for (target, current) in [(chain[0], chain[4]), (chain[2], other), (other, chain[3])] {
            var memory = contents[3]
            let done = memory.withUnsafeMutableBytes { target.expand(into: $0.baseAddress!, holding: current, codec: Self.runLength) }
            #expect(!done && memory == contents[3])
        }
    }

    @Test func memorySnapshotsRestoreCompressedPages() {
        let memory = PhysicalMemory(size: 1 << 20)
        memory.snapshotCodec = Self.uniform
        memory.fill(PhysicalAddress(0x3000), count: 4096, byte: 7)
        let snapshot = memory.snapshot()
        #expect(snapshot.storedPageBytes == 1)
        memory.write(PhysicalAddress(0x3010), bytes: [1, 2, 3])
        memory.restore(snapshot)
        #expect(memory.read(PhysicalAddress(0x3000), count: 4096) == [UInt8](repeating: 7, count: 4096))
    }
}
