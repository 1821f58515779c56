import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Guest GGTT writes through BAR0 + 8 MiB: partitioning, partial PTEs, gfn translation,
/// scratch, reads of the guest view, reset.
@Suite struct GuestGGTTTests {
    /// BAR0 offset of GGTT entry `index`.
    static func offset(_ index: Int, high: Bool = false) -> UInt64 { BARLayout.ggttOffset + UInt64(index) * 8 + (high ? 4 : 0) }

    struct Setup {
        let f = MediatorFixture()
        let id: VGPUID
        let vgpu: VGPU
        init(guestPages: Int = 256) throws {
            id = try f.makeVGPU(.v5_4, guestPages: guestPages)
            vgpu = f.mediator.vgpu(id)!
        }
        /// First aperture / hidden GGTT index of the vGPU.
        var aperture: Int { Int(vgpu.slices.aperture.lowerBound >> 12) }
        var hidden: Int { Int(vgpu.slices.hidden.lowerBound >> 12) }
        func write(_ index: Int, _ value: UInt64) { f.mediator.emulateMMIOWrite(id, offset: GuestGGTTTests.offset(index), size: 8, value: value) }
        func writeHalf(_ index: Int, high: Bool, _ value: UInt32) {
            f.mediator.emulateMMIOWrite(id, offset: GuestGGTTTests.offset(index, high: high), size: 4, value: UInt64(value))
        }
        func read(_ index: Int, size: Int = 8, high: Bool = false) -> UInt64 {
            f.mediator.emulateMMIORead(id, offset: GuestGGTTTests.offset(index, high: high), size: size)
        }
        func hostEntry(_ index: Int) -> GGTTEntry { f.gpu.ggtt[index] }
        var ignoredReasons: [String] {
            f.log.events.compactMap { if case let .ggttWriteIgnored(_, _, _, reason) = $0 { reason } else { nil } }
        }
    }

    static func pte(_ gfn: UInt64, flags: UInt64 = 0x3) -> UInt64 { gfn << 12 | flags }

    @Test func completeWriteMapsTheGuestFrameToItsHostFrame() throws {
        let s = try Setup()
        let guest = Self.pte(5, flags: 0x1 | 0x10)  // present, PCD
        s.write(s.aperture, guest)
        let host = s.hostEntry(s.aperture)
        #expect(host.isPresent)
        #expect(host.frame == s.f.hypervisor.backing(s.id, 5))
        #expect(host.flags == 0x11)
        #expect(s.read(s.aperture) == guest)
        #expect(s.f.log.events.contains(.ggttWrite(s.id, index: s.aperture, guest: guest, host: host.rawValue)))
        s.write(s.hidden + 3, Self.pte(7))
        #expect(s.hostEntry(s.hidden + 3).frame == s.f.hypervisor.backing(s.id, 7))
        #expect(s.f.mediator.checkGTTInvariants(s.vgpu) == [])
    }

    @Test func writesOutsideTheSlicesAreIgnored() throws {
        let s = try Setup()
        let other = try s.f.makeVGPU(.v5_8, guestPages: 16)
        let otherIndex = Int(s.f.mediator.vgpu(other)!.slices.aperture.lowerBound >> 12)
        s.f.gpu.ggtt[otherIndex] = GGTTEntry(rawValue: 0xABC_D003)
        s.f.gpu.ggtt[0] = GGTTEntry(rawValue: 0x1234_5003)
        s.f.log.clear()
        for index in [0, s.aperture - 1, otherIndex, s.hidden - 1, s.hidden + s.vgpu.ggtt.hiddenIndices.count, GGTT.entryCount - 1] {
            s.write(index, Self.pte(5))
            s.writeHalf(index, high: false, 0x5003)
            #expect(s.read(index) == 0)
        }
        #expect(s.f.gpu.ggtt[otherIndex].rawValue == 0xABC_D003)
        #expect(s.f.gpu.ggtt[0].rawValue == 0x1234_5003)
        #expect(s.ignoredReasons.count == 12)
        #expect(s.ignoredReasons.allSatisfy { $0 == "outside the vGPU's graphics memory" })
        #expect(!s.f.log.events.contains { if case .ggttWrite = $0 { true } else { false } })
        // Past the GGTT window (BAR0 is 16 MiB): ignored, reads 0.
        s.f.mediator.emulateMMIOWrite(s.id, offset: BARLayout.gttmmadrSize, size: 8, value: 0x5003)
        #expect(s.f.mediator.emulateMMIORead(s.id, offset: BARLayout.gttmmadrSize + 8, size: 8) == 0)
        #expect(s.ignoredReasons.last == "beyond the GGTT window")
    }

