/// A page stored as the bytes that differ from an earlier stored page (format version 2):
/// guests rewrite a few dwords of a ring or a batch page far more often than whole pages.
///
/// ```
/// patch := run*            run := skip:varint length:varint bytes[length]
/// ```
/// Runs are applied in order to a copy of the base: skip `skip` bytes, replace `length`
/// bytes. The result has the base's length. Differences closer than `mergeGap` bytes are
/// merged into one run (a run header costs about two bytes).
enum PagePatch {
    /// Unchanged bytes shorter than this between two differences are carried in the run.
    static let mergeGap = 4

    /// The patch turning `base` into `content` (same length).
    static func make(from base: UnsafeRawBufferPointer, to content: UnsafeRawBufferPointer) -> [UInt8] {
        precondition(base.count == content.count, "a patch joins pages of the same length")
        var out = ByteWriter()
        var at = 0, cursor = 0
        let n = content.count
        while at < n {
            // Equal stretches (most of a page) are skipped eight bytes at a time.
            while at + 8 <= n && base.loadUnaligned(fromByteOffset: at, as: UInt64.self)
                == content.loadUnaligned(fromByteOffset: at, as: UInt64.self) {
                at += 8
            }
            guard at < n else { break }
            if base[at] == content[at] {
                at += 1
                continue
            }
            let start = at
            var end = at + 1
            var gap = 0
            var k = end
            while k < n && gap < mergeGap {
                if base[k] == content[k] { gap += 1 } else { gap = 0; end = k + 1 }
                k += 1
            }
            out.varint(UInt64(start - cursor))
            out.varint(UInt64(end - start))
            out.append(UnsafeRawBufferPointer(rebasing: content[start..<end]))
            cursor = end
            at = end
        }
        return out.bytes
    }

    /// `base` with `patch` applied; throws on a patch that does not fit the base.
    static func apply(_ patch: UnsafeRawBufferPointer, to base: [UInt8]) throws(DecodeFailure) -> [UInt8] {
        var result = base
        var r = ByteReader(patch)
        var cursor = 0
        while !r.isAtEnd {
            let skip = try r.varint(), length = try r.varint()
            guard skip <= UInt64(result.count - cursor), length <= UInt64(result.count - cursor) - skip else {
                throw r.fail("page patch run (skip \(skip), length \(length)) runs past the \(result.count)-byte page")
            }
            cursor += Int(skip)
            let bytes = try r.bytes(Int(length))
            result.replaceSubrange(cursor..<cursor + Int(length), with: bytes)
            cursor += Int(length)
        }
        return result
    }
}
