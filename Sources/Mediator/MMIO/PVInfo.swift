import GPUModel

/// The PVINFO page: the paravirtual contract between a GVT-aware guest driver and the
/// mediator, a 4 KiB special block at 0x78000 laid out as i915's `struct vgt_if`
/// (`i915_pvinfo.h`, packed):
///
/// ```
///  0x000 magic (u64)            0x040 mappable_gmadr.base     0x800 rsv4
///  0x008 version_major (u16)    0x044 mappable_gmadr.size     0x804 display_ready
///  0x00A version_minor (u16)    0x048 nonmappable_gmadr.base  0x808 rsv5[4]
///  0x00C vgt_id                 0x04C nonmappable_gmadr.size  0x818 g2v_notify
///  0x010 vgt_caps               0x050 fence_num               0x81C rsv6[5]
///  0x014 rsv1[11]               0x054 rsv2[3], rsv3[488]      0x830 cursor_x_hot, 0x834 cursor_y_hot
///                                                             0x838 pdp[4] {lo, hi}
///                                                             0x858 execlist_context_descriptor_lo/hi
///                                                             0x860 rsv7 … 0xFFF
/// ```
public enum PVInfo {
    /// VGT_PVINFO_PAGE.
    public static let base: MMIOOffset = 0x78000
    /// VGT_PVINFO_SIZE.
    public static let size: UInt32 = 0x1000
    /// The page's offsets.
    public static let range: Range<UInt32> = 0x78000..<0x79000
    /// VGT_MAGIC ("vGTvGTvG").
    public static let magicValue: UInt64 = 0x4776_5447_7654_4776

    /// `magic` (u64).
    public static let magic: MMIOOffset = 0x78000
    /// `version_major` (u16).
    public static let versionMajor: MMIOOffset = 0x78008
    /// `version_minor` (u16).
    public static let versionMinor: MMIOOffset = 0x7800A
    /// `vgt_id`.
    public static let vgtID: MMIOOffset = 0x7800C
    /// `vgt_caps`.
    public static let caps: MMIOOffset = 0x78010
    /// `avail_rs.mappable_gmadr.base`: the aperture slice's first graphics address.
    public static let apertureBase: MMIOOffset = 0x78040
    /// `avail_rs.mappable_gmadr.size`.
    public static let apertureSize: MMIOOffset = 0x78044
    /// `avail_rs.nonmappable_gmadr.base`: the hidden slice's first graphics address.
    public static let hiddenBase: MMIOOffset = 0x78048
    /// `avail_rs.nonmappable_gmadr.size`.
    public static let hiddenSize: MMIOOffset = 0x7804C
    /// `avail_rs.fence_num`.
    public static let fenceCount: MMIOOffset = 0x78050
    /// `display_ready` (guest writes 1 after its modeset).
    public static let displayReady: MMIOOffset = 0x78804
    /// `rsv5[4]`: a guest write here asks for resources it was not given.
    public static let reserved5: Range<UInt32> = 0x78808..<0x78818
    /// `g2v_notify`: guest-to-host command code.
    public static let g2vNotify: MMIOOffset = 0x78818
    /// `rsv6[0]`, which guests read (GVT tolerates it).
    public static let reserved6First: MMIOOffset = 0x7881C
    /// `cursor_x_hot`.
    public static let cursorXHot: MMIOOffset = 0x78830
    /// `cursor_y_hot`.
    public static let cursorYHot: MMIOOffset = 0x78834
    /// `execlist_context_descriptor_lo`.
    public static let execlistDescriptorLo: MMIOOffset = 0x78858
    /// `execlist_context_descriptor_hi`.
    public static let execlistDescriptorHi: MMIOOffset = 0x7885C

    /// `pdp[n].lo` (or `.hi`), n 0..<4: the root pointers a g2v PPGTT notification names
    /// (L4: pdp[0] is the PML4; L3: the four PDPs).
    public static func pdp(_ n: Int, upper: Bool = false) -> MMIOOffset {
        precondition(n >= 0 && n < 4, "PVINFO pdp[\(n)] out of range")
        return MMIOOffset(0x78838 + UInt32(n) * 8 + (upper ? 4 : 0))
    }

    /// VGT_CAPS_FULL_PPGTT (bit 2).
    public static let capsFullPPGTT: UInt32 = 1 << 2
    /// VGT_CAPS_HWSP_EMULATION (bit 3).
    public static let capsHWSPEmulation: UInt32 = 1 << 3
    /// VGT_CAPS_HUGE_GTT (bit 4).
    public static let capsHugeGTT: UInt32 = 1 << 4

    /// g2v_notify codes (`enum vgt_g2v_type`).
    public enum G2V: UInt32, Sendable, CaseIterable {
        case ppgttL3PageTableCreate = 2
        case ppgttL3PageTableDestroy = 3
        case ppgttL4PageTableCreate = 4
        case ppgttL4PageTableDestroy = 5
        case execlistContextCreate = 6
        case execlistContextDestroy = 7
    }

    /// True if a read at `offset` of `size` bytes stays inside the fields a guest may read
    /// (GVT `pvinfo_mmio_read`: magic … vgt_id, vgt_caps, avail_rs, rsv6[0]).
    static func isValidRead(_ offset: MMIOOffset, size: Int) -> Bool {
        let start = offset.rawValue
        let end = start + UInt32(size)
        if start >= magic.rawValue && start <= vgtID.rawValue { return end <= vgtID.rawValue + 4 }
        if start >= apertureBase.rawValue && start <= fenceCount.rawValue { return end <= fenceCount.rawValue + 4 }
        return start == caps.rawValue || start == reserved6First.rawValue
    }
}

