import Foundation
import GPUModel
import Hypervisor
import Mediator

/// The guest's display: a linear XRGB8888 framebuffer in its aperture slice, scanned out by
/// pipe A's primary plane (i915 `skl_program_plane`), two buffers to flip between.
struct GuestDisplay {
    var width: Int
    var height: Int
    var buffers: [(gma: GraphicsAddress, frame: GuestFrameNumber)]
    var front = 0
    var pitch: UInt32 { UInt32(width * 4) }
}

extension GuestDriver {
    /// PLANE_CTL: enable, XRGB 8:8:8:8 (format 4 in bits 27:24), linear.
    static let planeControl: UInt32 = 1 << 31 | 4 << 24

    /// Framebuffers (aperture slice, also mapped in the PPGTT at the same address so PPGTT
    /// blits reach them), pipe A enabled, primary plane programmed, display_ready = 1.
    public func setUpDisplay(width: Int = 256, height: Int = 64) throws(GuestError) {
        let pages = (width * height * 4 + 4095) / 4096
        var buffers: [(gma: GraphicsAddress, frame: GuestFrameNumber)] = []
        for _ in 0..<2 {
            let buffer = try mapGGTT(pages: pages)
            try mapPPGTT(buffer.gma, frame: buffer.frame, pages: pages)
            buffers.append(buffer)
        }
        display = GuestDisplay(width: width, height: height, buffers: buffers)
        writel(Reg.pipeSrc(.a), UInt32(width - 1) << 16 | UInt32(height - 1))
        writel(Reg.pipeConf(.a), 1 << 31)
        writel(Reg.planeStride(.a, 1), UInt32(width * 4 / 64))
        writel(Reg.planeSize(.a, 1), UInt32(height - 1) << 16 | UInt32(width - 1))
        writel(Reg.planeOffset(.a, 1), 0)
        writel(Reg.planeCtl(.a, 1), Self.planeControl)
        writel(Reg.planeSurf(.a, 1), UInt32(truncatingIfNeeded: buffers[0].gma.rawValue))
        // The CPU writes the first pixel row through the aperture (BAR2 pass-through).
        let row = bar2 + buffers[0].gma.rawValue
        for x in stride(from: 0, to: width, by: 1) {
            execute(.writel, base: row, disp: Int32(x * 4), value: UInt64(Self.colour(number, band: 0)))
        }
        writel(PVInfo.displayReady, 1)
    }

    /// The colour of band `band` of VM `number`'s screen: hue from the VM, shade from the band.
    public static func colour(_ number: Int, band: Int) -> UInt32 {
        let palette: [UInt32] = [0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0xFF00FF, 0x00FFFF, 0xFF8000, 0x8000FF]
        let base = palette[(number - 1) % palette.count]
        let shade = UInt32(255 - (band * 40) % 200)
        let r = (base >> 16 & 0xFF) * shade / 255, g = (base >> 8 & 0xFF) * shade / 255, b = (base & 0xFF) * shade / 255
        return 0xFF00_0000 | r << 16 | g << 8 | b
    }

    /// The back buffer (target of rendering before the next flip).
    public var backBuffer: GraphicsAddress? { display.map { $0.buffers[1 - $0.front].gma } }
    /// The buffer on screen.
    public var frontBuffer: GraphicsAddress? { display.map { $0.buffers[$0.front].gma } }
    /// Screen size.
    public var screenSize: (width: Int, height: Int)? { display.map { ($0.width, $0.height) } }

    /// Flips: PLANE_SURF to the back buffer (latched at the next vblank).
    public func flip() {
        guard var display else { return }
        display.front = 1 - display.front
        writel(Reg.planeSurf(.a, 1), UInt32(truncatingIfNeeded: display.buffers[display.front].gma.rawValue))
        self.display = display
        stats.flips += 1
    }

    /// Waits for the next vblank (PIPE_FRMCOUNT changes), handling interrupts meanwhile;
    /// gives up after `timeout` seconds. Returns true if a vblank was seen.
    @discardableResult
    public func waitForVblank(timeout: Double = 0.1) -> Bool {
        let start = readl(Reg.pipeFrameCount(.a))
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            handleInterrupts()
            if readl(Reg.pipeFrameCount(.a)) != start {
                stats.vblankWaits += 1
                return true
            }
            Thread.sleep(forTimeInterval: 0.0005)
        }
        return false
    }
}
