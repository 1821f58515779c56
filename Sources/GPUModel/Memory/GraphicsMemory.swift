/// Reads and writes graphics memory through a GTT, the way an engine does.
///
/// Every 4 KiB graphics page of an access is translated on its own, so a buffer may
/// cross into a non-contiguous (or unmapped) frame. A fault on any page fails the whole
/// access before anything is written (a write checks every page first). Reads reach
/// `PhysicalMemory`, so its read observer sees the frames and the page-table frames.
public struct GraphicsMemory {
    /// The host memory behind the GTTs.
    public let memory: PhysicalMemory
    /// The global GTT.
    public let ggtt: GGTT

    /// Graphics memory over `memory` translated by `ggtt` (or a PPGTT in `memory`).
    public init(memory: PhysicalMemory, ggtt: GGTT) {
        self.memory = memory
        self.ggtt = ggtt
    }

    /// Translates `gma` in `space`; the result is always inside physical memory.
    public func translate(_ gma: GraphicsAddress, in space: AddressSpace, write: Bool = false) -> Result<PhysicalAddress, GPUFault> {
        switch space {
        case .ggtt:
            switch ggtt.translate(gma, isWrite: write) {
            case .success(let pa):
                guard memory.contains(pa, count: 1) else {
                    return .failure(GPUFault(address: gma, space: .ggtt, reason: .beyondPhysicalMemory(pa), isWrite: write))
                }
                return .success(pa)
            case .failure(let fault):
                return .failure(fault)
            }
        case .ppgtt(let root):
            return PPGTT.translate(gma, root: root, memory: memory, isWrite: write)
        }
    }

    @inline(__always)
    private func physical(_ gma: GraphicsAddress, _ space: AddressSpace, write: Bool) throws(GPUFault) -> PhysicalAddress {
        switch translate(gma, in: space, write: write) {
        case .success(let pa): return pa
        case .failure(let fault): throw fault
        }
    }

    /// Translates each page piece of `[gma, gma + count)`: (physical address, length).
    private func pieces(_ gma: GraphicsAddress, count: Int, _ space: AddressSpace, write: Bool) throws(GPUFault) -> [(PhysicalAddress, Int)] {
        precondition(count >= 0, "negative graphics memory access length")
        if count > 0 && Int(gma.pageOffset) + count <= PhysicalMemory.pageSize {   // one page: the common case
            return [(try physical(gma, space, write: write), count)]
        }
        var result: [(PhysicalAddress, Int)] = []
        var done = 0
        while done < count {
            let address = gma.advanced(by: UInt64(done))
            guard address.rawValue >= gma.rawValue else {   // wrapped past 2^64
                throw GPUFault(address: address, space: space.faultSpace, reason: .outsideAddressSpace, isWrite: write)
            }
            let length = min(PhysicalMemory.pageSize - Int(address.pageOffset), count - done)
            result.append((try physical(address, space, write: write), length))
            done += length
        }
        return result
    }

    /// Reads a little-endian dword.
    public func read32(_ gma: GraphicsAddress, in space: AddressSpace) throws(GPUFault) -> UInt32 {
        if gma.pageOffset <= 4092 { return memory.read32(try physical(gma, space, write: false)) }
        return UInt32(truncatingIfNeeded: try readScalar(gma, count: 4, space))
    }

    /// Reads a little-endian qword.
    public func read64(_ gma: GraphicsAddress, in space: AddressSpace) throws(GPUFault) -> UInt64 {
        if gma.pageOffset <= 4088 { return memory.read64(try physical(gma, space, write: false)) }
        return try readScalar(gma, count: 8, space)
    }

    /// Writes a little-endian dword.
    public func write32(_ gma: GraphicsAddress, in space: AddressSpace, _ value: UInt32) throws(GPUFault) {
        if gma.pageOffset <= 4092 { return memory.write32(try physical(gma, space, write: true), value) }
        try write(gma, bytes: (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }, in: space)
    }

    /// Writes a little-endian qword.
    public func write64(_ gma: GraphicsAddress, in space: AddressSpace, _ value: UInt64) throws(GPUFault) {
        if gma.pageOffset <= 4088 { return memory.write64(try physical(gma, space, write: true), value) }
        try write(gma, bytes: (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }, in: space)
    }

    private func readScalar(_ gma: GraphicsAddress, count: Int, _ space: AddressSpace) throws(GPUFault) -> UInt64 {
        var value: UInt64 = 0
        for (i, byte) in try read(gma, count: count, in: space).enumerated() { value |= UInt64(byte) << (8 * i) }
        return value
    }

    /// Reads `count` bytes.
    public func read(_ gma: GraphicsAddress, count: Int, in space: AddressSpace) throws(GPUFault) -> [UInt8] {
        gather(try pieces(gma, count: count, space, write: false), count: count)
    }

    private func gather(_ parts: [(PhysicalAddress, Int)], count: Int) -> [UInt8] {
        if parts.count == 1 { return memory.read(parts[0].0, count: parts[0].1) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for (pa, length) in parts { bytes += memory.read(pa, count: length) }
        return bytes
    }

    /// Writes `bytes`; nothing is written if any page faults.
    public func write(_ gma: GraphicsAddress, bytes: [UInt8], in space: AddressSpace) throws(GPUFault) {
        var done = 0
        for (pa, length) in try pieces(gma, count: bytes.count, space, write: true) {
            memory.write(pa, bytes: bytes[done..<done + length])
            done += length
        }
    }

    /// Reads `count` little-endian dwords (commands, batch buffers, context images).
    public func readDwords(_ gma: GraphicsAddress, count: Int, in space: AddressSpace) throws(GPUFault) -> [UInt32] {
        precondition(count >= 0, "negative dword count")
        let parts = try pieces(gma, count: count * 4, space, write: false)
        if parts.count == 1 { return memory.readDwords(parts[0].0, count: count) }
        let bytes = gather(parts, count: count * 4)
        var dwords = [UInt32](repeating: 0, count: count)
        dwords.withUnsafeMutableBytes { $0.copyBytes(from: bytes) }
        #if _endian(big)
        for i in dwords.indices { dwords[i] = UInt32(littleEndian: dwords[i]) }
        #endif
        return dwords
    }
}

extension AddressSpace {
    /// The fault space for this address space.
    var faultSpace: GPUFault.Space {
        switch self {
        case .ggtt: .ggtt
        case .ppgtt: .ppgtt
        }
    }
}
