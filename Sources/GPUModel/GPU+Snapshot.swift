/// The whole state of a GPU at one moment (registers, memory, GGTT, engines, display,
/// pending events), for replay checkpoints. Structs share storage until written, and the
/// register file and GGTT are chunked copy-on-write, so a snapshot costs the memory pages,
/// register and GGTT chunks written since the previous one and little else.
public struct GPUSnapshot: Sendable {
    let registers: RegisterFile
    let pciConfig: PCIConfigSpace
    let display: DisplayEngine
    let engines: [EngineState]
    let now: VirtualTime
    let events: [GPUEvent]
    let interruptLine: Bool
    let ggtt: ChunkedArray<UInt64>
    /// Host memory.
    public let memory: PhysicalMemorySnapshot
}

extension GPUSnapshot {
    /// Estimated bytes this snapshot holds that `previous` does not share: register and GGTT
    /// chunks, memory pages and tables (the small engine and display state is not counted).
    public func bytesNotShared(with previous: GPUSnapshot?) -> Int {
        registers.bytesNotShared(with: previous?.registers) + ggtt.bytesNotShared(with: previous?.ggtt)
            + memory.bytesNotShared(with: previous?.memory)
    }
}

extension GPU {
    /// A snapshot of everything that changes as the GPU runs; memory pages equal to those of
    /// `previous` share its storage.
    public func snapshot(reusing previous: GPUSnapshot? = nil) -> GPUSnapshot {
        GPUSnapshot(registers: registers, pciConfig: pciConfig, display: display, engines: engines, now: now, events: events,
                    interruptLine: interruptLine, ggtt: ggtt.entries, memory: memory.snapshot(reusing: previous?.memory))
    }

    /// Puts the GPU back to `snapshot` (taken from a GPU of the same configuration).
    /// Observers stay attached.
    public func restore(_ snapshot: GPUSnapshot) {
        registers = snapshot.registers
        pciConfig = snapshot.pciConfig
        display = snapshot.display
        engines = snapshot.engines
        now = snapshot.now
        events = snapshot.events
        interruptLine = snapshot.interruptLine
        ggtt.entries = snapshot.ggtt
        memory.restore(snapshot.memory)
    }
}
