#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CLZ4

/// How a checkpoint keeps one page of physical memory: LZ4-compressed when that is smaller
/// (rings, batches, page tables and filled frame buffers are mostly zeros or repeats, so a
/// checkpoint costs a fraction of the pages it copies), else the 4096 bytes as they are. The
/// form is told by the length: exactly `PhysicalMemory.pageSize` bytes is a raw page.
/// LZ4 is deterministic, so equal pages give equal stored forms.
enum StoredPage {
    /// The stored form of the page at `source`.
    static func make(from source: UnsafeRawPointer) -> [UInt8] {
        let size = PhysicalMemory.pageSize
        var compressed = [UInt8](repeating: 0, count: size - 1)
        let length = compressed.withUnsafeMutableBytes { out in
            LZ4_compress_default(source.assumingMemoryBound(to: CChar.self), out.baseAddress!.assumingMemoryBound(to: CChar.self),
                                 Int32(size), Int32(size - 1))
        }
        guard length > 0 else { return [UInt8](UnsafeRawBufferPointer(start: source, count: size)) }
        compressed.removeLast(compressed.count - Int(length))
        return compressed
    }

    /// Writes the page `stored` holds to `destination` (4096 bytes).
    static func expand(_ stored: [UInt8], into destination: UnsafeMutableRawPointer) {
        let size = PhysicalMemory.pageSize
        stored.withUnsafeBytes { bytes in
            if bytes.count == size {
                destination.copyMemory(from: bytes.baseAddress!, byteCount: size)
                return
            }
            let n = LZ4_decompress_safe(bytes.baseAddress!.assumingMemoryBound(to: CChar.self),
                                        destination.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Int32(size))
            precondition(n == Int32(size), "a checkpoint page does not decompress to a page")  // written by `make` only
        }
    }

    /// Whether `stored` holds the same bytes as the page at `source`.
    static func holds(_ stored: [UInt8], sameAs source: UnsafeRawPointer) -> Bool {
        let size = PhysicalMemory.pageSize
        if stored.count == size { return stored.withUnsafeBytes { memcmp($0.baseAddress!, source, size) == 0 } }
        return withUnsafeTemporaryAllocation(byteCount: size, alignment: 16) { scratch in
            expand(stored, into: scratch.baseAddress!)
            return memcmp(scratch.baseAddress!, source, size) == 0
        }
    }
}
