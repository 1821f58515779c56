/// Decodes trapping instructions, caching by instruction bytes: guests execute the same
/// few MMIO moves again and again, and a capstone decode costs far more than a lookup.
public final class InstructionDecodeCache {
    private let capstone: CapstoneX86
    private var cache: [InstructionKey: MMIOInstruction] = [:]
    /// Decodes answered from the cache.
    public private(set) var hits = 0
    /// Decodes that went to capstone.
    public private(set) var misses = 0

    public init() throws(X86DecodeError) { capstone = try CapstoneX86() }

    /// The MMIO access encoded at the start of `bytes` (at most 15 are looked at).
    /// RIP-relative operands are cached without the address (it is applied later).
    public func decode(_ bytes: [UInt8]) throws(X86DecodeError) -> MMIOInstruction {
        let window = Array(bytes.prefix(15))
        let key = InstructionKey(window)
        if let hit = cache[key] {
            hits += 1
            return hit
        }
        misses += 1
        let decoded = try capstone.decode(window, address: 0)
        // Cache under the exact instruction bytes so trailing bytes do not split entries.
        cache[InstructionKey(Array(window.prefix(decoded.length)))] = decoded
        cache[key] = decoded
        return decoded
    }

    /// capstone's text for display.
    public func disassemble(_ bytes: [UInt8], address: UInt64 = 0) -> String? { capstone.disassemble(bytes, address: address) }

    /// Fraction of decodes served from the cache.
    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
}

/// Up to 15 instruction bytes packed into two words plus a length: a cheap dictionary key.
struct InstructionKey: Hashable {
    var low: UInt64 = 0
    var high: UInt64 = 0
    var count: UInt8

    init(_ bytes: [UInt8]) {
        count = UInt8(bytes.count)
        for (k, byte) in bytes.enumerated() {
            if k < 8 { low |= UInt64(byte) << UInt64(k * 8) } else { high |= UInt64(byte) << UInt64((k - 8) * 8) }
        }
    }
}
