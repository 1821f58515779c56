/// Constants of the on-disk journal format (docs/journal-format.md).
public enum JournalFormat {
    /// The format version this code writes.
    ///
    /// Bump this when a reader of the previous version would misread a journal written by
    /// this code: a changed record body layout for an existing kind (other than fields
    /// appended at the end), a changed delta rule, a changed section payload layout, a new
    /// mandatory section. Do NOT bump it for a new event kind (old readers see it as an
    /// `.extension`), for fields appended to an existing kind's payload (old readers skip
    /// them), or for new header JSON keys. When you bump it, keep reading the old version
    /// (and its test fixture) until `minimumReadableVersion` moves past it, and update
    /// `readableByVersion` if the new files cannot be read by older readers.
    public static let version: UInt32 = 3

    /// The oldest format version this code still reads.
    public static let minimumReadableVersion: UInt32 = 1

    /// The oldest reader version able to read what this code writes (stored in the header so
    /// an older reader can decide whether a newer file is still safe for it).
    public static let readableByVersion: UInt32 = 3

    /// The customary file extension.
    public static let fileExtension = "gvtj"

    /// Magic number of a standard LZ4 frame.
    static let lz4FrameMagic: UInt32 = 0x184D_2204
    /// Skippable frames use magic numbers 0x184D2A50 through 0x184D2A5F.
    static let skippableMagicRange: ClosedRange<UInt32> = 0x184D_2A50...0x184D_2A5F
    /// Bytes of a skippable frame's header (magic + LE u32 size).
    static let skippableHeaderSize = 8
    /// Largest raw content of one LZ4 frame a reader accepts.
    static let maxFrameContent = 64 << 20
    /// Largest skippable section a reader accepts (the index of a very long capture fits).
    static let maxSectionSize = 1 << 30

    /// The journal's sections stored in skippable frames, by magic number.
    enum Section: UInt32, CaseIterable {
        case header = 0x184D_2A50
        case lifecycle = 0x184D_2A51
        case index = 0x184D_2A52
        case pages = 0x184D_2A53
        case summary = 0x184D_2A54
        case end = 0x184D_2A5F

        /// The 4-byte ASCII tag that starts the section's payload.
        var tag: [UInt8] {
            switch self {
            case .header: Array("GVTH".utf8)
            case .lifecycle: Array("GVTL".utf8)
            case .index: Array("GVTI".utf8)
            case .pages: Array("GVTP".utf8)
            case .summary: Array("GVTS".utf8)
            case .end: Array("GVTE".utf8)
            }
        }
    }

    /// Lifecycle payload while writing (rr's `incomplete` marker).
    static let incompleteState = Array("INCOMPLT".utf8)
    /// Lifecycle payload after a clean close.
    static let completeState = Array("COMPLETE".utf8)
    /// Payload size of the lifecycle section: tag, state, u64 offset of the end section.
    static let lifecyclePayloadSize = 4 + 8 + 8
    /// Payload size of the end section: tag, offsets of index, pages, summary, event count.
    static let endPayloadSize = 4 + 8 * 4
    /// Bytes of the xxHash64 that ends every section.
    static let sectionChecksumSize = 8
    /// Size of the end section on disk.
    static let endFrameSize = skippableHeaderSize + endPayloadSize + sectionChecksumSize

    /// A skippable frame holding `payload` (which starts with the section's tag), followed by
    /// the xxHash64 of the payload so that any damage to a section is detected.
    static func skippableFrame(_ section: Section, payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: payload.count + 16)
        w.u32le(section.rawValue)
        w.u32le(UInt32(payload.count + sectionChecksumSize))
        w.bytes.append(contentsOf: payload)
        w.u64le(XXHash64.hash(payload))
        return w.bytes
    }

    /// The lifecycle frame in state `state`, pointing at the end section (0 while incomplete).
    static func lifecycleFrame(state: [UInt8], endOffset: UInt64) -> [UInt8] {
        var w = ByteWriter()
        w.bytes += Section.lifecycle.tag
        w.bytes += state
        w.u64le(endOffset)
        return skippableFrame(.lifecycle, payload: w.bytes)
    }
}
