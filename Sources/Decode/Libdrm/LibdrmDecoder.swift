internal import CDRMIntel
import Foundation

/// One command as libdrm_intel's decoder reported it.
public struct LibdrmCommand: Sendable, Equatable {
    /// Byte offset in the buffer.
    public var offset: Int
    /// libdrm's name for it ("MI_LOAD_REGISTER_IMM", "MI UNKNOWN", "PIPE_CONTROL"...).
    public var name: String
    /// Dwords it consumed (distance to the next command it printed).
    public var length: Int
}

/// libdrm_intel's batch decoder (`drm_intel_decode`) as a second opinion.
///
/// The one funnel to that library. It is not thread-safe (its output `FILE*` and head/tail are
/// globals), so every call is serialised behind one process-wide lock; it keeps the batch
/// pointer, so it runs inside the closure that pins the buffer. Output is captured with
/// `open_memstream`. It decodes Gen9 at Gen7/Gen8-fallback quality (see dependencies.md):
/// "Bad length" warnings, PIPE_CONTROL flags undecoded, MI_ARB_CHECK unknown.
public enum LibdrmDecoder {
    /// Apollo Lake GT (Gen9) device id.
    public static let apolloLake: UInt32 = 0x5A84

    private static let lock = NSLock()

    /// libdrm's text output for `dwords` placed at graphics address `address` (low 32 bits).
    public static func decodeText(_ dwords: [UInt32], address: UInt32 = 0, deviceID: UInt32 = apolloLake) -> String {
        guard !dwords.isEmpty else { return "" }
        lock.lock()
        defer { lock.unlock() }
        var text = ""
        var copy = dwords
        copy.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let context = drm_intel_decode_context_alloc(deviceID) else { return }
            defer { drm_intel_decode_context_free(context) }
            var memory: UnsafeMutablePointer<CChar>?
            var size = 0
            guard let stream = open_memstream(&memory, &size) else { return }
            drm_intel_decode_set_batch_pointer(context, base, address, Int32(buffer.count))
            drm_intel_decode_set_head_tail(context, ~0, ~0)
            drm_intel_decode_set_output_file(context, stream)
            drm_intel_decode(context)
            fclose(stream)
            if let memory {
                text = String(cString: memory)
                free(memory)
            }
        }
        return text
    }

    /// libdrm's decode of `dwords`, parsed into (offset, name, dwords consumed).
    public static func decode(_ dwords: [UInt32], address: UInt32 = 0, deviceID: UInt32 = apolloLake) -> [LibdrmCommand] {
        parse(decodeText(dwords, address: address, deviceID: deviceID), address: address, totalDwords: dwords.count)
    }

    /// Parses libdrm's text: a command line is `0x<addr>:  0x<dword>: <NAME...>` with one
    /// space before the name; detail lines have more. A command's length is the distance to
    /// the next command (libdrm may skip printing dwords it consumed); the last runs to the end.
    public static func parse(_ text: String, address: UInt32, totalDwords: Int) -> [LibdrmCommand] {
        var commands: [LibdrmCommand] = []
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("0x"), let firstColon = line.firstIndex(of: ":") else { continue }
            guard let lineAddress = UInt32(line[line.index(line.startIndex, offsetBy: 2)..<firstColon], radix: 16) else { continue }
            let rest = line[line.index(after: firstColon)...].drop(while: { $0 == " " })
            guard rest.hasPrefix("0x"), let secondColon = rest.firstIndex(of: ":") else { continue }
            let after = rest[rest.index(after: secondColon)...]
            guard after.hasPrefix(" "), !after.hasPrefix("  ") else { continue }  // detail line
            var name = String(after.dropFirst())
            // "MI_FLUSH_DW post_sync_op='no write'" / "PIPE_CONTROL: no write, ..." -> the command name.
            if name.hasPrefix("MI UNKNOWN") {
                name = "MI UNKNOWN"
            } else if let end = name.firstIndex(where: { $0 == " " || $0 == ":" || $0 == "(" }) {
                name = String(name[..<end])
            }
            let offset = Int(lineAddress &- address)
            if var last = commands.popLast() {
                last.length = (offset - last.offset) / 4
                commands.append(last)
            }
            commands.append(LibdrmCommand(offset: offset, name: name, length: 0))
        }
        if var last = commands.popLast() {
            last.length = totalDwords - last.offset / 4
            commands.append(last)
        }
        return commands
    }
}
