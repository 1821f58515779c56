/// A 64-bit execlist context descriptor, one ELSP element (PRM: "Context Descriptor";
/// i915: `lrc_desc`; GVT: `struct execlist_ctx_descriptor_format`).
///
/// Bit 0 valid, 1 force page-directory restore, 2 force restore, 4:3 addressing mode,
/// 5 L3/LLC coherent, 7:6 fault mode, 8 privilege, 31:12 LRCA (GGTT page of the logical
/// ring context), 63:32 context id (GVT treats the whole upper dword as the id).
public struct ContextDescriptor: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Builds a descriptor from its parts.
    public init(
        lrca: GraphicsAddress, contextID: UInt32, addressingMode: AddressingMode = .legacy64,
        privileged: Bool = true, valid: Bool = true, forceRestore: Bool = false, forcePDRestore: Bool = false
    ) {
        var raw = (lrca.rawValue & 0xFFFF_F000) | UInt64(contextID) << 32
        raw |= UInt64(addressingMode.rawValue) << 3
        if valid { raw |= 1 }
        if forcePDRestore { raw |= 1 << 1 }
        if forceRestore { raw |= 1 << 2 }
        if privileged { raw |= 1 << 8 }
        self.rawValue = raw
    }

    /// The addressing mode field (bits 4:3).
    public enum AddressingMode: UInt8, Sendable, Codable, CaseIterable {
        /// Advanced context (SVM); not supported by GVT.
        case advanced = 0
        /// Legacy 32-bit: four PDPs in the context image (3-level PPGTT).
        case legacy32 = 1
        /// Advanced with A/D bits; not supported by GVT.
        case advancedAD = 2
        /// Legacy 64-bit: PML4 in the PDP0 slot (4-level, 48-bit PPGTT).
        case legacy64 = 3
    }

    @inlinable public var isValid: Bool { rawValue & 1 != 0 }
    @inlinable public var forcePDRestore: Bool { rawValue & 2 != 0 }
    @inlinable public var forceRestore: Bool { rawValue & 4 != 0 }
    @inlinable public var addressingMode: AddressingMode { AddressingMode(rawValue: UInt8((rawValue >> 3) & 3))! }
    /// Fault mode (bits 7:6); 0 = fault and hang.
    @inlinable public var faultMode: Int { Int((rawValue >> 6) & 3) }
    /// `GEN8_CTX_PRIVILEGE`: batches in GGTT may run privileged commands.
    @inlinable public var isPrivileged: Bool { rawValue & (1 << 8) != 0 }
    /// Graphics address of the logical ring context (its first page is the per-process HWSP).
    @inlinable public var lrca: GraphicsAddress { GraphicsAddress(rawValue & 0xFFFF_F000) }
    /// The context id reported in CSB entries (upper dword).
    @inlinable public var contextID: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
    /// Lower and upper dwords, as written to ELSP.
    @inlinable public var low: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
    @inlinable public var high: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }

    public var description: String {
        guard isValid else { return "invalid" }
        return "lrca \(lrca) id \(hex(contextID)) \(addressingMode)\(isPrivileged ? " priv" : "")"
    }
}
