import GPUModel

/// The mediator's narrow view of the physical GPU (GVT calls i915 for these).
///
/// Two implementations: `GPU` itself (live and replay) and recording fakes in tests.
public protocol HostGPUPort: AnyObject {
    /// Reads a host MMIO register.
    func hostReadRegister(_ offset: MMIOOffset) -> UInt32
    /// Writes a host MMIO register (fences, MMIO context switch, TLB invalidation).
    func hostWriteRegister(_ offset: MMIOOffset, _ value: UInt32)
    /// Reads a host GGTT entry.
    func hostGGTTEntry(_ index: Int) -> GGTTEntry
    /// Writes a host GGTT entry.
    func hostSetGGTTEntry(_ index: Int, _ entry: GGTTEntry)
    /// Allocates a zeroed host page (shadow page tables, scratch pages); nil when out of memory.
    func hostAllocatePage() -> PageFrameNumber?
    /// Returns a host page.
    func hostFreePage(_ frame: PageFrameNumber)
    /// Reads a qword of host memory (shadow page tables).
    func hostRead64(_ address: PhysicalAddress) -> UInt64
    /// Writes a qword of host memory (shadow page tables).
    func hostWrite64(_ address: PhysicalAddress, _ value: UInt64)
    /// Writes dwords to host memory (shadow contexts, rings, batches).
    func hostWriteDwords(_ address: PhysicalAddress, _ dwords: ArraySlice<UInt32>)
    /// Reads dwords of host memory (shadow context write-back).
    func hostReadDwords(_ address: PhysicalAddress, count: Int) -> [UInt32]
    /// Size of the host's aperture (GMADR).
    var hostApertureSize: UInt64 { get }
}

/// The hypervisor interface (GVT's MPT: `intel_gvt_mpt`), per vGPU.
///
/// Two implementations: the `Hypervisor` (live) and the replayer (serves recorded guest
/// memory). Guest memory is read only through this port, via `Mediator.readGuest`, so
/// that the recorder captures what was read.
public protocol MPTPort: AnyObject {
    /// Copies guest memory (`read_gpa`); nil if any byte is outside guest memory.
    func readGuest(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, count: Int) -> [UInt8]?
    /// Writes guest memory (`write_gpa`); false if outside guest memory.
    func writeGuest(_ vgpu: VGPUID, _ address: GuestPhysicalAddress, bytes: [UInt8]) -> Bool
    /// True if `gfn` is backed guest memory (`is_valid_gfn`).
    func isValidGuestFrame(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> Bool
    /// The host frame backing `gfn` (`dma_map_guest_page`); nil if not mappable.
    func hostFrame(_ vgpu: VGPUID, for gfn: GuestFrameNumber) -> PageFrameNumber?
    /// Write-protects a guest page so that writes trap as write-protect requests.
    func enablePageTracking(_ vgpu: VGPUID, _ gfn: GuestFrameNumber) -> Bool
    /// Stops write-protecting a guest page.
    func disablePageTracking(_ vgpu: VGPUID, _ gfn: GuestFrameNumber)
    /// Injects the vGPU's MSI (`inject_msi`).
    func injectMSI(_ vgpu: VGPUID, address: UInt64, data: UInt32)
    /// Maps (or unmaps) host aperture frames at guest frames (BAR2 pass-through, `map_gfn_to_mfn`).
    func mapAperture(_ vgpu: VGPUID, guestFrame: GuestFrameNumber, hostFrame: PageFrameNumber, count: Int, map: Bool)
    /// Starts (or stops) trapping a guest-physical range (BAR0, `set_trap_area`).
    func setTrapArea(_ vgpu: VGPUID, start: GuestPhysicalAddress, end: GuestPhysicalAddress, map: Bool)
}

/// Where the mediator's time comes from. Every reading is an input: live capture reads a
/// monotonic clock and journals it, replay returns the journaled values, tests a manual clock.
public protocol MediatorClock: AnyObject {
    /// Nanoseconds on a monotonic time line.
    func now() -> VirtualTime
}

/// A clock that only moves when told to (tests, deterministic drivers).
public final class ManualClock: MediatorClock {
    public private(set) var time: VirtualTime
    public init(_ time: VirtualTime = .zero) { self.time = time }
    public func now() -> VirtualTime { time }
    /// Moves the clock forward by `nanoseconds`.
    public func advance(by nanoseconds: UInt64) { time = time + nanoseconds }
    /// Sets the clock (never backwards).
    public func set(_ newTime: VirtualTime) { time = max(time, newTime) }
}
