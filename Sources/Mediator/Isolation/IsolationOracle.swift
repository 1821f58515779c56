import GPUModel

/// The isolation oracle (issue 5; gvt-reference §9.3): an invariant check, independent of
/// the code it checks, that
/// - every host GGTT entry and every shadow PPGTT entry maps only frames the owning vGPU
///   (or, for the host's ranges, the host) owns (`checkMappings`);
/// - no engine running a vGPU's workload writes memory the vGPU does not own, or loads
///   another engine's or host-only registers (`attach(to:mediator:ownership:)`);
/// - no vGPU's input changes another vGPU's state (`fingerprints` + `checkAccess`).
///
/// It runs on demand and reports violations as `IsolationFinding` values; it never changes
/// the mediator or the GPU (its memory reads are made with the memory's read observer
/// detached, so recording and replay see nothing of them).
///
/// What it reads, and from where:
/// - **Ownership** of every host frame comes from a `MemoryOwnership` (the hypervisor's VM
///   RAM and the host allocator), never from the mediator.
/// - **Mappings** are read from the hardware: host GGTT entries from the GPU model's GGTT,
///   shadow page tables from host physical memory, walked from their roots the way the
///   GPU's PPGTT walker does (PS and IPS bits, reserved bits fault, present entries only).
/// - **From the mediator** it takes only what defines the policy or names what to look at:
///   (1) which vGPUs exist and their graphics-memory slices (the partition being enforced;
///   overlapping slices are themselves a finding); (2) each vGPU's declared scratch pages
///   (GGTT scratch, PPGTT scratch data page and scratch tables), allowed targets for that
///   vGPU only, and only if the ownership source says they are host frames and no other
///   vGPU declares them; (3) the roots of its shadow PPGTTs (a list of where to start
///   walking; the engines' running contexts are walked too, from the GPU's own state);
///   (4) `currentWorkloads`, to know which vGPU an engine is running (GVT:
///   `scheduler->current_workload[]`); (5) vregs, guest GGTT view, config space and
///   workload queues for the cross-vGPU fingerprints, which are that state itself.
///
/// A class: attached to a GPU it collects engine findings as the GPU runs.
public final class IsolationOracle {
    /// Engine findings collected since the last `takeEngineFindings()`, in order.
    public private(set) var engineFindings: [IsolationFinding] = []
    /// Engine findings dropped because `engineFindingLimit` was reached.
    public private(set) var droppedEngineFindings = 0
    /// At most this many engine findings are kept between two takes (a store loop into the
    /// host status page must not exhaust memory).
    public var engineFindingLimit = 4096
    /// Command writes and register loads checked while attached (vGPU workloads only).
    public private(set) var engineAccessesChecked = 0
    /// What the last `checkMappings` looked at.
    public internal(set) var lastStatistics = Statistics()

    /// Work done by one mapping check.
    public struct Statistics: Hashable, Sendable {
        /// Host GGTT entries read (every entry of the 4 GiB space: 1 Mi).
        public var ggttEntries = 0
        /// Present host GGTT entries checked.
        public var presentGGTTEntries = 0
        /// Shadow page tables walked.
        public var shadowTables = 0
        /// Present shadow PPGTT entries checked (table pointers and leaves).
        public var shadowEntries = 0
        /// Frames whose owner was looked up.
        public var ownershipLookups = 0

        /// Nothing done yet.
        public init() {}
    }

    weak var attachedGPU: GPU?
    weak var attachedMediator: Mediator?
    weak var attachedOwnership: (any MemoryOwnership)?

    /// An oracle with no findings, attached to nothing.
    public init() {}

    // MARK: Engine writes (attached to the GPU model)

