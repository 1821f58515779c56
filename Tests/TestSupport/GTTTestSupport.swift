import GPUModel
import Mediator

/// Builds guest page tables in a vGPU's guest memory, as a guest driver does, and traps
/// writes to them as the hypervisor would (GTT tests).
public final class GuestPageTables {
    public let fixture: MediatorFixture
    public let vgpu: VGPUID
    /// Next guest frame handed out by `allocate()`.
    public private(set) var nextFrame: GuestFrameNumber

    /// Page tables of `vgpu`, allocated from guest frame `firstFrame` upward.
    public init(_ fixture: MediatorFixture, vgpu: VGPUID, firstFrame: GuestFrameNumber = 1) {
        self.fixture = fixture
        self.vgpu = vgpu
        self.nextFrame = firstFrame
    }

    /// A fresh (zeroed) guest frame.
    public func allocate() -> GuestFrameNumber {
        let frame = nextFrame
        nextFrame = GuestFrameNumber(frame.rawValue + 1)
        fixture.hypervisor.guestWrite(vgpu, frame.address, bytes: [UInt8](repeating: 0, count: 4096))
        return frame
    }

    /// Writes entry `index` of the guest table at `table` directly (no trap: before tracking).
    public func set(_ table: GuestFrameNumber, _ index: Int, _ value: UInt64) {
        fixture.hypervisor.guestWrite64(vgpu, GuestPhysicalAddress(frame: table, offset: UInt64(index) * 8), value)
    }

    /// Writes entry `index` as a trapped 8-byte write; returns what the mediator said.
    @discardableResult
    public func trappedSet(_ table: GuestFrameNumber, _ index: Int, _ value: UInt64) -> Bool {
        fixture.mediator.handlePageTrackWrite(vgpu, address: GuestPhysicalAddress(frame: table, offset: UInt64(index) * 8),
                                              bytes: Self.bytes(value))
    }

    /// Writes one dword of entry `index` (`high`: bits 63:32) as a trapped 4-byte write.
    @discardableResult
    public func trappedSetHalf(_ table: GuestFrameNumber, _ index: Int, high: Bool, _ value: UInt32) -> Bool {
        let address = GuestPhysicalAddress(frame: table, offset: UInt64(index) * 8 + (high ? 4 : 0))
        return fixture.mediator.handlePageTrackWrite(vgpu, address: address, bytes: withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }

    /// Little-endian bytes of a qword.
    public static func bytes(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    /// A present, writable entry pointing at guest frame `frame`, with extra `flags`.
    public static func entry(_ frame: GuestFrameNumber, _ flags: UInt64 = 0) -> UInt64 {
        frame.rawValue << 12 | PPGTTEntry.presentBit | PPGTTEntry.writableBit | flags
    }

    /// A 4-level tree mapping `gma` to guest frame `page` with a 4 KiB PTE; tables shared
    /// with earlier calls on the same PML4 when the indices match. Returns the PML4.
    @discardableResult
    public func map4K(_ gma: UInt64, to page: GuestFrameNumber, pml4: GuestFrameNumber) -> GuestFrameNumber {
        let pt = walkOrCreate(gma, pml4: pml4, downTo: 1)
        set(pt, Int((gma >> 12) & 0x1FF), Self.entry(page))
        return pml4
    }

    /// The guest table at `level` (3 = PDP, 2 = PD, 1 = PT) under `pml4` for `gma`, created
    /// (zeroed, linked with plain entries) where missing.
    public func walkOrCreate(_ gma: UInt64, pml4: GuestFrameNumber, downTo level: Int) -> GuestFrameNumber {
        Self.walk(gma, pml4: pml4, downTo: level, read: { self.read($0, $1) }, allocate: allocate,
                  link: { self.set($0, $1, $2) })
    }

    /// The one guest page-table walker of the test support (also `TestGuest.mapPPGTT`): from
    /// `pml4` down to the table at `level` for `gma`, reading entries with `read`; a missing
    /// table is taken from `allocate` and linked with a present, writable entry through
    /// `link(table, index, entry)` (which decides whether the write is trapped).
    public static func walk(
        _ gma: UInt64, pml4: GuestFrameNumber, downTo level: Int, read: (GuestFrameNumber, Int) -> UInt64,
        allocate: () -> GuestFrameNumber, link: (GuestFrameNumber, Int, UInt64) -> Void
    ) -> GuestFrameNumber {
        var table = pml4
        var current = 4
        while current > level {
            let index = Int((gma >> UInt64(12 + 9 * (current - 1))) & 0x1FF)
            let existing = read(table, index)
            let next: GuestFrameNumber
            if existing & PPGTTEntry.presentBit != 0 {
                next = GuestFrameNumber((existing & PPGTTEntry.addressMask) >> 12)
            } else {
                next = allocate()
                link(table, index, entry(next))
            }
            table = next
            current -= 1
        }
        return table
    }

    /// Reads entry `index` of a guest table directly.
    public func read(_ table: GuestFrameNumber, _ index: Int) -> UInt64 {
        let bytes = fixture.hypervisor.readGuest(vgpu, GuestPhysicalAddress(frame: table, offset: UInt64(index) * 8), count: 8)!
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
    }
}
