import Testing
@testable import GPUModel

/// Checkpoint pages: compressed by the memory's codec when that is smaller, restored byte for byte.
struct StoredPageTests {
    /// A toy codec for the tests: a page of one repeated byte becomes that byte.
    static let uniform = PageSnapshotCodec(
        compress: { page in page.allSatisfy { $0 == page[0] } ? [page[0]] : nil },
        expand: { stored, page in
            guard stored.count == 1 else { return false }
            page.initializeMemory(as: UInt8.self, repeating: stored[0])
            return true
        })

    private func page(_ byte: (Int) -> UInt8) -> [UInt8] { (0..<PhysicalMemory.pageSize).map(byte) }

    @Test func compressiblePagesAreStoredCompressedAndExpandExactly() {
        let content = page { _ in 0xAB }
        let stored = content.withUnsafeBytes { StoredPage.make(from: $0.baseAddress!, codec: Self.uniform) }
        #expect(stored == [0xAB])
        var back = [UInt8](repeating: 0, count: PhysicalMemory.pageSize)
        back.withUnsafeMutableBytes { StoredPage.expand(stored, into: $0.baseAddress!, codec: Self.uniform) }
        #expect(back == content)
        #expect(content.withUnsafeBytes { StoredPage.holds(stored, sameAs: $0.baseAddress!, codec: Self.uniform) })
        var other = content
        other[4095] ^= 1
        #expect(!other.withUnsafeBytes { StoredPage.holds(stored, sameAs: $0.baseAddress!, codec: Self.uniform) })
    }

    @Test func pagesTheCodecDeclinesAreStoredRaw() {
        let content = page { UInt8(truncatingIfNeeded: $0 &* 31) }
        for codec in [Self.uniform, .raw] {
            let stored = content.withUnsafeBytes { StoredPage.make(from: $0.baseAddress!, codec: codec) }
            #expect(stored == content)
            #expect(content.withUnsafeBytes { StoredPage.holds(stored, sameAs: $0.baseAddress!, codec: codec) })
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