    /// Watches every command write and command register load of `gpu` (through its
    /// `commandWriteObserver` and `commandRegisterWriteObserver`, which it takes over):
    /// while engine E executes vGPU X's workload (`mediator.currentWorkloads[E]`), a write
    /// to a frame that is not X's (nor X's scratch page) and a load of another engine's ring
    /// register or of host-only state become findings. Work the host runs for itself is not
    /// checked. References are weak: the oracle keeps nothing alive. An observer already
    /// attached (another oracle: the bench's and the recorder's) keeps being called first.
    public func attach(to gpu: GPU, mediator: Mediator, ownership: any MemoryOwnership) {
        attachedGPU = gpu
        attachedMediator = mediator
        attachedOwnership = ownership
        let previousWrite = gpu.commandWriteObserver
        gpu.commandWriteObserver = { [weak self] engine, gma, physical, count in
            previousWrite?(engine, gma, physical, count)
            self?.engineWrote(engine, gma, physical, count)
        }
        let previousLoad = gpu.commandRegisterWriteObserver
        gpu.commandRegisterWriteObserver = { [weak self] engine, offset, value in
            previousLoad?(engine, offset, value)
            self?.engineLoaded(engine, offset, value)
        }
    }

    /// Stops watching `gpu` (its observers are cleared).
    public func detach(from gpu: GPU) {
        gpu.commandWriteObserver = nil
        gpu.commandRegisterWriteObserver = nil
        if attachedGPU === gpu { attachedGPU = nil }
    }

    /// Returns the engine findings collected so far and forgets them.
    public func takeEngineFindings() -> [IsolationFinding] {
        defer {
            engineFindings.removeAll()
            droppedEngineFindings = 0
        }
        return engineFindings
    }

    func record(_ finding: IsolationFinding) {
        if engineFindings.count < engineFindingLimit { engineFindings.append(finding) } else { droppedEngineFindings += 1 }
    }

    /// A command of `engine` writes `count` bytes at `physical` (graphics address `gma`).
    func engineWrote(_ engine: EngineID, _ gma: GraphicsAddress, _ physical: PhysicalAddress, _ count: Int) {
        guard count > 0, let mediator = attachedMediator, let ownership = attachedOwnership, let gpu = attachedGPU,
              let workload = mediator.currentWorkloads[engine.index] else { return }
        engineAccessesChecked += 1
        let x = workload.vgpu
        let scratch = ScratchPages(mediator.vgpu(x))
        let first = physical.rawValue >> 12
        let last = (physical.rawValue &+ UInt64(count) &- 1) >> 12
        for raw in first...max(first, last) {
            let frame = PageFrameNumber(raw)
            let owner = ownership.owner(of: frame)
            if owner == .guest(x) || scratch.dataPages.contains(frame) { continue }
            var what = "\(owner) frame"
            if let status = hostStatusPageFrame(gpu, engine), status == frame { what = "the host status page of \(engine)" }
            record(IsolationFinding(
                kind: .engineWrite, responsible: x, victim: IsolationParty(owner), owner: owner, address: gma, frame: frame,
                engine: engine,
                detail: "workload \(workload.id) of \(x) on \(engine) wrote \(count) bytes at \(physical): \(what)",
                response: mediator.vgpu(x)?.failsafe.map { "failsafe \($0.rawValue)" }))
        }
    }

    /// A command of `engine` loads `value` into register `offset`.
    func engineLoaded(_ engine: EngineID, _ offset: MMIOOffset, _ value: UInt32) {
        guard let mediator = attachedMediator, let workload = mediator.currentWorkloads[engine.index] else { return }
        engineAccessesChecked += 1
        guard let reason = Self.forbiddenLoad(by: engine, offset, value) else { return }
        let x = workload.vgpu
        let victim: IsolationParty = .host
        record(IsolationFinding(
            kind: .engineRegisterWrite, responsible: x, victim: victim, register: offset, engine: engine,
            detail: "workload \(workload.id) of \(x) on \(engine) loaded \(hex(value)) into \(offset): \(reason)",
            response: mediator.vgpu(x)?.failsafe.map { "failsafe \($0.rawValue)" }))
    }

