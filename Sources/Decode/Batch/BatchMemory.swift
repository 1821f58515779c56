import GPUModel

/// Graphics memory the decoder may read to follow MI_BATCH_BUFFER_START.
///
/// A closure from a graphics address to the dwords from that address to the end of whatever
/// buffer holds it (nil when nothing is known there). The `ppgtt` flag is the jump's address
/// space indicator; providers that know only one address space may ignore it.
public struct BatchMemory: Sendable {
    /// Dwords at `address` (to the end of its buffer), or nil.
    public let read: @Sendable (_ address: GraphicsAddress, _ ppgtt: Bool) -> ContiguousArray<UInt32>?

    /// Memory served by `read`.
    public init(read: @escaping @Sendable (_ address: GraphicsAddress, _ ppgtt: Bool) -> ContiguousArray<UInt32>?) {
        self.read = read
    }

    /// No memory: jumps are reported, never followed.
    public static let none = BatchMemory { _, _ in nil }

    /// Memory made of whole buffers at known addresses (e.g. the buffers of an error state).
    ///
    /// An address inside a buffer (dword-aligned) yields the rest of that buffer; the first
    /// buffer containing the address wins. Both address spaces are served alike.
    public static func buffers(_ buffers: [(address: GraphicsAddress, dwords: ContiguousArray<UInt32>)]) -> BatchMemory {
        let sorted = buffers
        return BatchMemory { address, _ in
            for buffer in sorted {
                let start = buffer.address.rawValue
                let size = UInt64(buffer.dwords.count) * 4
                guard address.rawValue >= start, address.rawValue - start < size else { continue }
                let delta = address.rawValue - start
                guard delta % 4 == 0 else { return nil }
                return ContiguousArray(buffer.dwords[Int(delta / 4)...])
            }
            return nil
        }
    }
}
