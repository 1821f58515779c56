/// Which frame stores each page: the trailer's pages section kept as it is written, sorted
/// by key, in three parallel arrays and looked up by binary search. A page costs 16 bytes
/// here (a dictionary costs about three times that and hashes every key while it is built),
/// so loading it on a seek's first page miss stays quick on journals of millions of pages.
struct PageIndex {
    private var hashes = ContiguousArray<UInt64>()
    private var variants = ContiguousArray<UInt32>()
    private var frames = ContiguousArray<UInt32>()

    /// The index of a pages section payload (`JournalIndex.encodedPagesPayload`); throws
    /// when it does not decode or names a frame past `frameCount`. Entries out of order (a
    /// writer that did not sort) are sorted here.
    init(payload: [UInt8], frameCount: Int) throws(DecodeFailure) {
        var hashes = ContiguousArray<UInt64>(), variants = ContiguousArray<UInt32>(), frames = ContiguousArray<UInt32>()
        var sorted = true
        try JournalIndex.forEachPage(in: payload, frameCount: frameCount, reserve: { count in
            hashes.reserveCapacity(count)
            variants.reserveCapacity(count)
            frames.reserveCapacity(count)
        }) { key, frame in
            if let lastHash = hashes.last, let lastVariant = variants.last,
               (lastHash, lastVariant) >= (key.hash, key.variant) { sorted = false }
            hashes.append(key.hash)
            variants.append(key.variant)
            frames.append(UInt32(frame))  // frame < frameCount, and frame counts fit 32 bits
        }
        self.hashes = hashes
        self.variants = variants
        self.frames = frames
        if !sorted { sortByKey() }
    }

    /// The index of a scan's pages (an incomplete journal has no trailer to read).
    init(_ pages: [PageKey: Int]) {
        for key in pages.keys.sorted() {
            hashes.append(key.hash)
            variants.append(key.variant)
            frames.append(UInt32(truncatingIfNeeded: pages[key]!))
        }
    }

    /// Number of pages.
    var count: Int { hashes.count }

    /// The frame that stores `key`, or nil.
    func frame(of key: PageKey) -> Int? {
        var low = 0, high = hashes.count
        while low < high {
            let mid = (low + high) / 2
            if (hashes[mid], variants[mid]) < (key.hash, key.variant) { low = mid + 1 } else { high = mid }
        }
        guard low < hashes.count, hashes[low] == key.hash, variants[low] == key.variant else { return nil }
        return Int(frames[low])
    }

    /// The same as a dictionary (`JournalReader.index()` hands it out so).
    var dictionary: [PageKey: Int] {
        var out: [PageKey: Int] = [:]
        out.reserveCapacity(count)
        for i in hashes.indices { out[PageKey(hash: hashes[i], variant: variants[i])] = Int(frames[i]) }
        return out
    }

    /// Sorts the entries by key; a key listed twice keeps its first frame.
    private mutating func sortByKey() {
        let order = hashes.indices.sorted { (hashes[$0], variants[$0], $0) < (hashes[$1], variants[$1], $1) }
        var h = ContiguousArray<UInt64>(), v = ContiguousArray<UInt32>(), f = ContiguousArray<UInt32>()
        for i in order where h.last != hashes[i] || v.last != variants[i] {
            h.append(hashes[i])
            v.append(variants[i])
            f.append(frames[i])
        }
        (hashes, variants, frames) = (h, v, f)
    }
}
