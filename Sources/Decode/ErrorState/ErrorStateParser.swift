import GPUModel

/// Parses i915 error states of every kernel age into an `ErrorState`.
///
/// Understands the header (`Kernel:`, `Platform:`, `PCI ID:`), engine sections
/// (`<engine> command stream:` then `  KEY: 0x...` lines), buffer headers
/// (`<engine> --- <name> = 0x<hi> <lo>` or `= 0x<offset>`), and buffer data as `:` (zlib +
/// ascii85), `~` (ascii85) or the old `%08x :  %08x` lines. Mesa's `aubinator_error_decode`
/// and IGT's `intel_error_decode` read the same format. Damage never stops the parse: it is
/// recorded in `problems` with its line, and the data before it is kept.
public enum ErrorStateParser {
    /// Parses the bytes of an error-state file.
    public static func parse<C: Collection<UInt8>>(_ input: C) -> ErrorState {
        let bytes = Array(input)
        var state = ErrorState()
        var parser = Parser()
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            lineNumber += 1
            let terminated = lineEnd < bytes.count
            var contentEnd = lineEnd
            if contentEnd > lineStart && bytes[contentEnd - 1] == 13 { contentEnd -= 1 }
            parser.line(bytes, lineStart..<contentEnd, number: lineNumber, terminated: terminated, into: &state)
            lineStart = lineEnd + 1
        }
        parser.finish(lineNumber: lineNumber, into: &state)
        return state
    }

    private struct Parser {
        enum Section { case header, engine, other }
        var section = Section.header
        /// Buffer waiting for its data lines.
        var pending: Int?
        /// Buffer receiving old-style hex lines.
        var hexBuffer: Int?
        var sawEngineOrBuffer = false

        mutating func line(_ bytes: [UInt8], _ range: Range<Int>, number: Int, terminated: Bool, into state: inout ErrorState) {
            guard !range.isEmpty else { return }
            let first = bytes[range.lowerBound]
            // Ascii85 data of the pending buffer.
            if first == UInt8(ascii: ":") || first == UInt8(ascii: "~") {
                hexBuffer = nil
                guard let index = pending else {
                    state.problems.append(.init(line: number, message: "buffer data without a buffer header; ignored"))
                    return
                }
                pending = nil
                decodeAscii85(bytes, range.lowerBound + 1..<range.upperBound, compressed: first == UInt8(ascii: ":"),
                              buffer: index, number: number, terminated: terminated, into: &state)
                return
            }
            let text = String(decoding: bytes[range], as: UTF8.self)
            // Old kernels: one dword per line.
            if let (offset, value) = Self.hexLine(text) {
                if hexBuffer == nil, let index = pending {
                    hexBuffer = index
                    pending = nil
                    state.buffers[index].encoding = .hexLines
                }
                guard let index = hexBuffer else {
                    state.problems.append(.init(line: number, message: "dword line without a buffer header; ignored"))
                    return
                }
                let expected = UInt32(truncatingIfNeeded: state.buffers[index].dwords.count * 4)
                if offset != expected {
                    state.problems.append(.init(line: number, message: "\(state.buffers[index].name): dword at offset \(hex(offset)) where \(hex(expected)) was expected; lines missing"))
                    hexBuffer = nil
                    return
                }
                state.buffers[index].dwords.append(value)
                return
            }
            if hexBuffer != nil { hexBuffer = nil }
            if let dashes = text.firstRange(of: " --- ") {
                startBuffer(text, dashes: dashes, number: number, into: &state)
                return
            }
            if pending != nil, text.hasPrefix("gtt_page_sizes") { return }
            if pending != nil {
                let name = state.buffers[pending!].name
                state.problems.append(.init(line: number, message: "buffer \(name) has no data line"))
                pending = nil
            }
            if first != UInt8(ascii: " ") && first != 9 {
                if text.hasSuffix(" command stream:") {
                    let name = String(text.dropLast(" command stream:".count))
                    state.engines.append(.init(name: name, engine: EngineNames.engine(name), registers: []))
                    section = .engine
                    sawEngineOrBuffer = true
                    return
                }
                if section == .engine { section = .other }
                if !sawEngineOrBuffer, let field = Self.field(text) {
                    state.header.append(field)
                }
                return
            }
            // Indented line.
            if section == .engine, let field = Self.field(text) {
                state.engines[state.engines.count - 1].registers.append(field)
            } else if section == .header, let field = Self.field(text) {
                state.header.append(field)
            }
        }

        mutating func startBuffer(_ text: String, dashes: Range<String.Index>, number: Int, into state: inout ErrorState) {
            let engineName = String(text[..<dashes.lowerBound])
            let rest = text[dashes.upperBound...]
            section = .other
            sawEngineOrBuffer = true
            guard let equals = rest.firstRange(of: " = ") else { return }  // e.g. "render ring --- 3 requests"
            let name = String(rest[..<equals.lowerBound])
            let value = Self.hexValue(rest[equals.upperBound...]) ?? 0
            let lower = name.lowercased()
            let kind: ErrorState.BufferKind =
                lower.hasPrefix("ring") ? .ring
                : (lower == "gtt_offset" || lower.contains("batch")) ? .batch
                : lower.contains("context") ? .context : .other
            state.buffers.append(.init(
                engineName: engineName, engine: EngineNames.engine(engineName), name: name, kind: kind,
                gttOffset: GraphicsAddress(value), dwords: [], encoding: .missing, line: number))
            pending = state.buffers.count - 1
        }

        func decodeAscii85(_ bytes: [UInt8], _ range: Range<Int>, compressed: Bool, buffer index: Int, number: Int,
                           terminated: Bool, into state: inout ErrorState) {
            let name = state.buffers[index].name
            let (words, failure) = bytes.withUnsafeBufferPointer { all in
                Ascii85.decode(UnsafeBufferPointer(rebasing: all[range]))
            }
            if let failure {
                let message: String
                switch failure {
                case .badCharacter(let i): message = "ascii85 data of \(name) damaged: bad character at column \(i + 2)"
                case .partialGroup(let i): message = "ascii85 data of \(name) ends inside a group at column \(i + 2) (truncated)"
                case .overflow(let i): message = "ascii85 data of \(name) damaged: group at column \(i + 2) exceeds 32 bits"
                }
                state.problems.append(.init(line: number, message: message + "; \(words.count) dwords read"))
            }
            if compressed {
                state.buffers[index].encoding = .ascii85Zlib
                let inflated = Zlib.inflate(Ascii85.bytes(fromDwords: words))
                state.buffers[index].dwords = Ascii85.dwords(fromBytes: Array(inflated.bytes.prefix(inflated.bytes.count & ~3)))
                if !inflated.complete && failure == nil {
                    state.problems.append(.init(line: number, message: "compressed data of \(name): \(inflated.problem ?? "incomplete"); \(inflated.bytes.count / 4) dwords recovered"))
                }
            } else {
                state.buffers[index].encoding = .ascii85
                state.buffers[index].dwords = words
                if !terminated && failure == nil {
                    state.problems.append(.init(line: number, message: "file ends inside the data of \(name) (no end of line): truncated?"))
                }
            }
        }

        mutating func finish(lineNumber: Int, into state: inout ErrorState) {
            if let index = pending {
                state.problems.append(.init(line: lineNumber, message: "file ends after the header of buffer \(state.buffers[index].name), before its data (truncated)"))
            }
        }

        /// `%08x :  %08x` (offset, value).
        static func hexLine(_ text: String) -> (UInt32, UInt32)? {
            let utf8 = Array(text.utf8)
            guard utf8.count == 20, utf8[8] == 32, utf8[9] == UInt8(ascii: ":"), utf8[10] == 32, utf8[11] == 32,
                  utf8[0..<8].allSatisfy(isHexDigit), utf8[12..<20].allSatisfy(isHexDigit),
                  let offset = UInt32(String(decoding: utf8[0..<8], as: UTF8.self), radix: 16),
                  let value = UInt32(String(decoding: utf8[12..<20], as: UTF8.self), radix: 16)
            else { return nil }
            return (offset, value)
        }

        static func isHexDigit(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
        }

        /// `Key: value` or `key = value` (leading spaces trimmed).
        static func field(_ line: String) -> ErrorState.Field? {
            let text = line.drop(while: { $0 == " " || $0 == "\t" })
            let colon = text.firstRange(of: ": ") ?? (text.hasSuffix(":") ? text.index(before: text.endIndex)..<text.endIndex : nil)
            let equals = text.firstRange(of: " = ")
            let separator: Range<Substring.Index>
            switch (colon, equals) {
            case (let c?, let e?): separator = c.lowerBound < e.lowerBound ? c : e
            case (let c?, nil): separator = c
            case (nil, let e?): separator = e
            default: return nil
            }
            let key = String(text[..<separator.lowerBound]).trimmingSpaces()
            let value = String(text[separator.upperBound...]).trimmingSpaces()
            guard !key.isEmpty else { return nil }
            return ErrorState.Field(key: key, text: value, value: hexValue(Substring(value)))
        }

        /// The first hex number: `0x1234`, `0x%08x %08x`, `0x%08x_%08x`, or a bare hex token.
        static func hexValue(_ text: Substring) -> UInt64? {
            let chars = Array(text.utf8)
            var i = 0
            if let range = text.firstRange(of: "0x") {
                i = text.utf8.distance(from: text.startIndex, to: range.upperBound)
            } else {
                // A bare hex token that is the whole first word.
                let word = chars.prefix(while: { $0 != 32 })
                guard !word.isEmpty, word.count <= 16, word.allSatisfy(isHexDigit) else { return nil }
                return UInt64(String(decoding: word, as: UTF8.self), radix: 16)
            }
            var j = i
            while j < chars.count && isHexDigit(chars[j]) { j += 1 }
            guard j > i, j - i <= 16, var value = UInt64(String(decoding: chars[i..<j], as: UTF8.self), radix: 16) else { return nil }
            // "0x%08x %08x" / "0x%08x_%08x": high then low half.
            if j - i == 8, j + 9 <= chars.count, chars[j] == 32 || chars[j] == UInt8(ascii: "_") {
                let k = j + 1
                let lowDigits = chars[k..<(k + 8)]
                let after = k + 8 < chars.count ? chars[k + 8] : 32
                if lowDigits.allSatisfy(isHexDigit), !isHexDigit(after),
                   let low = UInt64(String(decoding: lowDigits, as: UTF8.self), radix: 16) {
                    value = value << 32 | low
                }
            }
            return value
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
