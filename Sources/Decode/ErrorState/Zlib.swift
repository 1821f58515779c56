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
        let decompressor: ZlibDecompressor
        do {
            decompressor = try ZlibDecompressor(algorithm: .zlib)
        } catch {
            return Inflated(bytes: [], complete: false, problem: "zlib could not start: \(error)")
        }
        var source = ByteBufferAllocator().buffer(capacity: input.count)
        source.writeBytes(input)
        var output: [UInt8] = []
        let (left, failure) = run(decompressor, &source, into: &output, maxOutput: maxOutput)
        if let failure { return Inflated(bytes: output, complete: false, problem: failure) }
        if left > 0 { return Inflated(bytes: output, complete: true, problem: nil) }  // stopped at the stream's end
        // All input consumed: complete only if zlib now refuses more input (stream ended).
        var probe = ByteBufferAllocator().buffer(capacity: 4)
        probe.writeBytes([0, 0, 0, 0])
        var scratch: [UInt8] = []
        let (probeLeft, _) = run(decompressor, &probe, into: &scratch, maxOutput: 1 << 16)
        if probeLeft == 4 && scratch.isEmpty { return Inflated(bytes: output, complete: true, problem: nil) }
        return Inflated(bytes: output, complete: false,
                        problem: "compressed data ends before the end of the zlib stream (truncated)")
    }

    /// Inflates `source` until it is used up, the stream ends or zlib fails; returns the
    /// input bytes left and the failure, if any.
    private static func run(
        _ decompressor: ZlibDecompressor, _ source: inout ByteBuffer, into output: inout [UInt8], maxOutput: Int
    ) -> (left: Int, failure: String?) {
        let total = source.readableBytes
        var window = ByteBufferAllocator().buffer(capacity: 1 << 16)
        while source.readableBytes > 0 {
            let before = source.readableBytes
            window.clear()
            var failure: String?
            do {
                try decompressor.inflate(from: &source, to: &window)
            } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                // Output window full, or input used up: go on / stop below.
            } catch {
                failure = "corrupt compressed data after \(total - source.readableBytes) bytes of input"
            }
            output.append(contentsOf: window.readableBytesView)
            if let failure { return (source.readableBytes, failure) }
            if output.count > maxOutput {
                output.removeLast(output.count - maxOutput)
                return (source.readableBytes, "output larger than \(maxOutput) bytes")
            }
            if source.readableBytes == before && window.readableBytes == 0 { break }  // stream ended
        }
        return (source.readableBytes, nil)
    }

    /// Deflates bytes into a zlib stream (for writing error states and tests).
    public static func deflate(_ input: [UInt8]) -> [UInt8] {
        var source = ByteBufferAllocator().buffer(capacity: input.count)
        source.writeBytes(input)
        guard let compressed = try? source.compress(with: .zlib) else { return [] }
        return Array(compressed.readableBytesView)
    }
}
