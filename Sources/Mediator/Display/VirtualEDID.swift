/// The virtual monitor's EDID (VESA E-EDID 1.4, one 128-byte base block), built from its
/// preferred timing. GVT ships two fixed blocks (`virtual_dp_monitor_edid`: 1024x768 and
/// 1920x1200) chosen by the vGPU type; these are equivalent blocks of our own making:
/// digital DisplayPort input, 8 bits per colour, the established VESA modes up to 1024x768,
/// standard timings, a detailed timing for the preferred mode, range limits, a name and a
/// serial number, and a valid checksum.
public enum VirtualEDID {
    /// Size of an EDID block.
    public static let blockSize = 128

    /// A detailed timing (EDID 18-byte descriptor fields).
    public struct Timing: Hashable, Sendable {
        /// Pixel clock in kHz (a multiple of 10).
        public var pixelClockKHz: Int
        /// Horizontal active, blanking, front porch and sync width in pixels.
        public var hActive: Int, hBlank: Int, hFrontPorch: Int, hSync: Int
        /// Vertical active, blanking, front porch and sync width in lines.
        public var vActive: Int, vBlank: Int, vFrontPorch: Int, vSync: Int
        /// Sync polarities (true = positive).
        public var hSyncPositive: Bool, vSyncPositive: Bool
    }

    /// 1024x768 at 60 Hz (VESA DMT: 65 MHz, 1344 x 806 total, both syncs negative).
    public static let xga = Timing(pixelClockKHz: 65_000, hActive: 1024, hBlank: 320, hFrontPorch: 24, hSync: 136,
                                   vActive: 768, vBlank: 38, vFrontPorch: 3, vSync: 6,
                                   hSyncPositive: false, vSyncPositive: false)
    /// 1920x1200 at 60 Hz, CVT reduced blanking (154 MHz, 2080 x 1235 total, +hsync −vsync).
    public static let wuxga = Timing(pixelClockKHz: 154_000, hActive: 1920, hBlank: 160, hFrontPorch: 48, hSync: 32,
                                     vActive: 1200, vBlank: 35, vFrontPorch: 3, vSync: 6,
                                     hSyncPositive: true, vSyncPositive: false)

    /// The EDID GVT gives a vGPU whose type asks for `width` x `height`: 1024x768 for that
    /// size (GVTg_V5_8), 1920x1200 otherwise (GVT: `GVT_EDID_1024_768` / `GVT_EDID_1920_1200`).
    public static func block(width: Int, height: Int) -> [UInt8] {
        width == 1024 && height == 768 ? block(preferred: xga, large: false) : block(preferred: wuxga, large: true)
    }

    /// True if `block` is a 128-byte EDID with the fixed header and a zero byte sum.
    public static func isValid(_ block: [UInt8]) -> Bool {
        block.count == blockSize && Array(block[0..<8]) == header
            && block.reduce(0) { ($0 + Int($1)) & 0xFF } == 0
    }

    static let header: [UInt8] = [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]

    static func block(preferred t: Timing, large: Bool) -> [UInt8] {
        var e = header
        // Manufacturer "GVT" (three 5-bit letters, big-endian), product 1, serial 0, week 1 of 2017.
        let id = (letter("G") << 10) | (letter("V") << 5) | letter("T")
        e += [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 0, 0, 0, 1, 27]  // year 2017 = 1990 + 27
        // EDID 1.4; digital input, 8 bpc, DisplayPort; 52 x 32 cm; gamma 2.2; RGB 4:4:4,
        // preferred timing is native.
        e += [0x01, 0x04, 0xA5, 52, 32, 120, 0x22]
        e += chromaticity
        // Established timings: 640x480@60, 800x600@60, 1024x768@60.
        e += [0x21, 0x08, 0x00]
        // Standard timings ((width / 8) − 31, aspect << 6 | (refresh − 60)); unused = 01 01.
        let standard: [(Int, UInt8)] =
            large ? [(1920, 3), (1280, 2), (1280, 1), (1280, 3), (1440, 0), (1600, 1), (1680, 0)] : []
        for k in 0..<8 {
            if k < standard.count {
                e += [UInt8(standard[k].0 / 8 - 31), standard[k].1 << 6]
            } else {
                e += [0x01, 0x01]
            }
        }
        e += detailedTiming(t)
        // Range limits: 50–75 Hz, 30–90 kHz, 170 MHz max, no secondary timing formula.
        e += [0, 0, 0, 0xFD, 0, 50, 75, 30, 90, 17, 0x00, 0x0A, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20]
        e += text(0xFC, "GVT-RR VGPU")
        e += text(0xFF, "0000000001")
        e.append(0)  // no extension blocks
        e.append(UInt8((256 - e.reduce(0) { ($0 + Int($1)) & 0xFF }) & 0xFF))
        precondition(e.count == blockSize, "EDID block is \(e.count) bytes")
        return e
    }

    /// sRGB primaries and D65 white point as 10-bit binary fractions.
    static let chromaticity: [UInt8] = {
        let v: [Int] = [655, 338, 307, 614, 154, 61, 320, 337]  // Rx Ry Gx Gy Bx By Wx Wy
        let lowRG = (v[0] & 3) << 6 | (v[1] & 3) << 4 | (v[2] & 3) << 2 | (v[3] & 3)
        let lowBW = (v[4] & 3) << 6 | (v[5] & 3) << 4 | (v[6] & 3) << 2 | (v[7] & 3)
        return [UInt8(lowRG), UInt8(lowBW)] + v.map { UInt8($0 >> 2) }
    }()

    static func detailedTiming(_ t: Timing) -> [UInt8] {
        let clock = t.pixelClockKHz / 10
        let widthMM = 518, heightMM = 324
        let flags: UInt8 = 0x18 | (t.vSyncPositive ? 0x04 : 0) | (t.hSyncPositive ? 0x02 : 0)
        return [
            UInt8(clock & 0xFF), UInt8(clock >> 8),
            UInt8(t.hActive & 0xFF), UInt8(t.hBlank & 0xFF), UInt8((t.hActive >> 8) << 4 | (t.hBlank >> 8)),
            UInt8(t.vActive & 0xFF), UInt8(t.vBlank & 0xFF), UInt8((t.vActive >> 8) << 4 | (t.vBlank >> 8)),
            UInt8(t.hFrontPorch & 0xFF), UInt8(t.hSync & 0xFF),
            UInt8((t.vFrontPorch & 0xF) << 4 | (t.vSync & 0xF)),
            UInt8((t.hFrontPorch >> 8) << 6 | (t.hSync >> 8) << 4 | (t.vFrontPorch >> 4) << 2 | (t.vSync >> 4)),
            UInt8(widthMM & 0xFF), UInt8(heightMM & 0xFF), UInt8((widthMM >> 8) << 4 | (heightMM >> 8)),
            0, 0, flags,
        ]
    }

    /// A display descriptor of `tag` holding up to 13 ASCII characters, newline-terminated and
    /// space-padded.
    static func text(_ tag: UInt8, _ string: String) -> [UInt8] {
        var chars = Array(string.utf8.prefix(13))
        if chars.count < 13 { chars.append(0x0A) }
        while chars.count < 13 { chars.append(0x20) }
        return [0, 0, 0, tag, 0] + chars
    }

    static func letter(_ c: Character) -> Int { Int(c.asciiValue! - 0x40) }
}
