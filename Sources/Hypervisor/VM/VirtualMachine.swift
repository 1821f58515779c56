import GPUModel
import Mediator

/// A guest VM: guest-physical RAM backed by host frames of the GPU model's memory, the
/// vGPU's BARs in its physical address space, and the pages the mediator write-protects.
/// Guests run with an identity mapping, so a guest-virtual address is its physical one.
public final class VirtualMachine {
    public let id: Int
    /// The vGPU assigned to this VM.
    public let vgpu: VGPUID
    /// Guest RAM: guest frame k → host frame.
    public let ram: [PageFrameNumber]
    /// Guest-physical base of BAR0 (GTTMMADR, 16 MiB) and BAR2 (aperture).
    public var bar0Base: UInt64
    public var bar2Base: UInt64
    public var bar2Size: UInt64
    /// True while BAR0 is trapped (memory decoding enabled by the guest).
    public internal(set) var bar0Trapped = false
    /// Guest frames of BAR2 mapped to host aperture frames (pass-through).
    public internal(set) var apertureMap: [GuestFrameNumber: PageFrameNumber] = [:]
    /// Write-protected guest frames (PPGTT page tables the mediator shadows).
    public internal(set) var trackedFrames: Set<GuestFrameNumber> = []

    init(id: Int, vgpu: VGPUID, ram: [PageFrameNumber], bar0Base: UInt64, bar2Base: UInt64, bar2Size: UInt64) {
        self.id = id
        self.vgpu = vgpu
        self.ram = ram
        self.bar0Base = bar0Base
        self.bar2Base = bar2Base
        self.bar2Size = bar2Size
    }

    /// Bytes of guest RAM.
    public var ramSize: UInt64 { UInt64(ram.count) << 12 }

    /// The host frame behind a guest RAM frame.
    @inlinable public func hostFrame(_ gfn: GuestFrameNumber) -> PageFrameNumber? {
        gfn.rawValue < UInt64(ram.count) ? ram[Int(gfn.rawValue)] : nil
    }

    /// What a guest-physical address is.
    public enum Region: Equatable {
        case ram(PageFrameNumber)
        case bar0(offset: UInt64)
        case aperture(offset: UInt64)
        case unmapped
    }

    /// Classifies a guest-physical address.
    public func region(of address: UInt64) -> Region {
        if address >= bar0Base && address < bar0Base + BARLayout.gttmmadrSize { return .bar0(offset: address - bar0Base) }
        if address >= bar2Base && address < bar2Base + bar2Size { return .aperture(offset: address - bar2Base) }
        if let frame = hostFrame(GuestFrameNumber(address >> 12)) { return .ram(frame) }
        return .unmapped
    }
}
