/// The blitter's 2D commands with real memory effects on linear surfaces: XY_COLOR_BLT
/// fills, XY_SRC_COPY_BLT and XY_FAST_COPY_BLT copies, with the ROP3 raster operation.
/// Other XY_* commands are parsed and charged, not drawn. Tiled surfaces are addressed
/// as linear (documented limitation: no detiling).
extension GPU {
    /// Executes a 2D command (header type 2); returns its cost.
    func executeBlit(_ engine: EngineID, opcode: UInt32, dwords: [UInt32], at address: GraphicsAddress) -> UInt64 {
        switch opcode {
        case 0x50 where dwords.count >= 7:  // XY_COLOR_BLT
            let bpp = bytesPerPixel(depth: (dwords[1] >> 24) & 3)
            let rect = BlitRect(dwords[2], dwords[3])
            let surface = BlitSurface(
                address: graphicsAddress(dwords[4], dwords[5], alignment: 1), pitch: Int(dwords[1] & 0xFFFF), bpp: bpp)
            return blit(engine, rop: UInt8((dwords[1] >> 16) & 0xFF), destination: surface, rect: rect,
                        source: nil, pattern: dwords[6])
        case 0x53 where dwords.count >= 10:  // XY_SRC_COPY_BLT
            let bpp = bytesPerPixel(depth: (dwords[1] >> 24) & 3)
            let rect = BlitRect(dwords[2], dwords[3])
            let destination = BlitSurface(
                address: graphicsAddress(dwords[4], dwords[5], alignment: 1), pitch: Int(dwords[1] & 0xFFFF), bpp: bpp)
            let source = BlitSurface(
                address: graphicsAddress(dwords[8], dwords[9], alignment: 1), pitch: Int(dwords[7] & 0xFFFF), bpp: bpp)
            let origin = (x: Int(dwords[6] & 0xFFFF), y: Int(dwords[6] >> 16))
            return blit(engine, rop: UInt8((dwords[1] >> 16) & 0xFF), destination: destination, rect: rect,
                        source: (source, origin), pattern: 0)
        case 0x42 where dwords.count >= 10:  // XY_FAST_COPY_BLT: always a copy
            let depth = (dwords[1] >> 24) & 7
            let bpp = [1, 2, 2, 4, 8, 12, 16, 16][Int(depth)]
            let rect = BlitRect(dwords[2], dwords[3])
            let destination = BlitSurface(
                address: graphicsAddress(dwords[4], dwords[5], alignment: 1), pitch: Int(dwords[1] & 0xFFFF), bpp: bpp)
            let source = BlitSurface(
                address: graphicsAddress(dwords[8], dwords[9], alignment: 1), pitch: Int(dwords[7] & 0xFFFF), bpp: bpp)
            let origin = (x: Int(dwords[6] & 0xFFFF), y: Int(dwords[6] >> 16))
            return blit(engine, rop: 0xCC, destination: destination, rect: rect, source: (source, origin), pattern: 0)
        default:
            return configuration.cost.command
        }
    }

    /// Color depth field → bytes per pixel (0: 8 bpp, 1: 565, 2: 1555, 3: 32 bpp).
    func bytesPerPixel(depth: UInt32) -> Int { [1, 2, 2, 4][Int(depth & 3)] }