    @Test func oddSizesAndMisalignedAccessesAreIgnored() throws {
        let s = try Setup()
        s.write(s.aperture, Self.pte(5))
        let host = s.hostEntry(s.aperture)
        s.f.log.clear()
        s.f.mediator.emulateMMIOWrite(s.id, offset: Self.offset(s.aperture) + 4, size: 8, value: Self.pte(6))
        s.f.mediator.emulateMMIOWrite(s.id, offset: Self.offset(s.aperture) + 2, size: 4, value: 0x6003)
        s.f.mediator.emulateMMIOWrite(s.id, offset: Self.offset(s.aperture), size: 2, value: 0x6003)
        s.f.mediator.emulateMMIOWrite(s.id, offset: Self.offset(s.aperture), size: 1, value: 0x03)
        #expect(s.hostEntry(s.aperture) == host)
        #expect(s.read(s.aperture) == Self.pte(5))
        #expect(s.ignoredReasons.count == 4)
        #expect(s.f.mediator.emulateMMIORead(s.id, offset: Self.offset(s.aperture) + 4, size: 8) == 0)
        #expect(s.f.mediator.emulateMMIORead(s.id, offset: Self.offset(s.aperture), size: 2) == 0)
        #expect(s.f.mediator.emulateMMIORead(s.id, offset: Self.offset(s.aperture) + 1, size: 4) == 0)
    }

    @Test(arguments: [false, true])
    func halfWritesReachTheHostOnlyWhenBothHalvesArrived(highFirst: Bool) throws {
        let s = try Setup()
        let index = s.aperture + 10
        s.write(index, Self.pte(5))
        let before = s.hostEntry(index)
        let guest = Self.pte(0x11, flags: 0x1) | 1 << 60  // bit 60: ignored by the hardware, kept
        let halves: [(Bool, UInt32)] = [(false, UInt32(guest & 0xFFFF_FFFF)), (true, UInt32(guest >> 32))]
        let (first, second) = highFirst ? (halves[1], halves[0]) : (halves[0], halves[1])
        s.writeHalf(index, high: first.0, first.1)
        // Guest copy updated at once, host untouched.
        let merged = first.0 ? Self.pte(5) & 0xFFFF_FFFF | UInt64(first.1) << 32 : Self.pte(5) & ~0xFFFF_FFFF | UInt64(first.1)
        #expect(s.read(index) == merged)
        #expect(s.read(index, size: 4, high: first.0) == UInt64(first.1))
        #expect(s.hostEntry(index) == before)
        #expect(s.vgpu.ggtt.partialIndices == [index])
        #expect(s.ignoredReasons.last == "partial PTE: waiting for the other half")
        #expect(s.f.mediator.checkGTTInvariants(s.vgpu) == [])
        s.writeHalf(index, high: second.0, second.1)
        #expect(s.read(index) == guest)
        #expect(s.hostEntry(index).frame == s.f.hypervisor.backing(s.id, 0x11))
        #expect(s.hostEntry(index).rawValue >> 60 == 1)
        #expect(s.vgpu.ggtt.partialIndices == [])
        #expect(s.f.mediator.checkGTTInvariants(s.vgpu) == [])
    }

    @Test func aLoneHalfNeverReachesTheHostAndAFullWriteSupersedesIt() throws {
        let s = try Setup()
        let index = s.hidden
        s.writeHalf(index, high: false, UInt32(Self.pte(9)))
        s.writeHalf(index, high: false, UInt32(Self.pte(10)))  // same half again: still pending
        #expect(s.hostEntry(index).rawValue == 0)
        #expect(s.read(index) == Self.pte(10))
        #expect(s.vgpu.ggtt.partialIndices == [index])
        s.write(index, Self.pte(12))
        #expect(s.vgpu.ggtt.partialIndices == [])
        #expect(s.hostEntry(index).frame == s.f.hypervisor.backing(s.id, 12))
        // A later lone high half does not pair with the superseded low half.
        s.writeHalf(index, high: true, 0)
        #expect(s.hostEntry(index).frame == s.f.hypervisor.backing(s.id, 12))
        #expect(s.vgpu.ggtt.partialIndices == [index])
    }

