import GPUModel

/// One observation of the mediator: an input it consumed or an output it produced, in the
/// order its state changed. The recorder journals these; replay compares the outputs.
public enum MediatorEvent: Hashable, Sendable {
    // MARK: Inputs (with the value returned, for reads)
    /// A trapped MMIO read of BAR0 (`offset` from BAR0) and the value returned.
    case mmioRead(VGPUID, offset: UInt64, size: Int, value: UInt64)
    /// A trapped MMIO write of BAR0.
    case mmioWrite(VGPUID, offset: UInt64, size: Int, value: UInt64)
    /// A PCI config space read and the value returned.
    case configRead(VGPUID, offset: Int, size: Int, value: UInt32)
    /// A PCI config space write.
    case configWrite(VGPUID, offset: Int, size: Int, value: UInt32)
    /// A guest write to a write-protected (tracked) page.
    case pageTrackWrite(VGPUID, GuestPhysicalAddress, bytes: [UInt8])
    /// Guest memory the mediator read through the MPT port.
    case guestMemoryRead(VGPUID, GuestPhysicalAddress, bytes: [UInt8])
    /// A clock reading the mediator took.
    case clock(VirtualTime)
    /// A timer expired.
    case timer(TimerKind, VirtualTime)
    /// vGPU lifecycle requests.
    case vgpuCreated(VGPUID, type: String)
    case vgpuDestroyed(VGPUID)
    case vgpuReset(VGPUID, deviceModelLevel: Bool, engines: EngineMask)

    // MARK: Outputs
    /// A guest GGTT PTE write: guest entry and the host entry written.
    case ggttWrite(VGPUID, index: Int, guest: UInt64, host: UInt64)
    /// A guest GGTT PTE write that changed nothing on the host, and why.
    case ggttWriteIgnored(VGPUID, index: Int, guest: UInt64, reason: String)
    /// A shadow PPGTT entry changed: the guest entry and the shadow entry written.
    case shadowPPGTTWrite(VGPUID, table: PhysicalAddress, index: Int, guest: UInt64, shadow: UInt64)
    /// A host register the mediator wrote on a guest's behalf (fences, context switch).
    case hostRegisterWrite(VGPUID, MMIOOffset, value: UInt32)
    /// A virtual interrupt raised in a vGPU's registers.
    case virtualInterrupt(VGPUID, InterruptEvent)
    /// An MSI injected into a guest.
    case msiInjected(VGPUID, address: UInt64, data: UInt32)
    /// A vGPU entered failsafe.
    case failsafe(VGPUID, FailsafeReason, detail: String)
    /// A PVINFO g2v notification handled.
    case g2vNotification(VGPUID, code: UInt32)

    // MARK: Interrupts and display
    /// Vblank emulation started or stopped needing its timer: some vGPU has (or none has) an
    /// enabled pipe (GVT ≤5.x: `intel_gvt_check_vblank_emulation` arming/cancelling the hrtimer).
    case vblankTimer(armed: Bool)
    /// A guest display register write refused or left incomplete, and why (plane scaling,
    /// an oversized DP AUX header, an unsupported AUX request); the guest is not stopped.
    case displayWriteRefused(VGPUID, MMIOOffset, value: UInt32, reason: String)
}

/// The mediator's timers.
public enum TimerKind: String, Hashable, Sendable, Codable {
    /// GVT's scheduler tick (1 ms).
    case schedule
    /// Vblank emulation.
    case vblank
}

/// Watches a mediator. Called inside the engine's order, synchronously, for every event;
/// with no observer attached the mediator builds no events at all.
public protocol MediatorObserver: AnyObject {
    func mediator(_ mediator: Mediator, observed event: MediatorEvent)
}
