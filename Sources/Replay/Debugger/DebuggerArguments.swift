import GPUModel
import Mediator

/// A command the debugger could not carry out: the message says why (never a crash).
public struct DebuggerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, one line.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Parsing of the debugger's arguments: numbers (decimal, `0x` hex, `#` sequence), engines,
/// pipes, ranges.
enum DebuggerArguments {
    /// `123`, `0x7b`, `#123`, `1_000`; nil if not a number.
    static func number(_ text: String) -> UInt64? {
        var t = text.lowercased().replacingOccurrences(of: "_", with: "")
        if t.hasPrefix("#") { t.removeFirst() }
        if t.hasPrefix("0x") { return UInt64(t.dropFirst(2), radix: 16) }
        return UInt64(t)
    }

    static func number(_ text: String?, _ what: String) throws(DebuggerError) -> UInt64 {
        guard let text else { throw DebuggerError("missing \(what)") }
        guard let value = number(text) else { throw DebuggerError("\(what) must be a number (decimal or 0x hex), not \"\(text)\"") }
        return value
    }

    static func int(_ text: String?, _ what: String, max: Int = Int.max) throws(DebuggerError) -> Int {
        let value = try number(text, what)
        guard value <= UInt64(max) else { throw DebuggerError("\(what) \(value) is too large (at most \(max))") }
        return Int(value)
    }

    static func engine(_ text: String?) throws(DebuggerError) -> EngineID {
        guard let text else { throw DebuggerError("missing engine (rcs, bcs, vcs, vecs)") }
        if let engine = EngineID(name: text) { return engine }
        if let n = number(text), n < UInt64(EngineID.count) { return EngineID.at(index: Int(n)) }
        throw DebuggerError("unknown engine \"\(text)\" (rcs, bcs, vcs, vecs)")
    }

    static func pipe(_ text: String?) throws(DebuggerError) -> Pipe {
        guard let text, let pipe = Pipe.allCases.first(where: { $0.letter.lowercased() == text.lowercased() }) else {
            throw DebuggerError("unknown pipe \"\(text ?? "")\" (A, B, C)")
        }
        return pipe
    }

    static func register(_ text: String?) throws(DebuggerError) -> MMIOOffset {
        guard let text else { throw DebuggerError("missing register (a name like RCS_RING_TAIL or an offset)") }
        if let n = number(text) {
            guard n < UInt64(RegisterCatalogue.mmioSize) else { throw DebuggerError("register offset \(text) is outside the 2 MiB MMIO space") }
            return MMIOOffset(UInt32(n))
        }
        if let info = RegisterCatalogue.gen9.register(named: text.uppercased()) ?? RegisterCatalogue.gen9.register(named: text) {
            return info.offset
        }
        throw DebuggerError("unknown register \"\(text)\"")
    }

    /// `FIRST-LAST` (inclusive), `FIRST+COUNT` or `FIRST`; numbers at or above 0x100000 are
    /// graphics addresses (converted to entry indices), smaller ones entry indices.
    static func ggttRange(_ text: String?) throws(DebuggerError) -> (first: Int, count: Int) {
        guard let text else { throw DebuggerError("missing range (INDEX, FIRST-LAST, FIRST+COUNT; addresses 0x100000 and up)") }
        func index(_ s: Substring) throws(DebuggerError) -> Int {
            guard let n = number(String(s)) else { throw DebuggerError("bad range \"\(text)\"") }
            let i = n >= UInt64(GGTT.entryCount) ? n >> 12 : n
            guard i < UInt64(GGTT.entryCount) else { throw DebuggerError("\(s) is beyond the 4 GiB GGTT") }
            return Int(i)
        }
        if let dash = text.firstIndex(of: "-") {
            let a = try index(text[..<dash]), b = try index(text[text.index(after: dash)...])
            guard b >= a else { throw DebuggerError("range \(text) is empty") }
            return (a, b - a + 1)
        }
        if let plus = text.firstIndex(of: "+") {
            let a = try index(text[..<plus])
            guard let n = number(String(text[text.index(after: plus)...])), n > 0 else { throw DebuggerError("bad count in \"\(text)\"") }
            return (a, Int(min(n, UInt64(GGTT.entryCount))))
        }
        return (try index(Substring(text)), 1)
    }
}
