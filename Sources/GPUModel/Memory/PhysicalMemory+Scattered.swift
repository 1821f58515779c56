/// Accesses to a range that is contiguous for its owner (a guest's physical memory) but
/// scattered over host frames: the hypervisor and test fakes back guest RAM this way.
extension PhysicalMemory {
    /// Reads `count` bytes at `address` of a space whose page `n` is host frame `frame(n)`;
    /// nil if any page has no frame.
    public func readScattered(_ address: UInt64, count: Int, frame: (UInt64) -> PageFrameNumber?) -> [UInt8]? {
        guard count >= 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var at = address
        var left = count
        while left > 0 {
            guard let host = frame(at >> 12) else { return nil }
            let chunk = min(left, 4096 - Int(at & 0xFFF))
            out += read(PhysicalAddress(frame: host, offset: at & 0xFFF), count: chunk)
            at += UInt64(chunk)
            left -= chunk
        }
        return out
    }

    /// Writes `bytes` at `address` of such a space; checks every page first, so a write that
    /// does not fit changes nothing and returns false.
    public func writeScattered(_ address: UInt64, bytes: [UInt8], frame: (UInt64) -> PageFrameNumber?) -> Bool {
        guard !bytes.isEmpty else { return true }
        for page in (address >> 12)...((address + UInt64(bytes.count) - 1) >> 12) where frame(page) == nil { return false }
        var at = address
        var index = 0
        while index < bytes.count {
            let chunk = min(bytes.count - index, 4096 - Int(at & 0xFFF))
            write(PhysicalAddress(frame: frame(at >> 12)!, offset: at & 0xFFF), bytes: bytes[index..<(index + chunk)])
            at += UInt64(chunk)
            index += chunk
        }
        return true
    }
}
