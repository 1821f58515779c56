/// Fixed-length indexed storage split into equal power-of-two chunks, each its own
/// copy-on-write array, so that a copy of the whole (a checkpoint) shares every chunk and a
/// write after the copy duplicates only the chunk it lands in.
///
/// Indexing is `chunks[index >> shift][index & mask]`: no allocation per access, bounds
/// checked by the two arrays. A fresh array filled with one value shares a single chunk
/// buffer among all its chunks until they are written, so a large, mostly untouched table
/// (the GGTT, a register file) costs little memory.
///
/// Equality and hashing are by element (the chunk size is not part of the value).
public struct ChunkedArray<Element: Sendable>: Sendable {
    /// The chunks; every chunk holds `1 << shift` elements except possibly the last.
    @usableFromInline var chunks: ContiguousArray<ContiguousArray<Element>>
    /// log2 of the elements per chunk.
    @usableFromInline let shift: Int
    /// Number of elements.
    public let count: Int

    /// `count` copies of `value` in chunks of `1 << chunkShift` elements (one shared buffer
    /// until written).
    public init(repeating value: Element, count: Int, chunkShift: Int = 10) {
        precondition(count >= 0, "ChunkedArray count must not be negative")
        precondition(chunkShift >= 0 && chunkShift < 31, "ChunkedArray chunk shift out of range")
        self.shift = chunkShift
        self.count = count
        let size = 1 << chunkShift
        let full = count >> chunkShift
        let rest = count & (size - 1)
        chunks = ContiguousArray()
        chunks.reserveCapacity(full + (rest > 0 ? 1 : 0))
        if full > 0 {
            let shared = ContiguousArray(repeating: value, count: size)
            for _ in 0..<full { chunks.append(shared) }
        }
        if rest > 0 { chunks.append(ContiguousArray(repeating: value, count: rest)) }
    }

    /// The elements of `elements`, in chunks of `1 << chunkShift`.
    public init(_ elements: some Sequence<Element>, chunkShift: Int = 10) {
        precondition(chunkShift >= 0 && chunkShift < 31, "ChunkedArray chunk shift out of range")
        self.shift = chunkShift
        let size = 1 << chunkShift
        var chunks = ContiguousArray<ContiguousArray<Element>>()
        var current = ContiguousArray<Element>()
        current.reserveCapacity(size)
        var count = 0
        for element in elements {
            current.append(element)
            count += 1
            if current.count == size {
                chunks.append(current)
                current = ContiguousArray()
                current.reserveCapacity(size)
            }
        }
        if !current.isEmpty { chunks.append(current) }
        self.chunks = chunks
        self.count = count
    }

    /// Elements per chunk.
    @inlinable public var chunkSize: Int { 1 << shift }

    /// Number of chunks.
    @inlinable public var chunkCount: Int { chunks.count }

    /// Element `index` (`0..<count`; out of range is a programmer error).
    @inlinable public subscript(index: Int) -> Element {
        get { chunks[index >> shift][index & ((1 << shift) - 1)] }
        _modify { yield &chunks[index >> shift][index & ((1 << shift) - 1)] }
        set { chunks[index >> shift][index & ((1 << shift) - 1)] = newValue }
    }

    /// Sets every element to `value`; afterwards all full chunks share one buffer again.
    public mutating func fill(with value: Element) {
        self = ChunkedArray(repeating: value, count: count, chunkShift: shift)
    }

    /// Calls `body` with the elements of chunk `chunk` (the elements from `chunk << shift`).
    @inlinable public func withChunk<R>(_ chunk: Int, _ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try chunks[chunk].withUnsafeBufferPointer(body)
    }

    // MARK: - Sharing

    /// Bytes of element storage held by chunks whose buffer is not also the same-index chunk of
    /// `previous` (all of them without one), plus the chunk table when it is not shared: what
    /// keeping this value costs on top of keeping `previous`. A run of chunks sharing one
    /// buffer (a fresh fill) counts once.
    public func bytesNotShared(with previous: ChunkedArray?) -> Int {
        let comparable = previous.map { $0.shift == shift } ?? false
        if comparable, let previous, Self.sameTable(chunks, previous.chunks) { return 0 }
        var bytes = tableBytes
        for i in chunks.indices {
            if comparable, let previous, i < previous.chunks.count, Self.sameBuffer(chunks[i], previous.chunks[i]) { continue }
            if i > 0 && Self.sameBuffer(chunks[i], chunks[i - 1]) { continue }
            bytes += chunks[i].count * MemoryLayout<Element>.stride
        }
        return bytes
    }

    /// The bytes of the chunk table (one reference per chunk).
    public var tableBytes: Int { chunks.count * MemoryLayout<ContiguousArray<Element>>.stride }

    /// True when both hold exactly the same chunk buffers (a copy not written since).
    public func sharesAllStorage(with other: ChunkedArray) -> Bool {
        guard other.shift == shift, other.chunks.count == chunks.count else { return false }
        for i in chunks.indices where !Self.sameBuffer(chunks[i], other.chunks[i]) { return false }
        return true
    }

    /// Number of chunks whose buffer is the same-index chunk's buffer of `other`.
    public func sharedChunkCount(with other: ChunkedArray) -> Int {
        guard other.shift == shift else { return 0 }
        var shared = 0
        for i in 0..<Swift.min(chunks.count, other.chunks.count) where Self.sameBuffer(chunks[i], other.chunks[i]) { shared += 1 }
        return shared
    }

    static func sameTable(_ a: ContiguousArray<ContiguousArray<Element>>, _ b: ContiguousArray<ContiguousArray<Element>>) -> Bool {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in pa.baseAddress == pb.baseAddress && pa.count == pb.count } }
    }

    @usableFromInline static func sameBuffer(_ a: ContiguousArray<Element>, _ b: ContiguousArray<Element>) -> Bool {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in pa.baseAddress == pb.baseAddress } }
    }
}

extension ChunkedArray: RandomAccessCollection, MutableCollection {
    /// Always 0.
    @inlinable public var startIndex: Int { 0 }
    /// `count`.
    @inlinable public var endIndex: Int { count }
}

extension ChunkedArray: Equatable where Element: Equatable {
    /// Element-wise equality; chunks sharing a buffer are equal without a look at their elements.
    public static func == (a: Self, b: Self) -> Bool {
        guard a.count == b.count else { return false }
        if a.shift == b.shift { return a.chunks == b.chunks }
        return a.elementsEqual(b)
    }
}

extension ChunkedArray: Hashable where Element: Hashable {
    /// Hashes the count and every element in order (independent of the chunk size).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for chunk in chunks {
            for element in chunk { hasher.combine(element) }
        }
    }
}

extension ContiguousArray {
    /// True when `other` is a copy of this array not written since (they share one buffer).
    public func sharesBuffer(with other: ContiguousArray) -> Bool {
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count } }
    }

    /// Bytes of element storage, unless `previous` shares the buffer (then 0): what keeping
    /// this array costs on top of keeping `previous`.
    public func bytesNotShared(with previous: ContiguousArray?) -> Int {
        if let previous, sharesBuffer(with: previous) { return 0 }
        return count * MemoryLayout<Element>.stride
    }
}

extension Array {
    /// True when `other` is a copy of this array not written since (they share one buffer).
    public func sharesBuffer(with other: Array) -> Bool {
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count } }
    }

    /// Bytes of element storage, unless `previous` shares the buffer (then 0).
    public func bytesNotShared(with previous: Array?) -> Int {
        if let previous, sharesBuffer(with: previous) { return 0 }
        return count * MemoryLayout<Element>.stride
    }
}
