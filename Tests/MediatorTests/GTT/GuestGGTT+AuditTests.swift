import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Graphics-address validity, range validation under both revisions, gma → gpa.
@Suite struct GuestGGTTAuditTests {
    static func setup(_ revision: MediatorRevision) throws -> (MediatorFixture, VGPU) {
        let f = MediatorFixture(configuration: MediatorConfiguration(revision: revision))
        let id = try f.makeVGPU(.v5_4, guestPages: 64)
        return (f, f.mediator.vgpu(id)!)
    }

    @Test func addressValidityFollowsTheSlices() throws {
        let (f, v) = try Self.setup(.current)
        let m = f.mediator
        #expect(m.isValidGraphicsAddress(v, GraphicsAddress(v.slices.aperture.lowerBound)))
        #expect(m.isValidGraphicsAddress(v, GraphicsAddress(v.slices.aperture.upperBound - 1)))
        #expect(!m.isValidGraphicsAddress(v, GraphicsAddress(v.slices.aperture.upperBound)))
        #expect(m.isValidGraphicsAddress(v, GraphicsAddress(v.slices.hidden.lowerBound + 0x1234)))
        #expect(!m.isValidGraphicsAddress(v, 0))
        #expect(!m.isValidGraphicsAddress(v, GraphicsAddress(UInt64.max)))
    }

    @Test(arguments: MediatorRevision.allCases)
    func rangesInsideOneSliceAreValidUnderBothRevisions(revision: MediatorRevision) throws {
        let (f, v) = try Self.setup(revision)
        let m = f.mediator
        let a = v.slices.aperture, h = v.slices.hidden
        #expect(m.validateGraphicsRange(v, GraphicsAddress(a.lowerBound), size: UInt64(a.count)))
        #expect(m.validateGraphicsRange(v, GraphicsAddress(h.upperBound - 4096), size: 4096))
        #expect(m.validateGraphicsRange(v, GraphicsAddress(h.lowerBound), size: 0))
        #expect(!m.validateGraphicsRange(v, GraphicsAddress(h.upperBound), size: 0))
        // One byte too long: the end leaves the slice.
        #expect(!m.validateGraphicsRange(v, GraphicsAddress(a.lowerBound), size: UInt64(a.count) + 1))
        #expect(!m.validateGraphicsRange(v, GraphicsAddress(a.lowerBound - 1), size: 2))
        // Wrapping around the 64-bit space is never valid.
        #expect(!m.validateGraphicsRange(v, GraphicsAddress(h.lowerBound), size: UInt64.max))
        #expect(!m.validateGraphicsRange(v, GraphicsAddress(UInt64.max - 10), size: 100))
    }

    @Test func aRangeStraddlingBothSlicesIsRejectedSince2019ButPassedBefore() throws {
        let a: Range<UInt64>
        do {
            let (f, v) = try Self.setup(.current)
            a = v.slices.aperture
            let h = v.slices.hidden
            let start = a.upperBound - 4096
            let size = h.lowerBound + 4096 - start  // covers the gap between the slices
            #expect(!f.mediator.validateGraphicsRange(v, GraphicsAddress(start), size: size))
        }
        let (f, v) = try Self.setup(.gvt2018)
        #expect(v.slices.aperture == a)
        let start = a.upperBound - 4096
        let size = v.slices.hidden.lowerBound + 4096 - start
        #expect(f.mediator.validateGraphicsRange(v, GraphicsAddress(start), size: size))
        // Even the 2018 check wants both ends valid.
        #expect(!f.mediator.validateGraphicsRange(v, GraphicsAddress(start), size: size + UInt64(v.slices.hidden.count)))
    }

    @Test func translateFollowsTheGuestPTE() throws {
        let (f, v) = try Self.setup(.current)
        let index = Int(v.slices.hidden.lowerBound >> 12) + 2
        f.mediator.emulateMMIOWrite(v.id, offset: BARLayout.ggttOffset + UInt64(index) * 8, size: 8, value: 0x2A << 12 | 1)
        let gma = GraphicsAddress(UInt64(index) << 12 | 0x345)
        #expect(f.mediator.guestGGTTTranslate(v, gma) == GuestPhysicalAddress(0x2A345))
        // Not present, outside the slices, beyond 4 GiB: nothing.
        #expect(f.mediator.guestGGTTTranslate(v, gma.advanced(by: 4096)) == nil)
        #expect(f.mediator.guestGGTTTranslate(v, 0x1000) == nil)
        #expect(f.mediator.guestGGTTTranslate(v, GraphicsAddress(1 << 40)) == nil)
        // A gfn beyond guest memory still translates (the gpa is the guest's claim; reading it fails later).
        f.mediator.emulateMMIOWrite(v.id, offset: BARLayout.ggttOffset + UInt64(index + 1) * 8, size: 8, value: 0xF_FFFF << 12 | 1)
        #expect(f.mediator.guestGGTTTranslate(v, gma.advanced(by: 4096)) == GuestPhysicalAddress(0xFFFF_F345))
    }
}
