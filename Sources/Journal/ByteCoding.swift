/// Owns the memory behind a `ByteWriter` (frees it when the last writer copy is gone).
final class ByteWriterMemory {
    var base: UnsafeMutableRawPointer
    init(capacity: Int) { base = .allocate(byteCount: capacity, alignment: 8) }
    deinit { base.deallocate() }
}

/// Appends little-endian integers, LEB128 varints and zigzag varints to a growable buffer.
///
/// The hot path of the writer (one record per event) runs here, so the buffer is raw memory
/// with the count and capacity kept in the struct: no uniqueness check per byte, as
/// `Array.append` would do. A copy of a writer shares its memory: never mutate two copies.
/// The journal's record encoding (docs/journal-format.md, "Records") is built only from these.
struct ByteWriter {
    private let memory: ByteWriterMemory
    private var base: UnsafeMutableRawPointer
    /// Bytes written.
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 64)
        memory = ByteWriterMemory(capacity: self.capacity)
        base = memory.base
    }

    /// A copy of the bytes written so far (setting replaces them).
    var bytes: [UInt8] {
        get { Array(UnsafeRawBufferPointer(start: base, count: count)) }
        set {
            count = 0
            append(contentsOf: newValue)
        }
    }

    /// Forgets the bytes, keeping the memory.
    mutating func removeAll() { count = 0 }

    /// The bytes written, without copying.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    @inline(__always) private mutating func ensure(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    @inline(never) private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        newBase.copyMemory(from: base, byteCount: count)
        memory.base.deallocate()
        memory.base = newBase
        base = newBase
        capacity = newCapacity
    }

    /// Appends raw bytes.
    mutating func append(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        ensure(raw.count)
        (base + count).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
        count += raw.count
    }

    /// Appends bytes.
    mutating func append<C: Collection>(contentsOf data: C) where C.Element == UInt8 {
        if data.withContiguousStorageIfAvailable({ append(UnsafeRawBufferPointer($0)) }) == nil {
            ensure(data.count)
            for byte in data { u8(byte) }
        }
    }

    /// Unsigned LEB128: 7 bits per byte, low group first, high bit set on all but the last.
    @inline(__always) mutating func varint(_ value: UInt64) {
        ensure(10)
        var v = value
        while v >= 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: count, as: UInt8.self)
            count += 1
            v >>= 7
        }
        base.storeBytes(of: UInt8(v), toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Appends `value` as LEB128 to `out`.
    @inline(__always) static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// A varint of an unsigned value of any width.
    @inline(__always) mutating func varint<T: UnsignedInteger & FixedWidthInteger>(_ value: T) {
        varint(UInt64(value))
    }

    /// Signed value as a zigzag varint (0, -1, 1, -2, … → 0, 1, 2, 3, …).
    @inline(__always) mutating func zigzag(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// An optional unsigned value: 0 for nil, value + 1 otherwise (values up to UInt64.max - 1).
    mutating func optionalVarint(_ value: UInt64?) {
        if let value {
            precondition(value < UInt64.max, "optional varint cannot hold UInt64.max")
            varint(value + 1)
        } else {
            varint(UInt64(0))
        }
    }

    @inline(__always) mutating func u8(_ value: UInt8) {
        ensure(1)
        base.storeBytes(of: value, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    mutating func u32le(_ value: UInt32) {
        ensure(4)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt32.self)
        count += 4
    }

    mutating func u64le(_ value: UInt64) {
        ensure(8)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    /// Length-prefixed bytes.
    mutating func blob<C: Collection>(_ data: C) where C.Element == UInt8 {
        varint(UInt64(data.count))
        append(contentsOf: data)
    }

    /// Length-prefixed UTF-8 text.
    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { blob($0) }
    }
}

/// Why a byte sequence could not be decoded: a value, never a crash.
struct DecodeFailure: Error, Equatable, CustomStringConvertible {
    /// Offset (inside the decoded buffer) where decoding stopped.
    var offset: Int
    /// What was wrong.
    var what: String
    var description: String { "\(what) at byte \(offset)" }
}

/// Reads what `ByteWriter` writes, bounds-checked: every read past the end throws.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    /// Next byte to read.
    var position: Int
    /// One past the last readable byte.
    var end: Int

    init(_ base: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.base = base
        self.position = start
        self.end = end ?? base.count
    }

    var isAtEnd: Bool { position >= end }
    var remaining: Int { end - position }

    func fail(_ what: String) -> DecodeFailure { DecodeFailure(offset: position, what: what) }

    @inline(__always) mutating func varint() throws(DecodeFailure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw fail("truncated varint") }
            let byte = base[position]
            position += 1
            if shift == 63 && byte > 1 { throw fail("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw fail("varint too long") }
        }
    }

    /// A varint that must fit in `T`.
    @inline(__always) mutating func varint<T: UnsignedInteger & FixedWidthInteger>(
        _: T.Type
    ) throws(DecodeFailure) -> T {
        let start = position
        let value = try varint()
        guard let narrow = T(exactly: value) else {
            throw DecodeFailure(offset: start, what: "value \(value) too large for \(T.self)")
        }
        return narrow
    }

    @inline(__always) mutating func zigzag() throws(DecodeFailure) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func optionalVarint() throws(DecodeFailure) -> UInt64? {
        let raw = try varint()
        return raw == 0 ? nil : raw - 1
    }

    mutating func optionalVarint<T: UnsignedInteger & FixedWidthInteger>(_: T.Type) throws(DecodeFailure) -> T? {
        let start = position
        guard let value = try optionalVarint() else { return nil }
        guard let narrow = T(exactly: value) else {
            throw DecodeFailure(offset: start, what: "value \(value) too large for \(T.self)")
        }
        return narrow
    }

    mutating func u8() throws(DecodeFailure) -> UInt8 {
        guard position < end else { throw fail("truncated byte") }
        defer { position += 1 }
        return base[position]
    }

    mutating func u32le() throws(DecodeFailure) -> UInt32 {
        guard remaining >= 4 else { throw fail("truncated u32") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(base[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    mutating func u64le() throws(DecodeFailure) -> UInt64 {
        guard remaining >= 8 else { throw fail("truncated u64") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(base[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    /// `count` raw bytes.
    mutating func bytes(_ count: Int) throws(DecodeFailure) -> [UInt8] {
        guard count >= 0 && count <= remaining else { throw fail("length \(count) exceeds the \(remaining) bytes left") }
        defer { position += count }
        return Array(UnsafeRawBufferPointer(rebasing: base[position..<position + count]))
    }

    /// Length-prefixed bytes, at most `limit` long.
    mutating func blob(limit: Int = Int.max) throws(DecodeFailure) -> [UInt8] {
        let start = position
        let count = try varint()
        guard count <= UInt64(min(limit, remaining)) else {
            throw DecodeFailure(offset: start, what: "length \(count) exceeds the \(remaining) bytes left")
        }
        return try bytes(Int(count))
    }

    /// Length-prefixed UTF-8 text (invalid UTF-8 is repaired, never trusted).
    mutating func string() throws(DecodeFailure) -> String {
        let raw = try blob()
        return String(decoding: raw, as: UTF8.self)
    }
}