    /// Applies `rop` row by row: D = rop(P, S, D). A fault stalls the engine mid-blit, as
    /// the hardware would (rows before it are written).
    func blit(
        _ engine: EngineID, rop: UInt8, destination: BlitSurface, rect: BlitRect,
        source: (BlitSurface, (x: Int, y: Int))?, pattern: UInt32
    ) -> UInt64 {
        let width = rect.x2 - rect.x1
        let height = rect.y2 - rect.y1
        guard width > 0, height > 0 else { return configuration.cost.command }
        let space = operandSpace(engine, ggtt: false)
        let rowBytes = width * destination.bpp
        let needsDestination = BlitRect.ropReadsDestination(rop)
        let patternBytes = withUnsafeBytes(of: pattern.littleEndian) { Array($0) }
        let patternWidth = min(destination.bpp, 4)
        // The pattern repeated over a row: the same for every row, so built once (a plain
        // copy does not use it).
        let patternRow = rop == 0xCC ? [] : (0..<rowBytes).map { patternBytes[$0 % patternWidth] }
        for row in 0..<height {
            let dstAddress = destination.address.advanced(
                by: UInt64(bitPattern: Int64((rect.y1 + row) * destination.pitch + rect.x1 * destination.bpp)))
            do {
                var srcRow: [UInt8] = []
                if let (surface, origin) = source {
                    let srcAddress = surface.address.advanced(
                        by: UInt64(bitPattern: Int64((origin.y + row) * surface.pitch + origin.x * surface.bpp)))
                    srcRow = try graphicsMemory.read(srcAddress, count: rowBytes, in: space)
                }
                let out: [UInt8]
                if rop == 0xCC {
                    out = srcRow  // no source (XY_COLOR_BLT): nothing to copy, nothing written
                } else if rop == 0xF0 {
                    out = patternRow
                } else {
                    let dstRow = needsDestination
                        ? try graphicsMemory.read(dstAddress, count: rowBytes, in: space)
                        : [UInt8](repeating: 0, count: rowBytes)
                    if srcRow.isEmpty { srcRow = [UInt8](repeating: 0, count: rowBytes) }
                    out = BlitRect.rop3(rop, pattern: patternRow, source: srcRow, destination: dstRow)
                }
                if let observer = commandWriteObserver {
                    var offset = 0
                    while offset < out.count {  // one report per page touched
                        let at = dstAddress.advanced(by: UInt64(offset))
                        let chunk = min(out.count - offset, 4096 - Int(at.pageOffset))
                        if case .success(let physical) = graphicsMemory.translate(at, in: space, write: true) {
                            observer(engine, at, physical, chunk)
                        }
                        offset += chunk
                    }
                }
                try graphicsMemory.write(dstAddress, bytes: out, in: space)
            } catch {
                var fault = error
                fault.isWrite = true
                stallEngine(engine, .pageFault(fault, at: engines[engine.index].context?.acthd ?? destination.address))
                break
            }
        }
        engines[engine.index].breadcrumbs &+= 1
        let bytes = UInt64(rowBytes * height)
        return configuration.cost.command &+ (bytes + 63) / 64 &* configuration.cost.blitPer64Bytes
    }
}

/// A linear blit surface: base address, pitch in bytes, bytes per pixel.
struct BlitSurface {
    var address: GraphicsAddress
    var pitch: Int
    var bpp: Int
}

/// A destination rectangle from two (y << 16 | x) dwords; x2/y2 exclusive.
struct BlitRect {
    var x1: Int, y1: Int, x2: Int, y2: Int

    init(_ topLeft: UInt32, _ bottomRight: UInt32) {
        x1 = Int(topLeft & 0xFFFF)
        y1 = Int(topLeft >> 16)
        x2 = Int(bottomRight & 0xFFFF)
        y2 = Int(bottomRight >> 16)
    }

    /// ROP3 over whole rows of equal length, eight bytes at a time.
    static func rop3(_ rop: UInt8, pattern: [UInt8], source: [UInt8], destination: [UInt8]) -> [UInt8] {
        precondition(pattern.count == source.count && source.count == destination.count, "ROP3 rows differ in length")
        var out = [UInt8](repeating: 0, count: destination.count)
        let words = out.count / 8
        out.withUnsafeMutableBytes { o in
            pattern.withUnsafeBytes { p in
                source.withUnsafeBytes { s in
                    destination.withUnsafeBytes { d in
                        for w in 0..<words {
                            let at = w * 8
                            let value = rop3Word(rop, pattern: p.loadUnaligned(fromByteOffset: at, as: UInt64.self),
                                             source: s.loadUnaligned(fromByteOffset: at, as: UInt64.self),
                                             destination: d.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                            o.storeBytes(of: value, toByteOffset: at, as: UInt64.self)
                        }
                        for k in (words * 8)..<o.count { o[k] = rop3(rop, pattern: p[k], source: s[k], destination: d[k]) }
                    }
                }
            }
        }
        return out
    }

    /// ROP3: bit (P<<2 | S<<1 | D) of `rop` is the result for each bit triple.
    static func rop3(_ rop: UInt8, pattern p: UInt8, source s: UInt8, destination d: UInt8) -> UInt8 {
        rop3Bits(rop, pattern: p, source: s, destination: d)
    }

    /// ROP3 on eight bytes at once (the operation is bitwise).
    static func rop3Word(_ rop: UInt8, pattern p: UInt64, source s: UInt64, destination d: UInt64) -> UInt64 {
        rop3Bits(rop, pattern: p, source: s, destination: d)
    }

    @inline(__always)
    private static func rop3Bits<T: FixedWidthInteger & UnsignedInteger>(_ rop: UInt8, pattern p: T, source s: T,
                                                                          destination d: T) -> T {
        var result: T = 0
        for minterm in 0..<8 where rop & (1 << minterm) != 0 {
            let pp = minterm & 4 != 0 ? p : ~p
            let ss = minterm & 2 != 0 ? s : ~s
            let dd = minterm & 1 != 0 ? d : ~d
            result |= pp & ss & dd
        }
        return result
    }

    /// True if the ROP's result depends on the destination.
    static func ropReadsDestination(_ rop: UInt8) -> Bool { (rop >> 1) & 0x55 != rop & 0x55 }
}
