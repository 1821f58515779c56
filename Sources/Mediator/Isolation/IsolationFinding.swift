import GPUModel

/// Whose isolation a finding says was broken.
public enum IsolationParty: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A guest vGPU.
    case vgpu(VGPUID)
    /// The host (its memory, its GGTT ranges, its registers, or free memory).
    case host

    /// A one-word summary.
    public var description: String {
        switch self {
        case .vgpu(let id): "\(id)"
        case .host: "host"
        }
    }
}

/// One violation of vGPU isolation found by the `IsolationOracle`: a value the replayer
/// reports next to the event that caused it (gvt-reference §9.3: the 2019 audit holes are
/// exactly such violations).
public struct IsolationFinding: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What kind of isolation was broken.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A host GGTT entry maps a frame its range's owner does not own (or two vGPUs'
        /// slices overlap, or a declared scratch page is not a host page).
        case ggttMapping
        /// A shadow PPGTT entry (leaf or table pointer) reaches a frame the vGPU does not own.
        case ppgttMapping
        /// An engine running a vGPU's workload wrote memory the vGPU does not own.
        case engineWrite
        /// An engine running a vGPU's workload loaded another engine's or host-only register.
        case engineRegisterWrite
        /// An input of one vGPU changed another vGPU's state.
        case crossVGPUState
        /// The mediator accepted a graphics range for a vGPU (a ring buffer) that reaches
        /// beyond the vGPU's slices (the 2019 straddling-range hole), whatever came of it.
        case acceptedRange
    }

    /// The kind of violation.
    public var kind: Kind
    /// The vGPU whose mapping, workload or input it is; nil for the host's own mappings.
    public var responsible: VGPUID?
    /// Whose memory, registers or state were reached.
    public var victim: IsolationParty
    /// Owner of the frame reached, as the ownership source says (nil when no frame is involved).
    public var owner: FrameOwner?
    /// The graphics address involved: GGTT entry address, PPGTT virtual address, command target.
    public var address: GraphicsAddress?
    /// The host frame reached.
    public var frame: PageFrameNumber?
    /// The register involved (a register load, or the first register that changed).
    public var register: MMIOOffset?
    /// The engine that ran the command.
    public var engine: EngineID?
    /// What was seen, in words.
    public var detail: String
    /// What the mediator did about it, when known (failsafe, workload failed); the replayer
    /// may fill it in once the workload completes.
    public var response: String?

    /// A finding.
    public init(kind: Kind, responsible: VGPUID?, victim: IsolationParty, owner: FrameOwner? = nil,
                address: GraphicsAddress? = nil, frame: PageFrameNumber? = nil, register: MMIOOffset? = nil,
                engine: EngineID? = nil, detail: String, response: String? = nil) {
        self.kind = kind
        self.responsible = responsible
        self.victim = victim
        self.owner = owner
        self.address = address
        self.frame = frame
        self.register = register
        self.engine = engine
        self.detail = detail
        self.response = response
    }

    /// One line: kind, who, whom, where, what.
    public var description: String {
        var parts = ["\(kind.rawValue): \(responsible.map { "\($0)" } ?? "host") -> \(victim)"]
        if let engine { parts.append("engine \(engine)") }
        if let address { parts.append("gma \(address)") }
        if let frame { parts.append("\(frame)" + (owner.map { " (\($0))" } ?? "")) }
        if let register { parts.append("reg \(register)") }
        parts.append(detail)
        if let response { parts.append("response: \(response)") }
        return parts.joined(separator: ", ")
    }
}

extension IsolationParty {
    /// The party a frame owned by `owner` belongs to (free memory is the host's).
    init(_ owner: FrameOwner) {
        if case .guest(let id) = owner { self = .vgpu(id) } else { self = .host }
    }
}
