/// Fixed-length indexed storage split into small power-of-two leaf chunks, grouped under a
/// two-level table, each leaf and each group table its own copy-on-write array, so that a
/// copy of the whole (a checkpoint) shares everything and a write after the copy duplicates
/// only the leaf it lands in, that leaf's group table and the (short) top table.
///
/// Indexing is `groups[index >> (shift + groupShift)][(index >> shift) & groupMask][index & leafMask]`:
/// no allocation per access, bounds checked by the three arrays (partial last groups and
/// leaves are sized exactly). A fresh array filled with one value shares a single leaf buffer
/// among all its full leaves and a single group table among all its full groups until they
/// are written, so a large, mostly untouched table (the GGTT, a register file) costs little.
///
/// Equality and hashing are by element (the chunk and group sizes are not part of the value).
public struct ChunkedArray<Element: Sendable>: Sendable {
    /// Group tables of leaves; every group holds `1 << groupShift` leaves and every leaf
    /// `1 << shift` elements, except possibly the last group and its last leaf.
    @usableFromInline var groups: ContiguousArray<ContiguousArray<ContiguousArray<Element>>>
    /// log2 of the elements per leaf chunk.
    @usableFromInline let shift: Int
    /// log2 of the leaf chunks per group.
    @usableFromInline let groupShift: Int
    /// `shift + groupShift`: log2 of the elements per group.
    @usableFromInline let topShift: Int
    /// `(1 << shift) - 1`: an element's index within its leaf.
    @usableFromInline let leafMask: Int
    /// `(1 << groupShift) - 1`: a leaf's index within its group.
    @usableFromInline let groupMask: Int
    /// Number of elements.
    public let count: Int

    /// `count` copies of `value` in leaf chunks of `1 << chunkShift` elements, `1 << groupShift`
    /// leaves per group (one shared leaf buffer and one shared group table until written).
    public init(repeating value: Element, count: Int, chunkShift: Int = 6, groupShift: Int = 6) {
        precondition(count >= 0, "ChunkedArray count must not be negative")
        Self.checkShifts(chunkShift, groupShift)
        self.shift = chunkShift
        self.groupShift = groupShift
        self.topShift = chunkShift + groupShift
        self.leafMask = (1 << chunkShift) - 1
        self.groupMask = (1 << groupShift) - 1
        self.count = count
        let leafSize = 1 << chunkShift
        let fullGroups = count >> topShift
        let rest = count & ((1 << topShift) - 1)
        let fullLeaf = fullGroups > 0 || rest >= leafSize ? ContiguousArray(repeating: value, count: leafSize) : []
        groups = ContiguousArray()
        groups.reserveCapacity(fullGroups + (rest > 0 ? 1 : 0))
        if fullGroups > 0 {
            let fullGroup = ContiguousArray(repeating: fullLeaf, count: 1 << groupShift)
            for _ in 0..<fullGroups { groups.append(fullGroup) }
        }
        if rest > 0 {
            var last = ContiguousArray(repeating: fullLeaf, count: rest >> chunkShift)
            let tail = rest & (leafSize - 1)
            if tail > 0 { last.append(ContiguousArray(repeating: value, count: tail)) }
            groups.append(last)
        }
    }

    /// The elements of `elements`, in leaf chunks of `1 << chunkShift`, `1 << groupShift` leaves per group.
    public init(_ elements: some Sequence<Element>, chunkShift: Int = 6, groupShift: Int = 6) {
        Self.checkShifts(chunkShift, groupShift)
        self.shift = chunkShift
        self.groupShift = groupShift
        self.topShift = chunkShift + groupShift
        self.leafMask = (1 << chunkShift) - 1
        self.groupMask = (1 << groupShift) - 1
        let leafSize = 1 << chunkShift, groupSize = 1 << groupShift
        var groups = ContiguousArray<ContiguousArray<ContiguousArray<Element>>>()
        var group = ContiguousArray<ContiguousArray<Element>>()
        var leaf = ContiguousArray<Element>()
        leaf.reserveCapacity(leafSize)
        var count = 0
        for element in elements {
            leaf.append(element)
            count += 1
            if leaf.count == leafSize {
                group.append(leaf)
                leaf = ContiguousArray()
                leaf.reserveCapacity(leafSize)
                if group.count == groupSize {
                    groups.append(group)
                    group = ContiguousArray()
                }
            }
        }
        if !leaf.isEmpty { group.append(leaf) }
        if !group.isEmpty { groups.append(group) }
        self.groups = groups
        self.count = count
    }

    static func checkShifts(_ chunkShift: Int, _ groupShift: Int) {
        precondition(chunkShift >= 0 && groupShift >= 0 && chunkShift + groupShift < 48, "ChunkedArray shifts out of range")
    }

    /// Elements per leaf chunk.
    @inlinable public var chunkSize: Int { 1 << shift }

    /// Number of leaf chunks (the last may be partial).
    @inlinable public var chunkCount: Int { count == 0 ? 0 : ((count - 1) >> shift) + 1 }

    /// Leaf chunks per group.
    @inlinable public var groupSize: Int { 1 << groupShift }

    /// Number of groups (the entries of the top table; the last may be partial).
    @inlinable public var groupCount: Int { groups.count }

