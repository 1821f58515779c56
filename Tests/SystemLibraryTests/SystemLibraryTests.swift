import CCapstone
import CDRMIntel
import CLZ4
import Testing

/// The three C libraries link and are the versions docs/design.md was measured with.
@Suite struct SystemLibraryTests {
    @Test func lz4FrameAPIIsThere() {
        #expect(LZ4_versionNumber() >= 10_904)
        #expect(LZ4F_getVersion() == UInt32(LZ4F_VERSION))
    }

    @Test func capstoneIsVersion4OrLater() {
        var major: Int32 = 0
        var minor: Int32 = 0
        _ = cs_version(&major, &minor)
        #expect(major >= 4)
        #expect(cs_support(Int32(CS_ARCH_X86.rawValue)))
    }

    @Test func libdrmIntelDecoderAllocatesForApolloLake() {
        let context = drm_intel_decode_context_alloc(0x5A84)
        #expect(context != nil)
        drm_intel_decode_context_free(context)
    }
}