    @Test func invalidGuestFramesMapTheScratchPage() throws {
        let s = try Setup(guestPages: 16)
        s.write(s.aperture, Self.pte(16))                        // just past guest memory
        s.write(s.aperture + 1, Self.pte(0xFFFF_FFFF))           // far away
        s.write(s.aperture + 2, 0x000F_0000_0000_0003)           // beyond the address width
        let scratch = try #require(s.vgpu.ggtt.scratchFrame)
        for k in 0..<3 {
            #expect(s.hostEntry(s.aperture + k).frame == scratch)
            #expect(s.hostEntry(s.aperture + k).isPresent)
        }
        #expect(s.hostEntry(s.aperture + 2).rawValue & 0x000F_FF80_0000_0000 == 0)
        #expect(s.read(s.aperture + 1) == Self.pte(0xFFFF_FFFF))
        // Not present: scratch with present clear.
        s.write(s.aperture + 3, Self.pte(3, flags: 0x2))
        #expect(s.hostEntry(s.aperture + 3).frame == scratch)
        #expect(!s.hostEntry(s.aperture + 3).isPresent)
        #expect(s.f.mediator.checkGTTInvariants(s.vgpu) == [])
        #expect(s.f.gpu.memory.isAllocated(scratch))
    }

    @Test func resetAndDestroyClearTheHostRangeAndFreeScratch() throws {
        let s = try Setup()
        s.write(s.aperture, Self.pte(5))
        s.write(s.hidden + 1, Self.pte(99_999))
        s.writeHalf(s.hidden + 2, high: false, 0x7003)
        let scratch = try #require(s.vgpu.ggtt.scratchFrame)
        try s.f.mediator.resetVGPU(s.id, deviceModelLevel: true)
        #expect(s.hostEntry(s.aperture).rawValue == 0)
        #expect(s.hostEntry(s.hidden + 1).rawValue == 0)
        #expect(s.read(s.aperture) == 0 && s.read(s.hidden + 2) == 0)
        #expect(s.vgpu.ggtt.partialIndices == [] && s.vgpu.ggtt.scratchFrame == nil)
        #expect(!s.f.gpu.memory.isAllocated(scratch))
        s.write(s.aperture + 5, Self.pte(6))
        try s.f.mediator.destroyVGPU(s.id)
        #expect(s.hostEntry(s.aperture + 5).rawValue == 0)
    }

    @Test func engineResetKeepsTheGGTT() throws {
        let s = try Setup()
        s.write(s.aperture, Self.pte(5))
        try s.f.mediator.resetVGPU(s.id, deviceModelLevel: false, engines: [.rcs])
        try s.f.mediator.resetVGPU(s.id, deviceModelLevel: false, engines: .all)
        #expect(s.hostEntry(s.aperture).frame == s.f.hypervisor.backing(s.id, 5))
        #expect(s.read(s.aperture) == Self.pte(5))
    }

    @Test func invariantsCatchAForeignHostEntry() throws {
        let s = try Setup()
        s.write(s.aperture, Self.pte(5))
        s.f.gpu.ggtt[s.aperture + 1] = GGTTEntry(frame: s.f.hypervisor.backing(s.id, 6)!)  // guest PTE is 0
        s.f.gpu.ggtt[s.aperture] = GGTTEntry(frame: 0x777)
        let problems = s.f.mediator.checkGTTInvariants(s.vgpu)
        #expect(problems.count == 2)
        #expect(problems.first?.contains("GGTT \(s.aperture):") ?? false)
    }

    @Test func seededChurnKeepsTheInvariants() throws {
        let s = try Setup(guestPages: 64)
        var rng = SplitMix64(seed: 0x5EED_6677)
        let indices = Array(s.aperture..<(s.aperture + 32)) + Array(s.hidden..<(s.hidden + 32))
        for _ in 0..<2000 {
            let index = indices[Int(rng.next() % UInt64(indices.count))]
            let gfn = rng.next() % 80  // some beyond guest memory
            let value = Self.pte(gfn, flags: rng.next() & 0x9B)
            switch rng.next() % 4 {
            case 0: s.writeHalf(index, high: false, UInt32(truncatingIfNeeded: value))
            case 1: s.writeHalf(index, high: true, UInt32(truncatingIfNeeded: value >> 32))
            default: s.write(index, value)
            }
        }
        #expect(s.f.mediator.checkGTTInvariants(s.vgpu) == [])
    }
}

/// A small deterministic generator (SplitMix64) for seeded churn tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
