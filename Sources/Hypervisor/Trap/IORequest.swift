/// One trapped guest access as ACRN hands it to a device model (ACRN: `struct vhm_request`
/// with `mmio_request`/`pci_request`; types REQ_PORTIO 0, REQ_MMIO 1, REQ_PCICFG 2, REQ_WP 3).
/// It carries the vCPU, guest RIP and instruction bytes so a journal can show the exact
/// guest instruction behind every trap.
public struct IORequest: Hashable, Sendable, Codable {
    public enum Kind: UInt8, Hashable, Sendable, Codable {
        case portIO = 0, mmio = 1, pciConfig = 2, writeProtect = 3
    }

    public var kind: Kind
    /// Guest physical address (MMIO, write-protect) or config-space offset (PCI config).
    public var address: UInt64
    /// Bytes accessed.
    public var size: Int
    public var direction: MMIOInstruction.Direction
    /// Value written, or (after completion) the value read.
    public var value: UInt64
    public var vcpu: Int
    public var rip: UInt64
    /// The faulting instruction's bytes (empty for config accesses made by port I/O emulation).
    public var instruction: [UInt8]

    public init(kind: Kind, address: UInt64, size: Int, direction: MMIOInstruction.Direction, value: UInt64 = 0,
                vcpu: Int, rip: UInt64, instruction: [UInt8]) {
        self.kind = kind
        self.address = address
        self.size = size
        self.direction = direction
        self.value = value
        self.vcpu = vcpu
        self.rip = rip
        self.instruction = instruction
    }
}
