/// An Apollo Lake class (Gen9) GPU as a deterministic model: the hardware the mediator
/// drives. (No Intel hardware exists where gvt-rr runs; this model *is* the hardware.)
///
/// The model is stepped by its caller and never reads a clock, spawns a thread or draws a
/// random number: the same calls in the same order give the same registers, memory and
/// events, byte for byte. Its outputs are `GPUEvent`s, collected until `drainEvents()`.
///
/// Concerns live in extensions: `GPU+MMIO` (BAR0: registers and the GGTT window),
/// `GPU+Execlists` (submission, context load/save, CSB), `GPU+CommandStreamer` (the run
/// loop and MI commands), `GPU+Blitter`, `GPU+Hangcheck` and `GPU+Reset`.
public final class GPU {
    /// How this GPU was built.
    public let configuration: GPUConfiguration
    /// Host physical memory (shared with whoever backs guests by it).
    public let memory: PhysicalMemory
    /// The global GTT.
    public let ggtt: GGTT
    /// The MMIO register file (hardware view).
    public internal(set) var registers: RegisterFile
    /// PCI config space of device 0:2.0.
    public internal(set) var pciConfig: PCIConfigSpace
    /// Pipes, planes and vblank.
    public internal(set) var display: DisplayEngine
    /// Per-engine state, indexed by `EngineID.index`.
    public internal(set) var engines: [EngineState]
    /// The time the caller last advanced the model to.
    public internal(set) var now: VirtualTime = .zero
    /// The shared command table.
    public let commands: CommandTable
    /// The register catalogue.
    public let catalogue: RegisterCatalogue

    /// Fixed cost of each command of the table, by `CommandInfo.id`.
    let commandCosts: [UInt64]
    /// Told of every memory write a command makes (stores, post-sync writes, blits): the
    /// engine, the graphics address, the physical address and the byte count. Context
    /// save and CSB mirroring are the hardware's own writes and are not reported. Nil
    /// (the default) costs nothing; the isolation oracle attaches here.
    public var commandWriteObserver: ((EngineID, GraphicsAddress, PhysicalAddress, Int) -> Void)?
    /// Told of every register a command loads (LRI, LRM, LRR) after the privilege checks:
    /// engine, register, value. Nil costs nothing.
    public var commandRegisterWriteObserver: ((EngineID, MMIOOffset, UInt32) -> Void)?
    var events: [GPUEvent] = []
    var interruptLine = false

    /// Builds a GPU in its power-on state.
    public init(configuration: GPUConfiguration = .apolloLake) {
        self.configuration = configuration
        self.memory = PhysicalMemory(size: configuration.memorySize)
        self.ggtt = GGTT()
        self.catalogue = .gen9
        self.commands = .gen9
        self.commandCosts = CommandTable.gen9.commands.map { configuration.cost.fixedCost(of: $0) }
        self.registers = RegisterFile(catalogue: .gen9)
        self.pciConfig = PCIConfigSpace(deviceID: configuration.deviceID, apertureSize: configuration.apertureSize)
        self.display = DisplayEngine(refreshRateHz: configuration.refreshRateHz)
        self.engines = EngineID.allCases.map { EngineState(id: $0) }
    }

    /// Graphics memory through this GPU's GGTT.
    @inlinable public var graphicsMemory: GraphicsMemory { GraphicsMemory(memory: memory, ggtt: ggtt) }

    /// Returns the events produced since the last call, in order, and forgets them.
    public func drainEvents() -> [GPUEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Events produced since the last drain (without forgetting them).
    public var pendingEvents: [GPUEvent] { events }

    /// Moves virtual time forward to `time`: display vblanks and flips happen; engines do
    /// not run (call `run(_:until:)` for that). Time never goes backwards.
    public func advance(to time: VirtualTime) {
        guard time > now else { return }
        now = time
        forward(display.advance(to: time, registers: &registers))
    }

    /// Runs every engine up to `time` (in engine order), then advances the display.
    public func runAll(until time: VirtualTime) {
        for engine in EngineID.allCases { _ = run(engine, until: time) }
        advance(to: time)
    }

    /// The state of one engine.
    @inlinable public func engine(_ id: EngineID) -> EngineState { engines[id.index] }

    /// Raises a hardware interrupt and signals MSI on a rising edge of the interrupt line.
    func raise(_ event: InterruptEvent) {
        InterruptController.raise(event, in: &registers)
        updateInterruptLine()
    }

    /// Emits `.interrupt` when the master interrupt becomes asserted.
    func updateInterruptLine() {
        let asserted = InterruptController.isAsserted(registers)
        if asserted && !interruptLine { events.append(.interrupt) }
        interruptLine = asserted
    }
}
