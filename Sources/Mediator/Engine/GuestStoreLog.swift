import GPUModel

/// The host frames guests wrote with plain (untrapped) stores since the engine last ran, in
/// the order they were first written, with the vGPU whose guest wrote each. The engine turns
/// them into `EngineInput.guestPage` inputs at its next entry; a frame appears once however
/// often it was written. Storage is one byte per host frame plus the pending list.
struct GuestStoreLog {
    /// Per host frame: 0 = clean, else the writer's vGPU id + 1 (sized on first use).
    private var pending = ContiguousArray<UInt8>()
    /// Dirty frames in first-write order.
    private(set) var frames: [PageFrameNumber] = []

    /// Notes a store by `writer` into `frame` of a memory of `frameCount` frames.
    mutating func note(_ frame: PageFrameNumber, writer: VGPUID, frameCount: UInt64) {
        if pending.isEmpty { pending = ContiguousArray(repeating: 0, count: Int(frameCount)) }
        guard frame.rawValue < UInt64(pending.count) else { return }
        let slot = Int(frame.rawValue)
        if pending[slot] == 0 { frames.append(frame) }
        pending[slot] = UInt8(truncatingIfNeeded: writer.rawValue + 1)
    }

    /// The dirty frames and their writers, in first-write order; the log is empty afterwards.
    mutating func take() -> [(frame: PageFrameNumber, writer: VGPUID)] {
        guard !frames.isEmpty else { return [] }
        let taken = frames.map { ($0, VGPUID(Int(pending[Int($0.rawValue)]) - 1)) }
        for frame in frames { pending[Int(frame.rawValue)] = 0 }
        frames.removeAll(keepingCapacity: true)
        return taken
    }
}
