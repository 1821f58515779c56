/// Something the display engine did at a vblank or on a register write.
public enum DisplayEvent: Hashable, Sendable, Codable {
    /// A vblank on an enabled pipe; `frame` is PIPE_FRMCOUNT after the increment.
    case vblank(Pipe, frame: UInt32)
    /// A plane started scanning out `surface` (PLANE_SURFLIVE updated; flip-done raised).
    case flipDone(Pipe, plane: Int, surface: GraphicsAddress)
}

/// A decoded plane: `width` x `height` XRGB pixels (0x00RRGGBB), row-major.
public struct PlaneImage: Hashable, Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height` pixels, 0x00RRGGBB (the X byte is cleared).
    public let pixels: [UInt32]

    /// An image; `pixels.count` must equal `width * height`.
    public init(width: Int, height: Int, pixels: [UInt32]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height, "pixel count mismatch")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> UInt32 {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside the image")
        return pixels[y * width + x]
    }
}
