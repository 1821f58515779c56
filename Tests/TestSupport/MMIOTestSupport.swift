import GPUModel
import Mediator

/// A host GPU port over a real `GPU` that records every register write and lets a test
/// pin the value of chosen host registers (live ACTHD, INSTDONE...).
public final class RecordingHostGPU: HostGPUPort {
    public let gpu: GPU
    /// Host register writes, in order.
    public private(set) var registerWrites: [(MMIOOffset, UInt32)] = []
    /// Host register reads, in order.
    public private(set) var registerReads: [MMIOOffset] = []
    /// Values returned instead of the GPU's for these offsets.
    public var pinnedRegisters: [MMIOOffset: UInt32] = [:]

    public init(gpu: GPU) { self.gpu = gpu }

    public func hostReadRegister(_ offset: MMIOOffset) -> UInt32 {
        registerReads.append(offset)
        return pinnedRegisters[offset] ?? gpu.readRegister(offset)
    }
    public func hostWriteRegister(_ offset: MMIOOffset, _ value: UInt32) {
        registerWrites.append((offset, value))
        gpu.writeRegister(offset, value)
    }
    public func hostGGTTEntry(_ index: Int) -> GGTTEntry { gpu.hostGGTTEntry(index) }
    public func hostSetGGTTEntry(_ index: Int, _ entry: GGTTEntry) { gpu.hostSetGGTTEntry(index, entry) }
    public func hostAllocatePage() -> PageFrameNumber? { gpu.hostAllocatePage() }
    public func hostFreePage(_ frame: PageFrameNumber) { gpu.hostFreePage(frame) }
    public func hostRead64(_ address: PhysicalAddress) -> UInt64 { gpu.hostRead64(address) }
    public func hostWrite64(_ address: PhysicalAddress, _ value: UInt64) { gpu.hostWrite64(address, value) }
    public func hostWriteDwords(_ address: PhysicalAddress, _ dwords: ArraySlice<UInt32>) { gpu.hostWriteDwords(address, dwords) }
    public func hostReadDwords(_ address: PhysicalAddress, count: Int) -> [UInt32] { gpu.hostReadDwords(address, count: count) }
    public var hostApertureSize: UInt64 { gpu.hostApertureSize }

    /// Forgets recorded reads and writes.
    public func clearLog() {
        registerWrites.removeAll()
        registerReads.removeAll()
    }
}

/// A mediator over a recording host GPU and a fake hypervisor, with trapped-access helpers.
public struct MMIOFixture {
    public let host: RecordingHostGPU
    public let hypervisor: FakeHypervisor
    public let mediator: Mediator
    public let log = EventLog()

    public init(revision: MediatorRevision = .current) {
        let gpu = GPU(configuration: .apolloLake)
        host = RecordingHostGPU(gpu: gpu)
        hypervisor = FakeHypervisor(memory: gpu.memory)
        mediator = Mediator(configuration: MediatorConfiguration(revision: revision), host: host, mpt: hypervisor,
                            clock: ManualClock())
        mediator.observer = log
    }

    /// Creates a vGPU (default GVTg_V5_4) and clears the host log and the event log.
    public func makeVGPU(_ type: VGPUType = .v5_4) throws -> VGPUID {
        let id = try mediator.createVGPU(type: type)
        host.clearLog()
        log.clear()
        return id
    }

    /// A trapped read of BAR0 at `offset`.
    public func read(_ id: VGPUID, _ offset: UInt32, size: Int = 4) -> UInt64 {
        mediator.emulateMMIORead(id, offset: UInt64(offset), size: size)
    }

    /// A trapped write of BAR0 at `offset`.
    public func write(_ id: VGPUID, _ offset: UInt32, _ value: UInt64, size: Int = 4) {
        mediator.emulateMMIOWrite(id, offset: UInt64(offset), size: size, value: value)
    }

    /// Reads PVINFO's magic, as a GVT-aware guest does first.
    @discardableResult
    public func readPVInfo(_ id: VGPUID) -> UInt64 { read(id, 0x78000, size: 8) }

    /// Failsafe events seen so far: (vGPU, reason).
    public var failsafes: [(VGPUID, FailsafeReason)] {
        log.events.compactMap {
            if case let .failsafe(id, reason, _) = $0 { return (id, reason) }
            return nil
        }
    }

    /// MMIO access errors seen so far: (offset, is write, reason).
    public var accessErrors: [(MMIOOffset, Bool, String)] {
        log.events.compactMap {
            if case let .mmioAccessError(_, offset, _, isWrite, reason) = $0 { return (offset, isWrite, reason) }
            return nil
        }
    }
}
