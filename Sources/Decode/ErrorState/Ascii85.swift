/// i915's ascii85 variant for error-state buffers: each 32-bit dword becomes five characters
/// `'!' + digit` (base 85, most significant first), or `z` for a zero dword; no `<~ ~>` framing.
///
/// Linux: `ascii85_encode` in `i915_gpu_error.c`; Mesa: `ascii85_decode` in
/// `aubinator_error_decode.c`. The dword is the CPU's (little-endian) value, so a byte stream
/// (zlib output) is read as little-endian dwords, its last dword zero-padded.
public enum Ascii85 {
    /// Why a line stopped decoding.
    public enum Failure: Sendable, Equatable {
        /// A character outside `!`...`u` and `z` at this character index.
        case badCharacter(index: Int)
        /// The line ended inside a five-character group (a truncated line) at this index.
        case partialGroup(index: Int)
        /// A group whose value does not fit 32 bits, at this index.
        case overflow(index: Int)
    }

    /// Encodes dwords as i915 does.
    public static func encode<S: Sequence<UInt32>>(_ dwords: S) -> String {
        var out: [UInt8] = []
        for var value in dwords {
            if value == 0 {
                out.append(UInt8(ascii: "z"))
                continue
            }
            var group = [UInt8](repeating: 0, count: 5)
            for i in stride(from: 4, through: 0, by: -1) {
                group[i] = UInt8(33 + value % 85)
                value /= 85
            }
            out.append(contentsOf: group)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes the characters of one data line (after its `:` or `~` marker).
    ///
    /// Trailing whitespace (`\n`, `\r`, spaces) ends the data. Decoding stops at the first
    /// problem; the dwords before it are returned with the failure.
    public static func decode<C: Collection<UInt8>>(_ text: C) -> (dwords: ContiguousArray<UInt32>, failure: Failure?)
    where C.Index == Int {
        var out = ContiguousArray<UInt32>()
        out.reserveCapacity(text.count / 5 + 1)
        var i = text.startIndex
        let end = text.endIndex
        while i < end {
            let c = text[i]
            if c == 10 || c == 13 || c == 32 || c == 9 { break }
            if c == UInt8(ascii: "z") {
                out.append(0)
                i += 1
                continue
            }
            var value: UInt64 = 0
            for k in 0..<5 {
                guard i + k < end else { return (out, .partialGroup(index: i - text.startIndex)) }
                let d = text[i + k]
                if d == 10 || d == 13 || d == 32 || d == 9 { return (out, .partialGroup(index: i - text.startIndex)) }
                guard d >= 33, d <= 117 else { return (out, .badCharacter(index: i + k - text.startIndex)) }
                value = value * 85 + UInt64(d - 33)
            }
            guard value <= UInt64(UInt32.max) else { return (out, .overflow(index: i - text.startIndex)) }
            out.append(UInt32(value))
            i += 5
        }
        return (out, nil)
    }

    /// Little-endian dwords from bytes, the last one zero-padded (how i915 prints zlib output).
    public static func dwords(fromBytes bytes: [UInt8]) -> ContiguousArray<UInt32> {
        var out = ContiguousArray<UInt32>()
        out.reserveCapacity((bytes.count + 3) / 4)
        var index = 0
        while index < bytes.count {
            var word: UInt32 = 0
            for k in 0..<4 where index + k < bytes.count {
                word |= UInt32(bytes[index + k]) << UInt32(8 * k)
            }
            out.append(word)
            index += 4
        }
        return out
    }

    /// The bytes of little-endian dwords.
    public static func bytes<S: Sequence<UInt32>>(fromDwords dwords: S) -> [UInt8] {
        var out: [UInt8] = []
        for word in dwords {
            out.append(UInt8(truncatingIfNeeded: word))
            out.append(UInt8(truncatingIfNeeded: word >> 8))
            out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 24))
        }
        return out
    }
}
