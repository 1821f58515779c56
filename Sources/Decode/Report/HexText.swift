/// Fast fixed-width hex for hot output paths (millions of dwords): no generic `String(radix:)`.
enum HexText {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Eight lower-case hex digits, no prefix.
    static func digits8(_ value: UInt32) -> String {
        String(unsafeUninitializedCapacity: 8) { buffer in
            var v = value
            for i in stride(from: 7, through: 0, by: -1) {
                buffer[i] = digits[Int(v & 0xF)]
                v >>= 4
            }
            return 8
        }
    }

    /// `0x` and eight digits (more when the value needs them).
    static func prefixed(_ value: UInt64) -> String {
        if value <= 0xFFFF_FFFF { return "0x" + digits8(UInt32(value)) }
        return "0x" + String(value, radix: 16)
    }
}
