#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How checkpoints keep memory pages: a compressor the owner of the memory may install
/// (replay installs LZ4 from the journal module; the GPU model itself compresses nothing).
/// `compress` returns the page's compressed form, or nil when that would not be smaller
/// than the page; `expand` writes a compressed form back as the page's 4096 bytes and
/// returns false if it does not expand to exactly a page. Both must be deterministic.
public struct PageSnapshotCodec: Sendable {
    /// Compresses the 4096 bytes at the pointer; nil keeps the page raw.
    public let compress: @Sendable (UnsafeRawBufferPointer) -> [UInt8]?
    /// Expands a compressed form into the 4096 bytes at the pointer.
    public let expand: @Sendable (UnsafeRawBufferPointer, UnsafeMutableRawBufferPointer) -> Bool

    /// A codec from its two halves.
    public init(compress: @escaping @Sendable (UnsafeRawBufferPointer) -> [UInt8]?,
                expand: @escaping @Sendable (UnsafeRawBufferPointer, UnsafeMutableRawBufferPointer) -> Bool) {
        self.compress = compress
        self.expand = expand
    }

    /// Pages kept as they are (the default).
    public static let raw = PageSnapshotCodec(compress: { _ in nil }, expand: { _, _ in false })
}

/// One page as a checkpoint keeps it: compressed by the memory's codec when that is smaller,
/// else its 4096 bytes. The form is told by the length: exactly `PhysicalMemory.pageSize`
/// bytes is a raw page, anything shorter a compressed one.
enum StoredPage {
    /// The stored form of the page at `source`.
    static func make(from source: UnsafeRawPointer, codec: PageSnapshotCodec) -> [UInt8] {
        let size = PhysicalMemory.pageSize
        let page = UnsafeRawBufferPointer(start: source, count: size)
        if let compressed = codec.compress(page), compressed.count < size { return compressed }
        return [UInt8](page)
    }

    /// Writes the page `stored` holds to `destination` (4096 bytes).
    static func expand(_ stored: [UInt8], into destination: UnsafeMutableRawPointer, codec: PageSnapshotCodec) {
        let size = PhysicalMemory.pageSize
        stored.withUnsafeBytes { bytes in
            if bytes.count == size {
                destination.copyMemory(from: bytes.baseAddress!, byteCount: size)
                return
            }
            let ok = codec.expand(bytes, UnsafeMutableRawBufferPointer(start: destination, count: size))
            precondition(ok, "a checkpoint page does not expand to a page (the memory's codec changed?)")
        }
    }

    /// Whether `stored` holds the same bytes as the page at `source`.
    static func holds(_ stored: [UInt8], sameAs source: UnsafeRawPointer, codec: PageSnapshotCodec) -> Bool {
        let size = PhysicalMemory.pageSize
        if stored.count == size { return stored.withUnsafeBytes { memcmp($0.baseAddress!, source, size) == 0 } }
        return withUnsafeTemporaryAllocation(byteCount: size, alignment: 16) { scratch in
            expand(stored, into: scratch.baseAddress!, codec: codec)
            return memcmp(scratch.baseAddress!, source, size) == 0
        }
    }
}
