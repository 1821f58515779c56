import CompressNIO
import NIOCore

/// The one funnel to zlib (through CompressNIO) for error-state buffers.
///
/// i915 compresses each buffer with zlib (`:` marker) and pads the stream to whole dwords.
public enum Zlib {
    /// The result of inflating a possibly damaged stream.
    public struct Inflated: Sendable, Equatable {
        /// The bytes produced (all of them when complete; those before the damage otherwise).
        public var bytes: [UInt8]
        /// Whether the stream reached its end (checksum verified by zlib).
        public var complete: Bool
        /// What went wrong when not complete.
        public var problem: String?
    }

    /// Inflates a zlib stream; trailing padding after the stream's end is ignored.
    ///
    /// A truncated or corrupt stream yields the bytes produced before the problem.
    public static func inflate(_ input: [UInt8], maxOutput: Int = 1 << 30) -> Inflated {
        var source = ByteBufferAllocator().buffer(capacity: input.count + 4)
        source.writeBytes(input)
        // Four zero bytes of sentinel: a complete stream stops before them; a truncated one
        // consumes them (or fails on them), so "input left over" means "stream ended".
        source.writeBytes([0, 0, 0, 0])
        let decompressor: ZlibDecompressor
        do {
            decompressor = try ZlibDecompressor(algorithm: .zlib)
        } catch {
            return Inflated(bytes: [], complete: false, problem: "zlib could not start: \(error)")
        }
        var output: [UInt8] = []
        var window = ByteBufferAllocator().buffer(capacity: 1 << 16)
        var problem: String?
        while source.readableBytes > 0 {
            let before = source.readableBytes
            window.clear()
            var progressed = false
            do {
                try decompressor.inflate(from: &source, to: &window)
            } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                // Output window full, or input exhausted: keep going / stop below.
            } catch {
                problem = "corrupt compressed data after \(input.count - min(input.count, source.readableBytes)) bytes of input"
            }
            if window.readableBytes > 0 {
                output.append(contentsOf: window.readableBytesView)
                progressed = true
            }
            if output.count > maxOutput {
                return Inflated(bytes: Array(output.prefix(maxOutput)), complete: false,
                                problem: "output larger than \(maxOutput) bytes")
            }
            if problem != nil { break }
            if source.readableBytes == before && !progressed { break }  // stream ended
        }
        let complete = problem == nil && source.readableBytes > 0
        if !complete && problem == nil {
            problem = "compressed data ends before the end of the zlib stream (truncated)"
        }
        return Inflated(bytes: output, complete: complete, problem: problem)
    }

    /// Deflates bytes into a zlib stream (for writing error states and tests).
    public static func deflate(_ input: [UInt8]) -> [UInt8] {
        var source = ByteBufferAllocator().buffer(capacity: input.count)
        source.writeBytes(input)
        guard let compressed = try? source.compress(with: .zlib) else { return [] }
        return Array(compressed.readableBytesView)
    }
}
