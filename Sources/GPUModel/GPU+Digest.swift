/// A stable fingerprint of the whole model state: registers, GGTT, populated memory pages,
/// engine positions and the pending events. Two models that received the same inputs have
/// the same digest in any process (FNV-1a 64 over a canonical byte order; no hashing seed).
extension GPU {
    /// The state digest as 16 hex digits.
    public func stateDigest() -> String {
        var hasher = StableHasher()
        for k in 0..<(Int(BARLayout.mmioSize) / 4) {
            let value = registers[MMIOOffset(UInt32(k * 4))]
            if value != 0 { hasher.combine(UInt64(k)); hasher.combine(UInt64(value)) }
        }
        for index in 0..<GGTT.entryCount {
            let raw = ggtt[index].rawValue
            if raw != 0 { hasher.combine(UInt64(index)); hasher.combine(raw) }
        }
        for frame in memory.populatedFrames {
            hasher.combine(frame.rawValue)
            hasher.combine(bytes: memory.page(frame))
        }
        for state in engines {
            hasher.combine(state.clock.nanoseconds)
            hasher.combine(state.breadcrumbs)
            hasher.combine(state.commandsExecuted)
            hasher.combine(UInt64(state.csb.writePointer))
            if let context = state.context {
                hasher.combine(context.descriptor.rawValue)
                hasher.combine(UInt64(context.head))
                hasher.combine(context.acthd.rawValue)
            }
        }
        for event in events { hasher.combine(bytes: Array(String(describing: event).utf8)) }
        return String(hasher.value, radix: 16).leftPadded(to: 16)
    }
}

/// FNV-1a, 64-bit: a hash with no per-process seed, for digests that must match across runs.
public struct StableHasher: Sendable {
    public var value: UInt64 = 0xCBF2_9CE4_8422_2325
    public init() {}

    /// Mixes in the eight little-endian bytes of `word`.
    @inlinable public mutating func combine(_ word: UInt64) {
        var w = word
        for _ in 0..<8 {
            value = (value ^ (w & 0xFF)) &* 0x100_0000_01B3
            w >>= 8
        }
    }

    /// Mixes in a byte sequence.
    @inlinable public mutating func combine(bytes: [UInt8]) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
    }
}