extension MMIOHandlerTable {
    /// The PVINFO special block.
    static func pvinfoBlock() -> MMIOBlock {
        MMIOBlock(name: "PVINFO", range: PVInfo.range,
                  read: { $0.pvinfoRead($1, $2, $3) }, write: { $0.pvinfoWrite($1, $2, $3, $4) })
    }
}

extension Mediator {
    /// Fills the vGPU's PVINFO page (GVT: `populate_pvinfo_page`); at create and at every
    /// reset. Only the fields GVT sets are written: the pdp[] and descriptor a guest stored
    /// survive a GT reset, a device-model-level reset clears them with the register file.
    func populatePVInfo(_ vgpu: VGPU) {
        vgpu.vregs[PVInfo.magic] = UInt32(truncatingIfNeeded: PVInfo.magicValue)
        vgpu.vregs[PVInfo.magic.advanced(by: 4)] = UInt32(truncatingIfNeeded: PVInfo.magicValue >> 32)
        vgpu.vregs[PVInfo.versionMajor] = 1  // major 1 (bits 15:0), minor 0 (bits 31:16)
        vgpu.vregs[PVInfo.vgtID] = UInt32(vgpu.id.rawValue)
        vgpu.vregs[PVInfo.caps] = PVInfo.capsFullPPGTT | PVInfo.capsHWSPEmulation | PVInfo.capsHugeGTT
        vgpu.vregs[PVInfo.apertureBase] = UInt32(truncatingIfNeeded: vgpu.slices.aperture.lowerBound)
        vgpu.vregs[PVInfo.apertureSize] = UInt32(truncatingIfNeeded: UInt64(vgpu.slices.aperture.count))
        vgpu.vregs[PVInfo.hiddenBase] = UInt32(truncatingIfNeeded: vgpu.slices.hidden.lowerBound)
        vgpu.vregs[PVInfo.hiddenSize] = UInt32(truncatingIfNeeded: UInt64(vgpu.slices.hidden.count))
        vgpu.vregs[PVInfo.fenceCount] = UInt32(vgpu.hostFences.count)
        vgpu.vregs[PVInfo.displayReady] = 0
        vgpu.vregs[PVInfo.cursorXHot] = 0xFFFF_FFFF
        vgpu.vregs[PVInfo.cursorYHot] = 0xFFFF_FFFF
    }

    /// PVINFO read (GVT: `pvinfo_mmio_read`): returns the page's content; any read tells the
    /// mediator the guest is GVT-aware (`pvNotified`); reads outside the readable fields are
    /// reported but still answered.
    func pvinfoRead(_ vgpu: VGPU, _ offset: MMIOOffset, _ size: Int) -> UInt64 {
        let value = vregRead(vgpu, offset, size: size)
        if !PVInfo.isValidRead(offset, size: size) {
            mmioError(vgpu, offset, size: size, isWrite: false, "invalid PVINFO read")
        }
        vgpu.pvNotified = true
        return value
    }

    /// PVINFO write (GVT: `pvinfo_mmio_write`): display_ready, g2v_notify, cursor hot spot,
    /// pdp[] and the execlist descriptor are stored (g2v_notify is acted on first); a write
    /// to rsv5 puts the vGPU into failsafe INSUFFICIENT_RESOURCE; anything else is reported
    /// and dropped.
    func pvinfoWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ size: Int, _ value: UInt64) {
        let data = UInt32(truncatingIfNeeded: value)
        let at = offset.rawValue
        switch offset {
        case PVInfo.displayReady:
            emit(.displayReady(vgpu.id, ready: data != 0))
        case PVInfo.g2vNotify:
            handleG2VNotification(vgpu, code: data)
        case PVInfo.cursorXHot, PVInfo.cursorYHot, PVInfo.execlistDescriptorLo, PVInfo.execlistDescriptorHi:
            break
        case _ where at >= PVInfo.pdp(0).rawValue && at < PVInfo.pdp(3, upper: true).rawValue + 4 && at & 3 == 0:
            break
        case _ where PVInfo.reserved5.contains(at):
            mmioError(vgpu, offset, size: size, isWrite: true, "PVINFO rsv5 write: guest wants more resources")
            enterFailsafe(vgpu, .insufficientResource, detail: "guest wrote PVINFO rsv5 at \(offset)")
            return
        default:
            mmioError(vgpu, offset, size: size, isWrite: true, "invalid PVINFO write")
            return
        }
        vregWrite(vgpu, offset, size: size, value: value)
    }

    /// Acts on a g2v notification (GVT: `handle_g2v_notification`): PPGTT create/destroy
    /// codes 2…5 go to the GTT concern with the root pointers stored in pdp[]; execlist
    /// context codes 6/7 and legacy code 1 need nothing; others are reported. Every
    /// notification is observed.
    func handleG2VNotification(_ vgpu: VGPU, code: UInt32) {
        emit(.g2vNotification(vgpu.id, code: code))
        switch PVInfo.G2V(rawValue: code) {
        case .ppgttL3PageTableCreate: ppgttCreateFromPVInfo(vgpu, fourLevel: false)
        case .ppgttL4PageTableCreate: ppgttCreateFromPVInfo(vgpu, fourLevel: true)
        case .ppgttL3PageTableDestroy: ppgttDestroyFromPVInfo(vgpu, fourLevel: false)
        case .ppgttL4PageTableDestroy: ppgttDestroyFromPVInfo(vgpu, fourLevel: true)
        case .execlistContextCreate, .execlistContextDestroy: break
        case nil:
            if code != 1 { mmioError(vgpu, PVInfo.g2vNotify, isWrite: true, "invalid g2v notification \(code)") }
        }
    }
}
