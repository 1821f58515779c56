/// One step of a walk through a journal's frames.
enum WalkStep {
    /// A verified LZ4 frame: where it starts, its length in the file, its raw content.
    case frame(offset: UInt64, length: UInt64, content: [UInt8])
    /// A skippable section of the journal's trailer starts here (no more event frames).
    case trailer(offset: UInt64, section: JournalFormat.Section)
    /// The end of the file, at a frame boundary.
    case end
    /// The bytes at `offset` do not form a readable frame.
    case damage(offset: UInt64, reason: String)
}

/// Walks a journal's frames from an offset: decodes LZ4 frames (releasing content only
/// once `LZ4F_decompress` reports the verified frame end), skips skippable frames that are
/// not trailer sections, and stops at the first damage. Memory: one frame's content.
final class FrameWalker {
    let source: any ByteSource
    private let decompressor = LZ4FrameDecompressor()
    private var buffer: [UInt8] = []
    /// Offset of the next frame.
    private(set) var offset: UInt64
    /// Largest frame content seen (bounded-memory tests).
    private(set) var peakContentBytes = 0

    init(source: any ByteSource, from offset: UInt64) {
        self.source = source
        self.offset = offset
    }

    /// Moves to another frame boundary.
    func seek(to offset: UInt64) { self.offset = offset }

    /// The next step; I/O errors are thrown as `JournalError.cannotRead`.
    func next() throws(JournalError) -> WalkStep {
        while true {
            if let step = try step() { return step }
        }
    }

    /// One frame: a step, or nil after skipping a foreign skippable frame.
    private func step() throws(JournalError) -> WalkStep? {
        let size = source.size
        guard offset < size else { return .end }
        let at = offset
        let head = try read(at, 8)
        guard head.count >= 4 else {
            return .damage(offset: at, reason: "the file ends \(head.count) bytes into a frame's magic number")
        }
        let magic = UInt32(head[0]) | UInt32(head[1]) << 8 | UInt32(head[2]) << 16 | UInt32(head[3]) << 24
        if magic == JournalFormat.lz4FrameMagic {
            let outcome: LZ4FrameOutcome
            do {
                outcome = try decompressor.decodeFrame(at: at, contentLimit: JournalFormat.maxFrameContent, reusing: &buffer) {
                    try self.source.read(at: $0, count: $1)
                }
            } catch {
                throw .cannotRead(path: source.name, reason: "\(error)")
            }
            switch outcome {
            case let .complete(content, length):
                offset = at + UInt64(length)
                peakContentBytes = max(peakContentBytes, buffer.count)
                return .frame(offset: at, length: UInt64(length), content: content)
            case .truncated:
                return .damage(offset: at, reason: "the LZ4 frame starting here is torn (the file ends inside it)")
            case let .corrupt(failure):
                return .damage(offset: at, reason: "the LZ4 frame starting here does not verify (\(failure.name))")
            case .tooLarge:
                return .damage(offset: at, reason: "the LZ4 frame starting here holds more than \(JournalFormat.maxFrameContent >> 20) MiB")
            }
        }
        if JournalFormat.skippableMagicRange.contains(magic) {
            guard head.count == 8 else {
                return .damage(offset: at, reason: "the file ends inside a skippable frame's header")
            }
            let length = UInt64(head[4]) | UInt64(head[5]) << 8 | UInt64(head[6]) << 16 | UInt64(head[7]) << 24
            guard at + 8 + length <= size else {
                return .damage(offset: at, reason: "the skippable frame starting here is torn (it needs \(length) bytes, the file ends sooner)")
            }
            if let section = JournalFormat.Section(rawValue: magic),
               [.index, .pages, .summary, .end].contains(section) {
                return .trailer(offset: at, section: section)
            }
            offset = at + 8 + length
            return nil
        }
        return .damage(offset: at, reason: "unknown frame magic \(hexWord(magic)) (expected an LZ4 or skippable frame)")
    }

    /// The payload of the skippable frame at `offset` if it is `section` and its checksum
    /// verifies (nil otherwise); the checksum is stripped.
    func section(_ section: JournalFormat.Section, at offset: UInt64) throws(JournalError) -> [UInt8]? {
        let head = try read(offset, 8)
        guard head.count == 8 else { return nil }
        let magic = UInt32(head[0]) | UInt32(head[1]) << 8 | UInt32(head[2]) << 16 | UInt32(head[3]) << 24
        let length = UInt64(head[4]) | UInt64(head[5]) << 8 | UInt64(head[6]) << 16 | UInt64(head[7]) << 24
        let checksumSize = JournalFormat.sectionChecksumSize
        guard magic == section.rawValue, length >= UInt64(4 + checksumSize), length <= UInt64(JournalFormat.maxSectionSize),
              offset + 8 + length <= source.size else { return nil }
        var payload = try read(offset + 8, Int(length))
        guard payload.count == Int(length) else { return nil }
        let stored = payload[(payload.count - checksumSize)...].enumerated()
            .reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        payload.removeLast(checksumSize)
        guard XXHash64.hash(payload) == stored, Array(payload[0..<4]) == section.tag else { return nil }
        return payload
    }

    private func read(_ at: UInt64, _ count: Int) throws(JournalError) -> [UInt8] {
        do {
            return try source.read(at: at, count: count)
        } catch {
            throw .cannotRead(path: source.name, reason: "\(error)")
        }
    }
}

/// "0x184d2204".
func hexWord(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
