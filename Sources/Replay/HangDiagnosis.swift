import GPUModel
import Journal
import Mediator

/// A buffer of graphics memory read at the moment of a hang (ring or batch).
public struct CapturedBuffer: Sendable, Equatable {
    /// What it is: "ring", "first-level batch", "second-level batch".
    public var role: String
    /// Graphics address of `dwords[0]`.
    public var start: GraphicsAddress
    /// Whether it was read through the context's PPGTT (else the GGTT).
    public var ppgtt: Bool
    /// Where the engine is in it (ACTHD for the innermost batch, HEAD for the ring).
    public var position: GraphicsAddress
    /// The dwords read (up to the first unmapped page).
    public var dwords: ContiguousArray<UInt32>
}

/// How the guest submitted the hung workload: the ELSP writes (with the trapping guest
/// instruction) and the mediator's view of the submission.
public struct SubmissionTrace: Sendable, Equatable {
    /// The mmio-write records to the engine's ELSP port that made the submission (at most 4).
    public var elspWrites: [JournalRecord] = []
    /// The elsp-submission output, if recorded.
    public var submission: JournalRecord?
    /// The workload-created output.
    public var created: JournalRecord?
}

/// A hang a person can act on: which engine and vGPU, which workload, where the engine is
/// stuck (ring head/tail, ACTHD, the command there decoded with the batch around it) and
/// how the guest submitted it. Built from the replay engine's live state at the moment the
/// mediator received the hang (before it reset the engine).
///
/// i915's counterpart is the error state (`i915_gpu_coredump`); gvt-rr's adds the guest side.
public struct HangDiagnosis: Sendable, Equatable {
    /// Sequence of the recorded hang output (0 until the replayer fills it in).
    public var sequence: UInt64 = 0
    /// Sequence of the input whose entry found the hang.
    public var inputSequence: UInt64 = 0
    /// The hung engine.
    public var engine: EngineID
    /// Why the GPU declared it hung ("semaphore", "loop", "stuck", "stalled").
    public var reason: String
    /// The vGPU whose workload was running (nil: none, e.g. a host context).
    public var vgpu: UInt32?
    /// The mediator's workload id.
    public var workload: UInt64?
    /// The guest's context descriptor of the workload.
    public var guestContext: UInt64?
    /// The host (shadow) context descriptor loaded on the engine.
    public var hostContext: UInt64?
    /// Address of the command being executed (PRM: ACTHD).
    public var acthd: GraphicsAddress
    /// The dword at ACTHD (the stuck command's header), if readable.
    public var instruction: UInt32?
    /// Ring start (GGTT), size in bytes, head and tail offsets.
    public var ringStart: GraphicsAddress
    public var ringSize: UInt32
    public var head: UInt32
    public var tail: UInt32
    /// What the engine waits on, if it polls a semaphore (address, value wanted).
    public var semaphore: String?
    /// The ring and the batches being executed (outermost first), as read at the hang.
    public var buffers: [CapturedBuffer] = []
    /// How the workload was submitted.
    public var submission: SubmissionTrace?

    /// Most bytes read of one batch buffer.
    static let batchReadLimit = 16 * 4096

    /// Captures the hang `report` from `gpu`'s and `mediator`'s state now (call it when the
    /// mediator observes the hang, before the engine is reset).
    public static func capture(_ report: GPUModel.HangReport, gpu: GPU, mediator: Mediator) -> HangDiagnosis {
        let state = gpu.engine(report.engine)
        let current = mediator.currentWorkloads[report.engine.index]
        var diagnosis = HangDiagnosis(
            engine: report.engine, reason: report.reason.rawValue, vgpu: current.map { UInt32($0.vgpu.rawValue) },
            workload: current?.id, guestContext: current?.descriptor.rawValue, hostContext: report.context?.rawValue,
            acthd: report.acthd, instruction: report.instruction, ringStart: report.ringStart,
            ringSize: state.context?.ringSize ?? 0, head: report.ringHead, tail: report.ringTail)
        if let wait = state.semaphoreWait {
            diagnosis.semaphore = "waits until the dword at \(wait.address) (\(wait.space == .ggtt ? "GGTT" : "PPGTT")) "
                + "compares \(semaphoreOperation(wait.operation)) \(hex(UInt64(wait.data), width: 8))"
                + (readDword(gpu, wait.address, wait.space).map { "; it holds \(hex(UInt64($0), width: 8))" } ?? "")
        }
        guard let context = state.context else { return diagnosis }
        let memory = gpu.graphicsMemory
        let ringDwords = Int(context.ringSize / 4)
        // Up to a little past the furthest of HEAD and TAIL (all of it when the ring wrapped).
        let used = context.tail >= context.head ? min(ringDwords, Int(context.tail / 4) + 8) : ringDwords
        if let ring = try? memory.readDwords(context.ringStart, count: used, in: .ggtt) {
            diagnosis.buffers.append(CapturedBuffer(role: "ring", start: context.ringStart, ppgtt: false,
                                                    position: context.ringStart.advanced(by: UInt64(context.head)),
                                                    dwords: ContiguousArray(ring)))
        }
        for (k, frame) in context.batches.enumerated() {
            let innermost = k == context.batches.count - 1
            let position = innermost ? context.acthd : frame.pointer
            let wanted = max(Int(position.rawValue &- frame.start.rawValue) + 4096, 4096)
            let dwords = readPages(memory, from: frame.start, bytes: min(wanted, batchReadLimit), space: frame.space)
            diagnosis.buffers.append(CapturedBuffer(role: frame.level == .first ? "first-level batch" : "second-level batch",
                                                    start: frame.start, ppgtt: frame.space != .ggtt, position: position,
                                                    dwords: dwords))
        }
        return diagnosis
    }

    /// Reads whole pages from `start` until `bytes` or the first page that does not translate.
    static func readPages(_ memory: GraphicsMemory, from start: GraphicsAddress, bytes: Int, space: AddressSpace)
        -> ContiguousArray<UInt32>
    {
        var dwords = ContiguousArray<UInt32>()
        var address = start
        var left = bytes
        while left > 0 {
            let inPage = Int(4096 - (address.rawValue & 0xFFF))
            let count = min(inPage, left) / 4
            guard count > 0, let chunk = try? memory.readDwords(address, count: count, in: space) else { break }
            dwords.append(contentsOf: chunk)
            address = address.advanced(by: UInt64(count * 4))
            left -= count * 4
        }
        return dwords
    }

    static func readDword(_ gpu: GPU, _ address: GraphicsAddress, _ space: AddressSpace) -> UInt32? {
        try? gpu.graphicsMemory.read32(address, in: space)
    }

    static func semaphoreOperation(_ code: UInt32) -> String {
        ["greater than", "greater than or equal to", "less than", "less than or equal to", "equal to", "not equal to"][safe: Int(code)]
            ?? "(operation \(code))"
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
