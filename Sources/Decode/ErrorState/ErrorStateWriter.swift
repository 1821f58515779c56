import GPUModel

/// Writes an `ErrorState` in i915's text format: the reader's other half, so the two cannot drift.
///
/// Buffers are written in their `encoding`: `:` zlib + ascii85 and `~` ascii85 as newer kernels
/// do (`print_error_vma`), or one `%08x :  %08x` line per dword as older kernels did.
public enum ErrorStateWriter {
    /// The text of `state` (problems are not written).
    public static func write(_ state: ErrorState) -> String {
        var out = ""
        for field in state.header { out += "\(field.key): \(field.text)\n" }
        for engine in state.engines {
            out += "\(engine.name) command stream:\n"
            for field in engine.registers { out += "  \(field.key): \(field.text)\n" }
        }
        for buffer in state.buffers {
            let address = buffer.gttOffset.rawValue
            if buffer.encoding == .hexLines {
                out += "\(buffer.engineName) --- \(buffer.name) = \(hex(address, width: 8))\n"
            } else {
                out += "\(buffer.engineName) --- \(buffer.name) = \(hex(address >> 32, width: 8)) \(hex8(address & 0xFFFF_FFFF))\n"
            }
            switch buffer.encoding {
            case .ascii85Zlib:
                let compressed = Zlib.deflate(Ascii85.bytes(fromDwords: buffer.dwords))
                out += ":" + Ascii85.encode(Ascii85.dwords(fromBytes: compressed)) + "\n"
            case .ascii85:
                out += "~" + Ascii85.encode(buffer.dwords) + "\n"
            case .hexLines:
                for (i, word) in buffer.dwords.enumerated() {
                    out += "\(hex8(UInt32(i * 4))) :  \(hex8(word))\n"
                }
            case .missing:
                break
            }
        }
        return out
    }

    /// Eight lower-case hex digits without `0x`.
    static func hex8<T: BinaryInteger>(_ value: T) -> String {
        String(hex(value, width: 8).dropFirst(2))
    }
}
