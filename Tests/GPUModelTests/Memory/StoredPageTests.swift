import Testing
@testable import GPUModel

/// Checkpoint pages: compressed when that is smaller, restored byte for byte.
struct StoredPageTests {
    private func page(_ byte: (Int) -> UInt8) -> [UInt8] { (0..<PhysicalMemory.pageSize).map(byte) }

    @Test func repetitivePagesAreStoredCompressedAndExpandExactly() {
        let content = page { $0 % 64 < 8 ? 0xAB : 0 }
        let stored = content.withUnsafeBytes { StoredPage.make(from: $0.baseAddress!) }
        #expect(stored.count < PhysicalMemory.pageSize / 10)
        var back = [UInt8](repeating: 0xFF, count: PhysicalMemory.pageSize)
        back.withUnsafeMutableBytes { StoredPage.expand(stored, into: $0.baseAddress!) }
        #expect(back == content)
        #expect(content.withUnsafeBytes { StoredPage.holds(stored, sameAs: $0.baseAddress!) })
        var other = content
        other[4095] ^= 1
        #expect(!other.withUnsafeBytes { StoredPage.holds(stored, sameAs: $0.baseAddress!) })
    }

    @Test func incompressiblePagesAreStoredRaw() {
        var x: UInt32 = 0x1234_5678
        let content = page { _ in
            x ^= x << 13; x ^= x >> 17; x ^= x << 5
            return UInt8(truncatingIfNeeded: x)
        }
        let stored = content.withUnsafeBytes { StoredPage.make(from: $0.baseAddress!) }
        #expect(stored == content)
        #expect(content.withUnsafeBytes { StoredPage.holds(stored, sameAs: $0.baseAddress!) })
    }

    @Test func memorySnapshotsRestoreCompressedPages() {
        let memory = PhysicalMemory(size: 1 << 20)
        memory.write(PhysicalAddress(0x3000), bytes: [UInt8](repeating: 7, count: 100))
        let snapshot = memory.snapshot()
        #expect(snapshot.bytesNotShared(with: nil) < 2 * PhysicalMemory.pageSize)
        memory.write(PhysicalAddress(0x3010), bytes: [1, 2, 3])
        memory.restore(snapshot)
        #expect(memory.read(PhysicalAddress(0x3000), count: 101) == [UInt8](repeating: 7, count: 100) + [0])
    }
}
