import GPUModel

/// The GPU model is the host GPU the mediator drives.
extension GPU: HostGPUPort {
    public func hostReadRegister(_ offset: MMIOOffset) -> UInt32 { readRegister(offset) }
    public func hostWriteRegister(_ offset: MMIOOffset, _ value: UInt32) { writeRegister(offset, value) }
    public func hostGGTTEntry(_ index: Int) -> GGTTEntry { ggtt[index] }
    public func hostSetGGTTEntry(_ index: Int, _ entry: GGTTEntry) { ggtt[index] = entry }
    public func hostAllocatePage() -> PageFrameNumber? { memory.allocateFrame() }
    public func hostFreePage(_ frame: PageFrameNumber) { memory.freeFrame(frame) }
    public func hostRead64(_ address: PhysicalAddress) -> UInt64 { memory.read64(address) }
    public func hostWrite64(_ address: PhysicalAddress, _ value: UInt64) { memory.write64(address, value) }
    public var hostApertureSize: UInt64 { configuration.apertureSize }
}