    /// Element `index` (`0..<count`; out of range is a programmer error).
    ///
    /// Masking shifts (`&>>`, shift amounts are checked at init) keep this branch-free apart
    /// from the three bounds checks; a negative index fails the top table's.
    @inlinable public subscript(index: Int) -> Element {
        get { groups[index &>> topShift][(index &>> shift) & groupMask][index & leafMask] }
        _modify { yield &groups[index &>> topShift][(index &>> shift) & groupMask][index & leafMask] }
        set { groups[index &>> topShift][(index &>> shift) & groupMask][index & leafMask] = newValue }
    }

    /// Sets every element to `value`; afterwards all full leaves share one buffer (and all
    /// full groups one table) again.
    public mutating func fill(with value: Element) {
        self = ChunkedArray(repeating: value, count: count, chunkShift: shift, groupShift: groupShift)
    }

    /// Calls `body` with the elements of leaf chunk `chunk` (the elements from `chunk << chunkShift`).
    @inlinable public func withChunk<R>(_ chunk: Int, _ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try groups[chunk >> groupShift][chunk & groupMask].withUnsafeBufferPointer(body)
    }

    /// Leaf chunk `chunk`.
    @usableFromInline func leaf(_ chunk: Int) -> ContiguousArray<Element> {
        groups[chunk >> groupShift][chunk & groupMask]
    }

    // MARK: - Sharing

    /// Bytes held by leaves and tables that `previous` does not share (all of them without
    /// one): every distinct leaf buffer and group table that is not the same-index leaf or
    /// group of `previous`, plus the top table when it is not shared. What keeping this value
    /// costs on top of keeping `previous`. A buffer shared by several leaves or groups (a
    /// fresh fill) counts once. Arrays of another chunk or group size share nothing.
    public func bytesNotShared(with previous: ChunkedArray?) -> Int {
        let previous = previous.flatMap { $0.shift == shift && $0.groupShift == groupShift ? $0 : nil }
        if let previous, Self.sameBuffer(groups, previous.groups) { return 0 }
        var bytes = topTableBytes
        var counted = Set<UnsafeRawPointer>()  // membership only, never iterated
        for g in groups.indices {
            let group = groups[g]
            let old = previous.flatMap { g < $0.groups.count ? $0.groups[g] : nil }
            if let old, Self.sameBuffer(group, old) { continue }
            guard counted.insert(Self.address(group)).inserted else { continue }
            bytes += group.count * MemoryLayout<ContiguousArray<Element>>.stride
            for c in group.indices {
                let leaf = group[c]
                if let old, c < old.count, Self.sameBuffer(leaf, old[c]) { continue }
                if leaf.isEmpty || !counted.insert(Self.address(leaf)).inserted { continue }
                bytes += leaf.count * MemoryLayout<Element>.stride
            }
        }
        return bytes
    }

    /// Bytes of the top table (one reference per group).
    public var topTableBytes: Int { groups.count * MemoryLayout<ContiguousArray<ContiguousArray<Element>>>.stride }

    /// Bytes of all tables: the top table and every group table (one reference per leaf),
    /// whether shared or not.
    public var tableBytes: Int { topTableBytes + chunkCount * MemoryLayout<ContiguousArray<Element>>.stride }

    /// True when both hold exactly the same leaf buffers (a copy not written since).
    public func sharesAllStorage(with other: ChunkedArray) -> Bool {
        guard other.shift == shift, other.groupShift == groupShift, other.count == count else { return false }
        if Self.sameBuffer(groups, other.groups) { return true }
        for g in groups.indices where !Self.sameBuffer(groups[g], other.groups[g]) {
            let a = groups[g], b = other.groups[g]
            for c in a.indices where !Self.sameBuffer(a[c], b[c]) { return false }
        }
        return true
    }

    /// Number of leaf chunks whose buffer is the same-index leaf's buffer of `other`.
    public func sharedChunkCount(with other: ChunkedArray) -> Int {
        guard other.shift == shift, other.groupShift == groupShift else { return 0 }
        var shared = 0
        for g in 0..<Swift.min(groups.count, other.groups.count) {
            let a = groups[g], b = other.groups[g]
            if Self.sameBuffer(a, b) {
                shared += a.count
                continue
            }
            for c in 0..<Swift.min(a.count, b.count) where Self.sameBuffer(a[c], b[c]) { shared += 1 }
        }
        return shared
    }

    /// True when `a` and `b` are one buffer (copies not written since).
    @usableFromInline static func sameBuffer<T>(_ a: ContiguousArray<T>, _ b: ContiguousArray<T>) -> Bool {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in pa.baseAddress == pb.baseAddress && pa.count == pb.count } }
    }

    /// The address of `array`'s elements (its identity while not written).
    static func address<T>(_ array: ContiguousArray<T>) -> UnsafeRawPointer {
        array.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
    }
}

extension ChunkedArray: RandomAccessCollection, MutableCollection {
    /// Always 0.
    @inlinable public var startIndex: Int { 0 }
    /// `count`.
    @inlinable public var endIndex: Int { count }
}

extension ChunkedArray: Equatable where Element: Equatable {
    /// Element-wise equality; leaves (and groups) sharing a buffer are equal without a look at
    /// their elements.
    public static func == (a: Self, b: Self) -> Bool {
        guard a.count == b.count else { return false }
        if a.shift == b.shift {
            if a.groupShift == b.groupShift { return a.groups == b.groups }
            for c in 0..<a.chunkCount where a.leaf(c) != b.leaf(c) { return false }
            return true
        }
        return a.elementsEqual(b)
    }
}

extension ChunkedArray: Hashable where Element: Hashable {
    /// Hashes the count and every element in order (independent of the chunk and group sizes).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for group in groups {
            for leaf in group {
                for element in leaf { hasher.combine(element) }
            }
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