    /// Why a vGPU's command on `engine` may not load `value` into `offset`, or nil if it may.
    ///
    /// Forbidden: registers of another engine's ring block (base ..< base + 0x800; reachable
    /// only when the host's CSFE_CHICKEN1 bits 3/4 are set: the 2019 cross-engine hole), and
    /// host-only state: CSFE_CHICKEN1, GDRST, fence registers, the interrupt registers, the
    /// engine's own HWS_PGA, ELSP, RING_START, RING_CTL, FORCE_TO_NONPRIV slots, and a
    /// RING_MODE/GFX_MODE write that sets the privilege-check-disable bit (the 2019 hole).
    public static func forbiddenLoad(by engine: EngineID, _ offset: MMIOOffset, _ value: UInt32) -> String? {
        let raw = offset.rawValue
        if offset == GPU.csfeChicken1 { return "CSFE_CHICKEN1 is host-only (cross-engine access bits)" }
        if offset == Reg.gdrst { return "GDRST is host-only" }
        if raw >= 0x10_0000 && raw < 0x10_0000 + UInt32(Reg.fenceCount * 8) { return "fence registers are host-only" }
        if raw == 0x44200 || InterruptBank.locate(offset) != nil { return "interrupt registers are host-only" }
        for other in EngineID.allCases where raw >= other.mmioBase && raw < other.mmioBase + 0x800 {
            if other != engine { return "\(other)'s ring register, loaded from \(engine)" }
        }
        for name in [RingRegister.hwsPGA, .elsp, .start, .ctl] where offset == .ring(name, engine) {
            return "\(engine)'s \(name) is host-only"
        }
        let nonPriv = MMIOOffset.ring(.forceToNonPriv, engine).rawValue
        if raw >= nonPriv && raw < nonPriv + 12 * 4 { return "FORCE_TO_NONPRIV is host-only" }
        if offset == .ring(.mode, engine), value & (GPU.privilegeCheckDisableBit << 16) != 0,
           value & GPU.privilegeCheckDisableBit != 0 {
            return "RING_MODE privilege-check-disable bit set"
        }
        return nil
    }

    /// The host frame behind `engine`'s status page (HWS_PGA through the host GGTT).
    func hostStatusPageFrame(_ gpu: GPU, _ engine: EngineID) -> PageFrameNumber? {
        let hws = GraphicsAddress(UInt64(gpu.registers[.ring(.hwsPGA, engine)] & 0xFFFF_F000))
        guard let entry = gpu.ggtt.entry(for: hws), entry.isPresent else { return nil }
        return entry.frame
    }

    // MARK: Replay

    /// The checks replay runs after the mediator handled `event` (and after the GPU ran up to
    /// it): engine findings collected since the last call, plus the mapping checks the event
    /// calls for. Mapping-changing events get a check of what they changed (`.ggttWrite`: that
    /// host entry; `.shadowPPGTTWrite`: that shadow entry's target may only be the vGPU's,
    /// its scratch or a host page); before an engine runs with the mappings
    /// (`.workloadDispatched`) the GGTT entries written since the last check (all writes, the
    /// mediator's own included, as the GPU model records them) and the dispatching vGPU's
    /// shadow page tables are checked; events that change ownership (vGPU create, destroy,
    /// reset) get the full `checkMappings`. A ring range accepted at workload creation must
    /// lie in one slice of the vGPU. Cross-vGPU checks need a fingerprint taken before the input: see
    /// `fingerprints(mediator:gpu:)` and `checkAccess(by:before:mediator:gpu:)`.
    public func check(after event: MediatorEvent, mediator: Mediator, gpu: GPU,
                      ownership: any MemoryOwnership) -> [IsolationFinding] {
        var findings = takeEngineFindings()
        switch event {
        case let .ggttWrite(_, index, _, _):
            guard index >= 0 && index < GGTT.entryCount else { break }
            withUnobservedReads(gpu) {
                findings += checkGGTTEntries(index..<(index + 1), mediator: mediator, gpu: gpu, ownership: ownership)
            }
        case let .shadowPPGTTWrite(vgpu, table, index, _, shadow):
            findings += checkShadowEntry(vgpu, table: table, index: index, shadow: shadow, mediator: mediator, gpu: gpu,
                                         ownership: ownership)
        case let .workloadCreated(id, engine, workload, _, ringStart, ringSize, _, _):
            findings += checkAcceptedRange(id, engine: engine, workload: workload, start: ringStart, size: UInt64(ringSize),
                                           what: "ring buffer", mediator: mediator)
        case let .workloadDispatched(id, _, _, _):
            // Before an engine runs with the mappings: what changed in the GGTT since the
            // last check, and the dispatching vGPU's shadow page tables.
            findings += checkChangedGGTTEntries(mediator: mediator, gpu: gpu, ownership: ownership)
            findings += checkPPGTTMappings(of: id, mediator: mediator, gpu: gpu, ownership: ownership)
        case .vgpuCreated, .vgpuDestroyed, .vgpuReset:
            findings += checkMappings(mediator: mediator, gpu: gpu, ownership: ownership)
        default:
            break
        }
        return findings
    }

