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
    public func hostWriteDwords(_ address: PhysicalAddress, _ dwords: ArraySlice<UInt32>) {
        memory.writeDwords(address, dwords)
    }
    public func hostReadDwords(_ address: PhysicalAddress, count: Int) -> [UInt32] {
        (0..<count).map { k in memory.read32(address.advanced(by: UInt64(k) * 4)) }
    }
    public var hostApertureSize: UInt64 { configuration.apertureSize }
}
