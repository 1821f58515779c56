/// Where everything is: one entry per LZ4 event frame, and the frame of every stored page.
///
/// Written in the trailer by a clean close; rebuilt by scanning otherwise.
public struct JournalIndex: Sendable, Equatable {
    /// One LZ4 frame of records.
    public struct Frame: Sendable, Equatable {
        /// Byte offset of the frame in the file.
        public var offset: UInt64
        /// Compressed length in the file.
        public var length: UInt64
        /// Raw (decompressed) length.
        public var rawLength: UInt64
        /// Number of events in the frame.
        public var events: UInt64
        /// Sequence of the first event (a frame without events repeats the previous frame's last).
        public var firstSequence: UInt64
        /// Sequence of the last event.
        public var lastSequence: UInt64
        /// Timestamp of the first event.
        public var firstTime: UInt64
        /// A frame entry.
        public init(offset: UInt64, length: UInt64, rawLength: UInt64, events: UInt64,
                    firstSequence: UInt64, lastSequence: UInt64, firstTime: UInt64) {
            self.offset = offset
            self.length = length
            self.rawLength = rawLength
            self.events = events
            self.firstSequence = firstSequence
            self.lastSequence = lastSequence
            self.firstTime = firstTime
        }
    }

    /// The frames, in file order.
    public var frames: [Frame] = []
    /// Page key → index into `frames` of the frame holding the page.
    public var pages: [PageKey: Int] = [:]

    /// An empty index.
    public init() {}

    /// Index of the first frame that may hold `sequence` or a later event.
    public func frameIndex(forSequence sequence: UInt64) -> Int {
        var low = 0, high = frames.count
        while low < high {
            let mid = (low + high) / 2
            if frames[mid].lastSequence < sequence { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The index section's payload.
    func encodedPayload() -> [UInt8] {
        var w = ByteWriter()
        w.bytes += JournalFormat.Section.index.tag
        w.varint(UInt64(frames.count))
        for f in frames {
            w.varint(f.offset); w.varint(f.length); w.varint(f.rawLength); w.varint(f.events)
            w.varint(f.firstSequence); w.varint(f.lastSequence); w.varint(f.firstTime)
        }
        return w.bytes
    }

    /// The pages section's payload (sorted by key, so the bytes do not depend on hashing order).
    func encodedPagesPayload() -> [UInt8] {
        var w = ByteWriter()
        w.bytes += JournalFormat.Section.pages.tag
        w.varint(UInt64(pages.count))
        for key in pages.keys.sorted() {
            w.u64le(key.hash); w.varint(key.variant); w.varint(UInt64(pages[key]!))
        }
        return w.bytes
    }

    /// Calls `body` with each (key, frame) of a pages payload, after `reserve` with their count;
    /// throws on a payload that does not decode or names a frame past `frameCount`.
    static func forEachPage(in pages: [UInt8], frameCount: Int, reserve: (Int) -> Void = { _ in },
                            _ body: (PageKey, Int) -> Void) throws(DecodeFailure) {
        let result = pages.withUnsafeBytes { pr in
            Result { () throws(DecodeFailure) in
                var p = ByteReader(pr)
                guard try p.bytes(4) == JournalFormat.Section.pages.tag else { throw p.fail("bad pages tag") }
                let pageCount = try p.varint()
                guard pageCount <= UInt64(p.remaining / 10) else { throw p.fail("page count \(pageCount) exceeds the section") }
                reserve(Int(pageCount))
                for _ in 0..<pageCount {
                    let key = PageKey(hash: try p.u64le(), variant: try p.varint(UInt32.self))
                    let frame = try p.varint()
                    guard frame < UInt64(frameCount) else { throw p.fail("page frame \(frame) out of range") }
                    body(key, Int(frame))
                }
            }
        }
        try result.get()
    }

    /// Decodes the index payload (frames; no pages).
    static func decode(index: [UInt8]) throws(DecodeFailure) -> JournalIndex {
        let result = index.withUnsafeBytes { ir in
                Result { () throws(DecodeFailure) -> JournalIndex in
                    var out = JournalIndex()
                    var r = ByteReader(ir)
                    guard try r.bytes(4) == JournalFormat.Section.index.tag else { throw r.fail("bad index tag") }
                    let count = try r.varint()
                    guard count <= UInt64(r.remaining / 7) else { throw r.fail("frame count \(count) exceeds the section") }
                    out.frames.reserveCapacity(Int(count))
                    for _ in 0..<count {
                        out.frames.append(Frame(offset: try r.varint(), length: try r.varint(), rawLength: try r.varint(),
                                                events: try r.varint(), firstSequence: try r.varint(),
                                                lastSequence: try r.varint(), firstTime: try r.varint()))
                    }
                    return out
                }
        }
        return try result.get()
    }
}
