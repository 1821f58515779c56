import GPUModel

/// Decoding what a guest shows on a pipe (GVT: `fb_decoder.c`
/// `intel_vgpu_decode_primary_plane`, used for dma-buf export of a guest's framebuffer).
extension Mediator {
    /// Largest plane the decoder accepts (SKL: 8192 x 4096, the register fields' limits).
    static let maxPlaneWidth = 8192
    static let maxPlaneHeight = 4096

    /// The image on `pipe`'s primary plane of `vgpu`, decoded from its virtual registers and
    /// read through the guest GGTT: PLANE_CTL enabled, linear, XRGB 8:8:8:8 (RGBX order
    /// honoured); size from PIPESRC; stride from PLANE_STRIDE (64-byte units); origin at
    /// PLANE_SURF + PLANE_OFFSET (x, y). Nil for anything else, as fb_decoder refuses it: a
    /// disabled plane, another format or tiling, a stride shorter than a row, a surface not
    /// wholly inside one of the vGPU's graphics-memory slices, a page `translate` cannot map,
    /// or guest memory the MPT port cannot read. Pixels are read with `readGuest` (observed),
    /// one page-bounded piece at a time; nothing outside the guest is ever touched.
    ///
    /// - Parameter translate: the guest GGTT walk, graphics address → guest physical address
    ///   (the GTT concern's `guestGGTTTranslate`).
    public func guestPlaneImage(
        _ vgpu: VGPU, pipe: Pipe, translate: (GraphicsAddress) -> GuestPhysicalAddress?
    ) -> PlaneImage? {
        let ctl = vgpu.vregs[Reg.planeCtl(pipe, 1)]
        guard ctl & DisplayBits.planeEnable != 0,
            ctl & DisplayBits.planeFormatMask == DisplayBits.planeFormatXRGB8888,
            ctl & DisplayBits.planeTilingMask == 0
        else { return nil }
        let source = vgpu.vregs[Reg.pipeSrc(pipe)]
        let width = Int((source >> 16) & 0x1FFF) + 1
        let height = Int(source & 0xFFF) + 1
        guard width <= Self.maxPlaneWidth, height <= Self.maxPlaneHeight else { return nil }
        let stride = UInt64(vgpu.vregs[Reg.planeStride(pipe, 1)] & 0x3FF) * 64
        let rowBytes = width * 4
        guard stride >= UInt64(rowBytes) else { return nil }
        let offset = vgpu.vregs[Reg.planeOffset(pipe, 1)]
        let x0 = UInt64(offset & 0x1FFF), y0 = UInt64((offset >> 16) & 0xFFF)
        let base = UInt64(vgpu.vregs[Reg.planeSurf(pipe, 1)] & 0xFFFF_F000)
        let first = base + y0 * stride + x0 * 4
        let end = first + UInt64(height - 1) * stride + UInt64(rowBytes)  // one past the last byte
        let slices = vgpu.slices
        guard (slices.aperture.contains(first) && end <= slices.aperture.upperBound)
            || (slices.hidden.contains(first) && end <= slices.hidden.upperBound)
        else { return nil }

        let swapRB = ctl & DisplayBits.planeOrderRGBX != 0
        var pixels: [UInt32] = []
        pixels.reserveCapacity(width * height)
        for row in 0..<UInt64(height) {
            guard let bytes = readGraphicsMemory(vgpu, GraphicsAddress(first + row * stride), count: rowBytes,
                                                 translate: translate)
            else { return nil }
            for x in 0..<width {
                let b0 = UInt32(bytes[4 * x]), b1 = UInt32(bytes[4 * x + 1]), b2 = UInt32(bytes[4 * x + 2])
                pixels.append(swapRB ? (b0 << 16 | b1 << 8 | b2) : (b2 << 16 | b1 << 8 | b0))
            }
        }
        return PlaneImage(width: width, height: height, pixels: pixels)
    }

    /// Reads `count` bytes of the guest's graphics memory at `address`, page by page through
    /// `translate`; nil if a page does not translate or its memory cannot be read.
    func readGraphicsMemory(
        _ vgpu: VGPU, _ address: GraphicsAddress, count: Int, translate: (GraphicsAddress) -> GuestPhysicalAddress?
    ) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var at = address
        while out.count < count {
            let chunk = min(count - out.count, 4096 - Int(at.pageOffset))
            guard let page = translate(GraphicsAddress(at.pageNumber << 12)),
                let bytes = readGuest(vgpu, GuestPhysicalAddress(frame: page.frame, offset: at.pageOffset), count: chunk),
                bytes.count == chunk
            else { return nil }
            out += bytes
            at = at.advanced(by: UInt64(chunk))
        }
        return out
    }
}
