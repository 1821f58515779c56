#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The writer's side of the content-addressed page store: decides whether a page's content
/// is already in the journal, and under which key.
///
/// A key is the content's xxHash64 plus a variant number. A hash hit is trusted only after
/// comparing bytes with a recently stored page (kept in a bounded LRU cache): equal bytes
/// reuse the key; different bytes (a collision) or bytes no longer cached get the next
/// variant and are stored again. So a key never names two contents, and memory stays
/// bounded (the cache) plus 12 bytes per distinct hash.
struct PageDeduplicator {
    /// Hash function (xxHash64; tests inject a colliding one).
    let hash: @Sendable (UnsafeRawBufferPointer) -> UInt64
    private var variants: [UInt64: UInt32] = [:]
    private var recent: LRUCache<PageKey, [UInt8]>
    /// How many newest variants of a hash are compared before storing a new one.
    private let variantsCompared: UInt32 = 4

    init(cacheBytes: Int, hash: @escaping @Sendable (UnsafeRawBufferPointer) -> UInt64) {
        self.hash = hash
        recent = LRUCache(budget: cacheBytes)
    }

    /// The key for `content` and whether it must be written (false when already stored).
    mutating func key(for content: UnsafeRawBufferPointer) -> (key: PageKey, isNew: Bool) {
        let h = hash(content)
        let known = variants[h] ?? 0
        var v = known
        var compared: UInt32 = 0
        while v > 0 && compared < variantsCompared {
            v -= 1
            compared += 1
            let key = PageKey(hash: h, variant: v)
            if let cached = recent.value(for: key),
               cached.count == content.count,
               cached.withUnsafeBytes({ memcmp($0.baseAddress!, content.baseAddress!, content.count) == 0 }) {
                return (key, false)
            }
        }
        precondition(known < UInt32.max, "too many variants of one page hash")
        let key = PageKey(hash: h, variant: known)
        variants[h] = known + 1
        recent.insert(Array(content), for: key, cost: content.count + 64)
        return (key, true)
    }
}

extension PageDeduplicator {
    /// The content stored under `key`, if it is still in the cache.
    mutating func content(of key: PageKey) -> [UInt8]? { recent.value(for: key) }

    /// Records that `content` is stored under `key` (salvage copies pages with their keys).
    mutating func register(_ key: PageKey, content: UnsafeRawBufferPointer) {
        variants[key.hash] = max(variants[key.hash] ?? 0, key.variant &+ 1)
        recent.insert(Array(content), for: key, cost: content.count + 64)
    }
}
