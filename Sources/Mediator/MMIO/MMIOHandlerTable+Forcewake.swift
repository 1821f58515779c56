import GPUModel

/// Forcewake (GVT: `mul_force_wake_write`): the three Gen9 request registers are masked;
/// a write updates the virtual request and the matching acknowledgement mirrors its low
/// 16 bits at once. The hardware is never touched (a vGPU-aware guest registers no
/// forcewake domains at all; this keeps other guests working).
extension MMIOHandlerTable {
    /// (request, acknowledgement) pairs: render, blitter (GT), media.
    public static let forcewakePairs: [(request: MMIOOffset, ack: MMIOOffset)] = [
        (Reg.forcewakeRender, Reg.forcewakeAckRender),
        (Reg.forcewakeBlitter, Reg.forcewakeAckBlitter),
        (Reg.forcewakeMedia, Reg.forcewakeAckMedia),
    ]

    /// Forcewake rows: requests with the instant-ack handler, read-only acknowledgements.
    static func forcewakeRows() -> [MMIOInfo] {
        forcewakePairs.flatMap { pair in
            [
                MMIOInfo(pair.request, write: { $0.forcewakeWrite($1, $2, $4) }),
                MMIOInfo(pair.ack, flags: [.readOnly], readOnlyMask: ~0),
            ]
        }
    }
}

extension Mediator {
    /// A forcewake request write: masked update of the request, instant ack.
    func forcewakeWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt64) {
        guard let pair = MMIOHandlerTable.forcewakePairs.first(where: { $0.request == offset }) else { return }
        let new = RegisterFile.maskedUpdate(old: vgpu.vregs[offset], written: UInt32(truncatingIfNeeded: value))
        vgpu.vregs[offset] = new
        vgpu.vregs[pair.ack] = new & 0xFFFF
    }
}
