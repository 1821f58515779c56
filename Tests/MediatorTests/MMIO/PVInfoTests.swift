import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The PVINFO page, field by field, as a guest driver reads it; writes and g2v notifications.
@Suite struct PVInfoTests {
    /// The page as `i915_pvinfo.h` lays it out for this vGPU: byte offset in the page → bytes.
    func expectedBytes(_ vgpu: VGPU) -> [UInt8] {
        var page = [UInt8](repeating: 0, count: 0x1000)
        func put(_ offset: Int, _ value: UInt64, _ width: Int) {
            for i in 0..<width { page[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        put(0x000, 0x4776_5447_7654_4776, 8)  // magic "vGTvGTvG"
        put(0x008, 1, 2)  // version_major
        put(0x00A, 0, 2)  // version_minor
        put(0x00C, UInt64(vgpu.id.rawValue), 4)
        put(0x010, 1 << 2 | 1 << 3 | 1 << 4, 4)  // FULL_PPGTT | HWSP_EMULATION | HUGE_GTT
        put(0x040, vgpu.slices.aperture.lowerBound, 4)
        put(0x044, UInt64(vgpu.slices.aperture.count), 4)
        put(0x048, vgpu.slices.hidden.lowerBound, 4)
        put(0x04C, UInt64(vgpu.slices.hidden.count), 4)
        put(0x050, UInt64(vgpu.hostFences.count), 4)
        put(0x804, 0, 4)  // display_ready
        put(0x830, 0xFFFF_FFFF, 4)  // cursor_x_hot
        put(0x834, 0xFFFF_FFFF, 4)  // cursor_y_hot
        return page
    }

    /// Field offsets of `struct vgt_if` (start of every field a guest may touch).
    let fields: [(name: String, offset: UInt32, size: Int)] = [
        ("magic", 0x000, 8), ("version_major", 0x008, 2), ("version_minor", 0x00A, 2), ("vgt_id", 0x00C, 4),
        ("vgt_caps", 0x010, 4), ("mappable_gmadr.base", 0x040, 4), ("mappable_gmadr.size", 0x044, 4),
        ("nonmappable_gmadr.base", 0x048, 4), ("nonmappable_gmadr.size", 0x04C, 4), ("fence_num", 0x050, 4),
        ("display_ready", 0x804, 4), ("g2v_notify", 0x818, 4), ("cursor_x_hot", 0x830, 4),
        ("cursor_y_hot", 0x834, 4), ("pdp[0].lo", 0x838, 4), ("pdp[3].hi", 0x854, 4),
        ("execlist_context_descriptor_lo", 0x858, 4), ("execlist_context_descriptor_hi", 0x85C, 4),
    ]

    @Test(arguments: [VGPUType.v5_8, .v5_4, .v5_1])
    func everyFieldReadsAsTheLayoutSaysAtEverySize(type: VGPUType) throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU(type)
        let vgpu = try #require(f.mediator.vgpu(id))
        let page = expectedBytes(vgpu)
        for field in fields {
            for size in [1, 2, 4, 8] {
                // Naturally aligned pieces of the field (qwords: any dword boundary, as KVMGT splits them).
                let step = size == 8 ? 4 : size
                var at = field.offset
                while at < field.offset + UInt32(max(field.size, size)) {
                    defer { at += UInt32(step) }
                    guard at % UInt32(step) == 0, at + UInt32(size) <= 0x1000 else { continue }
                    var expected: UInt64 = 0
                    for i in 0..<size { expected |= UInt64(page[Int(at) + i]) << (8 * UInt64(i)) }
                    let value = f.read(id, 0x78000 + at, size: size)
                    #expect(value == expected, "\(field.name) +\(at - field.offset) size \(size)")
                }
            }
        }
        #expect(f.read(id, 0x78000, size: 8) == PVInfo.magicValue)
        #expect(f.read(id, 0x78008, size: 2) == 1 && f.read(id, 0x7800A, size: 2) == 0)
        #expect(vgpu.pvNotified)
    }

    @Test func theWholePageReadsByteForByte() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let page = expectedBytes(try #require(f.mediator.vgpu(id)))
        let bytes = (0..<0x1000).map { UInt8(f.read(id, 0x78000 + UInt32($0), size: 1)) }
        #expect(bytes == page)
    }

    @Test func anyReadNotifiesAndInvalidReadsAreLogged() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        #expect(!vgpu.pvNotified)
        _ = f.read(id, 0x78010)  // caps: valid
        #expect(vgpu.pvNotified && f.accessErrors.isEmpty)
        _ = f.read(id, 0x7881C)  // rsv6[0]: tolerated
        _ = f.read(id, 0x78050, size: 8)  // fence_num + rsv2[0]: the second dword is invalid
        _ = f.read(id, 0x78804)  // display_ready: not a readable field
        #expect(f.accessErrors.map(\.0) == [0x78054, 0x78804])
        #expect(f.accessErrors.allSatisfy { $0.2 == "invalid PVINFO read" })
    }

    @Test func writableFieldsAreStoredAndOthersDropped() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, PVInfo.pdp(0).rawValue, 0x0012_3000)
        f.write(id, PVInfo.pdp(3, upper: true).rawValue, 0x1)
        f.write(id, PVInfo.execlistDescriptorLo.rawValue, 0xAAAA_0019, size: 8)
        f.write(id, PVInfo.cursorXHot.rawValue, 5)
        let vgpu = try #require(f.mediator.vgpu(id))
        #expect(vgpu.vregs[PVInfo.pdp(0)] == 0x0012_3000 && vgpu.vregs[PVInfo.pdp(3, upper: true)] == 1)
        #expect(vgpu.vregs[PVInfo.execlistDescriptorLo] == 0xAAAA_0019 && vgpu.vregs[PVInfo.cursorXHot] == 5)
        #expect(f.accessErrors.isEmpty)
        // The guest cannot rewrite what the host tells it.
        for offset in [PVInfo.magic, PVInfo.vgtID, PVInfo.caps, PVInfo.apertureSize, PVInfo.fenceCount, 0x78900] {
            let before = vgpu.vregs[offset]
            f.write(id, offset.rawValue, 0xFFFF_FFFF)
            #expect(vgpu.vregs[offset] == before)
        }
        #expect(f.accessErrors.count == 6 && f.accessErrors.allSatisfy { $0.2 == "invalid PVINFO write" })
        #expect(vgpu.failsafe == nil)
    }

    @Test(arguments: [UInt32(0x78808), 0x7880C, 0x78810, 0x78814])
    func reserved5WriteIsInsufficientResource(offset: UInt32) throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, offset, 1)
        #expect(f.mediator.vgpu(id)?.failsafe == .insufficientResource)
        #expect(f.failsafes.map(\.1) == [.insufficientResource])
        #expect(f.mediator.vgpu(id)?.vregs[MMIOOffset(offset)] == 0)
    }

    @Test func displayReadyIsStoredAndObserved() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        f.write(id, PVInfo.displayReady.rawValue, 1)
        #expect(f.log.events.contains(.displayReady(id, ready: true)))
        #expect(f.mediator.vgpu(id)?.vregs[PVInfo.displayReady] == 1)
    }

    @Test func g2vNotificationsAreObservedAndUnknownCodesLogged() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        for code: UInt64 in [1, 2, 3, 4, 5, 6, 7, 8, 0xFFFF_FFFF] { f.write(id, PVInfo.g2vNotify.rawValue, code) }
        let codes = f.log.events.compactMap { if case let .g2vNotification(_, code) = $0 { code } else { nil } }
        #expect(codes == [1, 2, 3, 4, 5, 6, 7, 8, 0xFFFF_FFFF])
        #expect(f.accessErrors.map(\.2) == ["invalid g2v notification 8", "invalid g2v notification 4294967295"])
        #expect(f.mediator.vgpu(id)?.failsafe == nil)
    }

    @Test func resetRepopulatesThePage() throws {
        let f = MMIOFixture()
        let id = try f.makeVGPU()
        let vgpu = try #require(f.mediator.vgpu(id))
        f.write(id, PVInfo.displayReady.rawValue, 1)
        f.write(id, PVInfo.pdp(1).rawValue, 0x5000)
        f.write(id, Reg.gdrst.rawValue, 1)  // GT reset: repopulated, pdp[] kept
        #expect(vgpu.vregs[PVInfo.displayReady] == 0 && vgpu.vregs[PVInfo.pdp(1)] == 0x5000)
        #expect(f.read(id, 0x78000, size: 8) == PVInfo.magicValue)
        try f.mediator.resetVGPU(id, deviceModelLevel: true)  // DMLR: the whole page from scratch
        #expect(vgpu.vregs[PVInfo.pdp(1)] == 0)
        #expect(f.read(id, PVInfo.vgtID.rawValue) == UInt64(id.rawValue))
    }
}
