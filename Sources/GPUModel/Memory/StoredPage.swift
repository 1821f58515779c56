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

/// One page as a checkpoint keeps it, immutable and shared by identity between snapshots.
/// Either whole: compressed by the memory's codec when that is smaller, else its 4096 bytes
/// (exactly `PhysicalMemory.pageSize` bytes is a raw page, anything shorter a compressed
/// one); or a delta: the codec-compressed XOR of the page with the content of `base`, the
/// previous snapshot's page of the same slot. Chains hold at most `maxDepth` deltas, so
/// expanding a page expands at most `maxDepth + 1` blocks.
final class StoredPage: Sendable {
    /// Deltas a chain may hold before a changed page is stored whole again.
    static let maxDepth = 8
    /// Estimated heap bytes of one stored page besides its form's bytes (the object and the
    /// array's header, as allocated).
    static let overheadBytes = 80

    /// The stored form: a whole page (raw or compressed) or, with a base, a compressed XOR delta.
    let bytes: [UInt8]
    /// The page this one is a delta against; nil for a whole page.
    let base: StoredPage?
    /// Deltas in the chain down to the whole page (0 for a whole page).
    let depth: Int

    private init(bytes: [UInt8], base: StoredPage?) {
        // A codec may hand back its form in a page-sized buffer (LZ4Block does); keep only the
        // form, or every compressed page would hold a page of heap.
        self.bytes = bytes.capacity - bytes.count > 32 ? Self.exactCopy(of: bytes) : bytes
        self.base = base
        self.depth = base.map { $0.depth + 1 } ?? 0
    }

    /// Heap bytes this page object takes (its form and the fixed overhead), chain excluded.
    var heapBytes: Int { bytes.count + Self.overheadBytes }

    /// Bytes of the stored forms of this page and of every page of its chain.
    var chainBytes: Int {
        var total = 0
        var element: StoredPage? = self
        while let page = element {
            total += page.bytes.count
            element = page.base
        }
        return total
    }

    /// Whether `page` is this page or one of its chain (identity).
    func chainContains(_ page: StoredPage) -> Bool {
        var element: StoredPage? = self
        while let candidate = element, candidate.depth >= page.depth {
            if candidate === page { return true }
            element = candidate.base
        }
        return false
    }

    /// The page at `source` stored whole.
    static func make(from source: UnsafeRawPointer, codec: PageSnapshotCodec) -> StoredPage {
        StoredPage(bytes: wholeForm(of: source, codec: codec), base: nil)
    }

    /// The page at `source` as the next snapshot of a slot whose previous snapshot kept
    /// `previous`: `previous` itself when the bytes are the same, else a delta against it when
    /// the codec compresses that smaller than the whole page and the chain is not at
    /// `maxDepth`, else the page whole.
    static func make(from source: UnsafeRawPointer, after previous: StoredPage, codec: PageSnapshotCodec) -> StoredPage {
        let size = PhysicalMemory.pageSize
        return withUnsafeTemporaryAllocation(byteCount: size, alignment: 16) { scratch -> StoredPage in
            let old = scratch.baseAddress!
            previous.expand(into: old, codec: codec)
            if memcmp(old, source, size) == 0 { return previous }
            let whole = wholeForm(of: source, codec: codec)
            guard previous.depth < maxDepth else { return StoredPage(bytes: whole, base: nil) }
            xor(old, with: source)
            if let delta = codec.compress(UnsafeRawBufferPointer(scratch)), delta.count < whole.count {
                return StoredPage(bytes: delta, base: previous)
            }
            return StoredPage(bytes: whole, base: nil)
        }
    }

    /// `bytes` in a buffer of its own size.
    private static func exactCopy(of bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: bytes)
        }
    }

    /// The codec's form of the page at `source` when smaller than a page, else its bytes.
    private static func wholeForm(of source: UnsafeRawPointer, codec: PageSnapshotCodec) -> [UInt8] {
        let size = PhysicalMemory.pageSize
        let page = UnsafeRawBufferPointer(start: source, count: size)
        if let compressed = codec.compress(page), compressed.count < size { return compressed }
        return [UInt8](page)
    }

    /// Writes the page's content to `destination` (4096 bytes): the whole page at the root of
    /// the chain, then each delta XORed on, oldest first.
    func expand(into destination: UnsafeMutableRawPointer, codec: PageSnapshotCodec) {
        if let base {
            base.expand(into: destination, codec: codec)
            xorDelta(into: destination, codec: codec)
            return
        }
        let size = PhysicalMemory.pageSize
        bytes.withUnsafeBytes { form in
            if form.count == size {
                destination.copyMemory(from: form.baseAddress!, byteCount: size)
                return
            }
            let ok = codec.expand(form, UnsafeMutableRawBufferPointer(start: destination, count: size))
            precondition(ok, "a checkpoint page does not expand to a page (the memory's codec changed?)")
        }
    }

    /// Turns `destination`, which holds `current`'s content, into this page's content by
    /// XORing the deltas between the two up to the newest page both chains share; false
    /// (nothing written) when they share none or that would expand no fewer blocks than
    /// `expand(into:codec:)`.
    func expand(into destination: UnsafeMutableRawPointer, holding current: StoredPage, codec: PageSnapshotCodec) -> Bool {
        var steps: [StoredPage] = []
        var mine: StoredPage = self, theirs: StoredPage = current
        while mine !== theirs {
            if mine.depth >= theirs.depth {
                guard let base = mine.base else { return false }
                steps.append(mine)
                mine = base
            } else {
                steps.append(theirs)
                theirs = theirs.base!
            }
            if steps.count > depth { return false }
        }
        for step in steps { step.xorDelta(into: destination, codec: codec) }
        return true
    }

    /// XORs this delta's expanded form into the 4096 bytes at `destination`.
    private func xorDelta(into destination: UnsafeMutableRawPointer, codec: PageSnapshotCodec) {
        let size = PhysicalMemory.pageSize
        withUnsafeTemporaryAllocation(byteCount: size, alignment: 16) { scratch in
            bytes.withUnsafeBytes { form in
                let ok = codec.expand(form, scratch)
                precondition(ok, "a checkpoint page delta does not expand to a page (the memory's codec changed?)")
            }
            Self.xor(destination, with: UnsafeRawPointer(scratch.baseAddress!))
        }
    }

    /// `destination[i] ^= source[i]` over a page, a word at a time.
    private static func xor(_ destination: UnsafeMutableRawPointer, with source: UnsafeRawPointer) {
        let words = PhysicalMemory.pageSize / 8
        for i in 0..<words {
            let offset = i &* 8
            let value = destination.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                ^ source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            destination.storeBytes(of: value, toByteOffset: offset, as: UInt64.self)
        }
    }

    /// Whether this page holds the same bytes as the page at `source`.
    func holds(sameAs source: UnsafeRawPointer, codec: PageSnapshotCodec) -> Bool {
        let size = PhysicalMemory.pageSize
        if base == nil, bytes.count == size { return bytes.withUnsafeBytes { memcmp($0.baseAddress!, source, size) == 0 } }
        return withUnsafeTemporaryAllocation(byteCount: size, alignment: 16) { scratch in
            expand(into: scratch.baseAddress!, codec: codec)
            return memcmp(scratch.baseAddress!, source, size) == 0
        }
    }
}