    /// A range the mediator accepted for vGPU `id` must lie inside one of its slices
    /// (aperture or hidden): a range whose two ends are the vGPU's but which runs over
    /// another's slice or the host's is a finding, even if nothing was written through it.
    func checkAcceptedRange(_ id: VGPUID, engine: EngineID, workload: UInt64, start: GraphicsAddress, size: UInt64, what: String,
                            mediator: Mediator) -> [IsolationFinding] {
        guard let vgpu = mediator.vgpu(id), size > 0 else { return [] }
        let range = start.rawValue..<(start.rawValue &+ size)
        let slices = [vgpu.slices.aperture, vgpu.slices.hidden]
        if slices.contains(where: { $0.lowerBound <= range.lowerBound && range.upperBound <= $0.upperBound }) { return [] }
        // Whose graphics memory does the range reach? The first page outside the vGPU's slices.
        var page = range.lowerBound & ~0xFFF
        while page < range.upperBound, slices.contains(where: { $0.contains(page) }) { page += 4096 }
        let others = mediator.vgpuIDs.filter { $0 != id }
        let victim = others.first { other in
            mediator.vgpu(other).map { $0.slices.aperture.contains(page) || $0.slices.hidden.contains(page) } ?? false
        }
        return [IsolationFinding(
            kind: .acceptedRange, responsible: id, victim: victim.map { .vgpu($0) } ?? .host, address: GraphicsAddress(page),
            engine: engine,
            detail: "the mediator accepted \(what) [\(hex(range.lowerBound)), \(hex(range.upperBound))) of workload \(workload) "
                + "of \(id): it reaches \(victim.map { "\($0)'s" } ?? "the host's") graphics memory at \(hex(page))",
            response: vgpu.failsafe.map { "failsafe \($0.rawValue)" })]
    }

    /// Runs `body` with `gpu.memory`'s read observer detached: the oracle's reads are not
    /// inputs and must not reach a recorder or a replay server.
    func withUnobservedReads<T>(_ gpu: GPU, _ body: () -> T) -> T {
        let saved = gpu.memory.readObserver
        gpu.memory.readObserver = nil
        defer { gpu.memory.readObserver = saved }
        return body()
    }
}

/// The scratch pages the mediator declares for one vGPU (GVT: the GGTT scratch page and
/// `scratch_pt[]`): allowed mapping targets for that vGPU only.
struct ScratchPages {
    /// GGTT scratch and PPGTT scratch data page: allowed leaf and write targets.
    var dataPages: [PageFrameNumber] = []
    /// PPGTT scratch tables (levels 1...3): allowed table-pointer targets.
    var tables: [PageFrameNumber] = []

    init(_ vgpu: VGPU?) {
        guard let vgpu else { return }
        if let frame = vgpu.ggtt.scratchFrame { dataPages.append(frame) }
        if let frame = vgpu.ppgtt.scratch[0] { dataPages.append(frame) }
        for level in 1..<vgpu.ppgtt.scratch.count { if let frame = vgpu.ppgtt.scratch[level] { tables.append(frame) } }
    }

    /// Every declared page.
    var all: [PageFrameNumber] { dataPages + tables }
}
