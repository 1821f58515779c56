internal import CLZ4

/// The only file that calls liblz4: every result goes through `LZ4F_isError` and becomes a
/// `LZ4Failure` value (swift-system's funnel habit). No C type leaves this file.
struct LZ4Failure: Error, Equatable, CustomStringConvertible {
    /// liblz4's error name, e.g. "ERROR_contentChecksum_invalid".
    var name: String
    var description: String { name }
}

@inline(__always) private func check(_ code: Int) throws(LZ4Failure) -> Int {
    if LZ4F_isError(code) != 0 {
        throw LZ4Failure(name: String(cString: LZ4F_getErrorName(code)))
    }
    return code
}

/// Compresses whole frames: one `LZ4F_compressBegin`, one `LZ4F_compressUpdate` for the
/// frame's block of records, one `LZ4F_compressEnd`. Content checksum on, linked 256 KiB
/// blocks, content size recorded. One per writer; not shareable between threads.
final class LZ4FrameCompressor {
    private var context: OpaquePointer?
    private var preferences: LZ4F_preferences_t
    private var output: [UInt8] = []

    /// A compressor; `level` is liblz4's (0 = fast default, like `lz4 -1`).
    init(level: Int32 = 0) {
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.blockSizeID = LZ4F_max256KB
        prefs.frameInfo.blockMode = LZ4F_blockLinked
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        prefs.frameInfo.frameType = LZ4F_frame
        prefs.compressionLevel = level
        preferences = prefs
        let code = LZ4F_createCompressionContext(&context, UInt32(LZ4F_VERSION))
        precondition(LZ4F_isError(code) == 0 && context != nil, "liblz4 could not allocate a compression context")
    }

    deinit { LZ4F_freeCompressionContext(context) }

    /// The complete LZ4 frame holding `raw`.
    func frame(_ raw: UnsafeRawBufferPointer) throws(LZ4Failure) -> [UInt8] {
        var prefs = preferences
        prefs.frameInfo.contentSize = UInt64(raw.count)
        let bound = LZ4F_compressBound(raw.count, &prefs) + LZ4F_compressBound(0, &prefs) + 32  // header ≤ 19 bytes
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let context = self.context
        let result = output.withUnsafeMutableBytes { dst -> Result<Int, LZ4Failure> in
            Result { () throws(LZ4Failure) -> Int in
                var at = try check(LZ4F_compressBegin(context, dst.baseAddress, dst.count, &prefs))
                if raw.count > 0 {
                    at += try check(LZ4F_compressUpdate(context, dst.baseAddress! + at, dst.count - at,
                                                        raw.baseAddress, raw.count, nil))
                }
                at += try check(LZ4F_compressEnd(context, dst.baseAddress! + at, dst.count - at, nil))
                return at
            }
        }
        return Array(output[0..<(try result.get())])
    }

    /// An LZ4 frame with no content (the first frame of a journal, as the LZ4 spec advises).
    func emptyFrame() throws(LZ4Failure) -> [UInt8] {
        try frame(UnsafeRawBufferPointer(start: nil, count: 0))
    }
}

/// The outcome of decoding one LZ4 frame.
enum LZ4FrameOutcome {
    /// The frame decoded and its checksum verified: its content and its total length in the file.
    case complete(content: [UInt8], length: Int)
    /// The input ended inside the frame (a torn frame): nothing of it is released.
    case truncated
    /// liblz4 reported an error (corrupt data, checksum mismatch): its name.
    case corrupt(LZ4Failure)
    /// The content would exceed the limit the reader accepts.
    case tooLarge
}

/// Decodes LZ4 frames one at a time. Content is released only when `LZ4F_decompress`
/// returns 0 (frame end, checksum verified); after an error the context is reset.
final class LZ4FrameDecompressor {
    private var context: OpaquePointer?

    init() {
        let code = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        precondition(LZ4F_isError(code) == 0 && context != nil, "liblz4 could not allocate a decompression context")
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    /// Decodes the frame that starts at `offset`, pulling input with `read(offset, count)`
    /// (which returns fewer bytes at the end of the input). `contentLimit` bounds the output.
    func decodeFrame(at offset: UInt64, contentLimit: Int, reusing buffer: inout [UInt8],
                     read: (UInt64, Int) throws -> [UInt8]) rethrows -> LZ4FrameOutcome {
        LZ4F_resetDecompressionContext(context)
        var produced = 0
        var consumed = 0
        let chunk = 64 << 10
        if buffer.count < 64 << 10 { buffer = [UInt8](repeating: 0, count: 64 << 10) }
        while true {
            let input = try read(offset + UInt64(consumed), chunk)
            if input.isEmpty { return .truncated }
            var inputUsed = 0
            while inputUsed < input.count {
                if produced == buffer.count {
                    guard buffer.count < contentLimit else {
                        LZ4F_resetDecompressionContext(context)
                        return .tooLarge
                    }
                    buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, contentLimit - buffer.count)))
                }
                var srcSize = input.count - inputUsed
                var dstSize = buffer.count - produced
                let code = input.withUnsafeBytes { src in
                    buffer.withUnsafeMutableBytes { dst in
                        LZ4F_decompress(context, dst.baseAddress! + produced, &dstSize,
                                        src.baseAddress! + inputUsed, &srcSize, nil)
                    }
                }
                if LZ4F_isError(code) != 0 {
                    let failure = LZ4Failure(name: String(cString: LZ4F_getErrorName(code)))
                    LZ4F_resetDecompressionContext(context)
                    return .corrupt(failure)
                }
                inputUsed += srcSize
                produced += dstSize
                if code == 0 {
                    consumed += inputUsed
                    return .complete(content: Array(buffer[0..<produced]), length: consumed)
                }
                if srcSize == 0 && dstSize == 0 {
                    // No progress with room on both sides: cannot happen with a sane liblz4.
                    return .corrupt(LZ4Failure(name: "no progress"))
                }
            }
            consumed += inputUsed
            if input.count < chunk { return .truncated }
        }
    }
}

/// The linked liblz4's version number (e.g. 10904 for 1.9.4).
func lz4LibraryVersion() -> Int { Int(LZ4_versionNumber()) }

/// LZ4 block compression of small buffers (no frame, no checksum), for callers outside the
/// journal that keep data in memory compressed: replay checkpoints keep memory pages this way.
public enum LZ4Block {
    /// `source` compressed, or nil if that would not be smaller than `source`.
    public static func compress(_ source: UnsafeRawBufferPointer) -> [UInt8]? {
        guard source.count > 1, source.count <= Int(Int32.max) else { return nil }
        var out = [UInt8](repeating: 0, count: source.count - 1)
        let length = out.withUnsafeMutableBytes { o in
            LZ4_compress_default(source.baseAddress!.assumingMemoryBound(to: CChar.self),
                                 o.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(source.count), Int32(o.count))
        }
        guard length > 0 else { return nil }
        out.removeLast(out.count - Int(length))
        return out
    }

    /// Expands `compressed` into `destination`; true only if it fills `destination` exactly.
    public static func expand(_ compressed: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Bool {
        guard compressed.count > 0, let source = compressed.baseAddress, let out = destination.baseAddress,
              compressed.count <= Int(Int32.max), destination.count <= Int(Int32.max) else { return false }
        let n = LZ4_decompress_safe(source.assumingMemoryBound(to: CChar.self), out.assumingMemoryBound(to: CChar.self),
                                    Int32(compressed.count), Int32(destination.count))
        return n == Int32(destination.count)
    }
}
