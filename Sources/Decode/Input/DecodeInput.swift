import GPUModel

/// The kinds of input `gvtrr decode` understands.
public enum InputFormat: String, Sendable, CaseIterable, Equatable {
    /// Raw little-endian dwords, as dumped from memory.
    case bin
    /// Hex text: `0x...` words or bare 8-digit groups, optionally after an `offset:` prefix.
    case hex
    /// An i915 error state (`/sys/class/drm/card0/error`).
    case errorState = "error-state"
}

/// Dwords read from a hex or binary input, with where they came from.
public struct DwordInput: Sendable, Equatable {
    /// The dwords in input order.
    public var dwords: ContiguousArray<UInt32>
    /// The offset printed before the first dword (hex text with `offset:` prefixes), if any.
    public var firstOffset: UInt64?
    /// Bytes at the end of a binary input that do not make a whole dword (ignored).
    public var trailingBytes: Int
    /// Text lines that held no dwords and were skipped (1-based line numbers, first few only).
    public var skippedLines: [Int]

    /// A dword input.
    public init(dwords: ContiguousArray<UInt32>, firstOffset: UInt64? = nil, trailingBytes: Int = 0, skippedLines: [Int] = []) {
        self.dwords = dwords
        self.firstOffset = firstOffset
        self.trailingBytes = trailingBytes
        self.skippedLines = skippedLines
    }
}

/// Reading and recognising decoder input: raw dwords, hex text and i915 error states.
public enum DecodeInput {
    /// Guesses the format of `bytes` (only the first 64 KiB are looked at).
    ///
    /// Binary unless the sample is printable text; text with error-state markers (`PCI ID:`,
    /// `command stream:`, ` --- `, `GPU HANG`) is an error state; other text is hex.
    public static func detectFormat<C: Collection<UInt8>>(_ bytes: C) -> InputFormat {
        let sample = Array(bytes.prefix(65_536))
        if sample.isEmpty { return .bin }
        for byte in sample where !(byte == 9 || byte == 10 || byte == 13 || (byte >= 32 && byte < 127)) {
            return .bin
        }
        let text = String(decoding: sample, as: UTF8.self)
        let markers = ["PCI ID:", " command stream:", " --- ", "GPU HANG", "Kernel: ", "EIR: 0x"]
        if markers.contains(where: { text.contains($0) }) { return .errorState }
        return .hex
    }

    /// Raw little-endian dwords; a partial dword at the end is counted, not read.
    public static func dwords<C: Collection<UInt8>>(fromBinary bytes: C) -> DwordInput {
        var out = ContiguousArray<UInt32>()
        out.reserveCapacity(bytes.count / 4)
        var word: UInt32 = 0
        var shift: UInt32 = 0
        for byte in bytes {
            word |= UInt32(byte) << shift
            shift += 8
            if shift == 32 {
                out.append(word)
                word = 0
                shift = 0
            }
        }
        return DwordInput(dwords: out, trailingBytes: Int(shift / 8))
    }

    /// Dwords from hex text as debuggers and kernel logs print them.
    ///
    /// Each line may start with an `offset:` prefix (`0x1000:`, `00001000 :`); then every
    /// token that is a hex number of at most 8 digits (with or without `0x`) is a dword, until
    /// the first token that is not (a trailing `:` ends the line after that dword, as in
    /// `intel_error_decode`'s `0x1000:  0x7a000004: PIPE_CONTROL`). `#` starts a comment.
    public static func dwords(fromHex text: Substring) -> DwordInput {
        var out = ContiguousArray<UInt32>()
        var firstOffset: UInt64?
        var skipped: [Int] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var body = line
            if let hash = body.firstIndex(of: "#") { body = body[..<hash] }
            var tokens = body.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "," })
            if tokens.isEmpty { continue }
            // An offset prefix: "0x1000:" or "00001000" ":" .
            var offset: UInt64?
            if tokens[0].hasSuffix(":"), tokens.count > 1, let value = parseHex(tokens[0].dropLast(), maxDigits: 16) {
                offset = value
                tokens.removeFirst()
            } else if tokens.count > 2, tokens[1] == ":", let value = parseHex(tokens[0], maxDigits: 16) {
                offset = value
                tokens.removeFirst(2)
            }
            let hadDwords = !out.isEmpty
            var found = false
            for token in tokens {
                let endsLine = token.hasSuffix(":")
                let digits = endsLine ? token.dropLast() : token
                guard let value = parseHex(digits, maxDigits: 8) else { break }
                out.append(UInt32(value))
                found = true
                if endsLine { break }
            }
            if found {
                if !hadDwords { firstOffset = offset }
            } else if skipped.count < 8 {
                skipped.append(lineNumber)
            }
        }
        return DwordInput(dwords: out, firstOffset: firstOffset, skippedLines: skipped)
    }

    /// Parses `0x`-prefixed or bare hex with at most `maxDigits` digits.
    static func parseHex(_ token: Substring, maxDigits: Int) -> UInt64? {
        var digits = token
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= maxDigits else { return nil }
        return UInt64(digits, radix: 16)
    }
}
