import GPUModel

/// The error class of a scan failure, as GVT returns it (`command_scan` keeps "a consistent
/// return type": -EBADRQC for unknown or forbidden commands, -EFAULT for bad addresses, -EPERM
/// for forbidden register access; -EINVAL and -ENOMEM fail the workload without marking
/// the VM unhealthy).
public enum AuditErrorClass: Int32, Hashable, Sendable, Codable, CustomStringConvertible {
    /// -EPERM.
    case permission = -1
    /// -ENOMEM: a resource limit (GVT: shadow allocation failure).
    case outOfMemory = -12
    /// -EFAULT.
    case fault = -14
    /// -EINVAL.
    case invalid = -22
    /// -EBADRQC.
    case badRequestCode = -56

    /// True for the classes after which GVT marks the VM unhealthy and enters failsafe
    /// GUEST_ERR (-EBADRQC, -EFAULT).
    public var entersFailsafe: Bool { self == .badRequestCode || self == .fault }

    public var description: String {
        switch self {
        case .permission: "-EPERM"
        case .outOfMemory: "-ENOMEM"
        case .fault: "-EFAULT"
        case .invalid: "-EINVAL"
        case .badRequestCode: "-EBADRQC"
        }
    }
}

/// Why a scan failed; each reason has one GVT error class.
public enum AuditReason: String, Hashable, Sendable, Codable {
    /// No parser row for the header on this engine (GVT: "unknown cmd").
    case unknownCommand
    /// A command GVT refuses in any scanned buffer (`unexpected_cmd`).
    case rejectedCommand
    /// A length other than the only valid one (`gvt_check_valid_cmd_length`).
    case invalidLength
    /// A command that runs past the end of the ring (TAIL) or of its batch copy.
    case truncatedCommand
    /// The instruction pointer left the ring (`ip_gma out of ring scope`).
    case instructionPointerOutOfRing
    /// A register offset beyond the 2 MiB MMIO range.
    case registerOutOfRange
    /// A register without F_CMD_ACCESS ("access to non-render register").
    case registerNotCommandAccessible
    /// SRM/LRM/LRR to a register GVT does not allow for that command.
    case registerAccessNotAllowed
    /// A write-patched register whose handler refused the value (read-only register).
    case registerWriteRefused
    /// An operation larger than the 36 MiB surface limit.
    case operationTooLarge
    /// A store-index offset of 4 KiB or more.
    case indexOutOfRange
    /// A graphics range outside the vGPU's slices (`intel_gvt_ggtt_validate_range`).
    case addressOutOfRange
    /// A batch buffer address that does not translate, or guest memory that cannot be read.
    case unmappedGuestMemory
    /// MI_BATCH_BUFFER_START inside a second-level batch.
    case batchStartInSecondLevel
    /// A second-level MI_BATCH_BUFFER_START in the ring.
    case secondLevelFromRing
    /// The shadow batch does not end with MI_BATCH_BUFFER_END or a chained start (TOCTOU re-audit).
    case badBatchEnd
    /// MI_DISPLAY_FLIP naming a plane code GVT does not decode.
    case unknownFlipPlane
    /// The ring itself is not the vGPU's graphics memory (`scan_workload` → -EINVAL).
    case ringOutOfRange
    /// The request's ring copy does not match its HEAD/TAIL/size (dispatch bug).
    case malformedRequest
    /// LRI to PDP0_UDW naming a PML4 with no shadow PPGTT (`cmd_pdp_mmio_update_handler`).
    case unknownPPGTTRoot
    /// A scan limit (batch size, batch count) was exceeded: bounded where GVT would run out
    /// of memory.
    case resourceLimit

    /// GVT's error class for the reason.
    public var errorClass: AuditErrorClass {
        switch self {
        case .unknownCommand, .rejectedCommand, .registerNotCommandAccessible, .unknownFlipPlane, .registerWriteRefused:
            .badRequestCode
        case .invalidLength, .truncatedCommand, .instructionPointerOutOfRing, .registerOutOfRange, .operationTooLarge,
             .indexOutOfRange, .addressOutOfRange, .unmappedGuestMemory, .batchStartInSecondLevel,
             .secondLevelFromRing, .badBatchEnd:
            .fault
        case .registerAccessNotAllowed: .permission
        case .ringOutOfRange, .malformedRequest, .unknownPPGTTRoot: .invalid
        case .resourceLimit: .outOfMemory
        }
    }
}

/// Where a command was found (GVT: `buf_type`).
public enum CommandBufferType: String, Hashable, Sendable, Codable {
    /// The ring (RING_BUFFER_INSTRUCTION).
    case ring
    /// A first-level (or chained) batch (BATCH_BUFFER_INSTRUCTION).
    case batch
    /// A second-level batch (BATCH_BUFFER_2ND_LEVEL).
    case secondLevelBatch
}

/// The graphics address space of a buffer (GVT: `buf_addr_type`).
public enum BufferAddressSpace: String, Hashable, Sendable, Codable {
    /// GTT_BUFFER: the global GTT (privileged).
    case ggtt
    /// PPGTT_BUFFER: the context's PPGTT (non-privileged).
    case ppgtt
}

/// A failed audit: what, where, and why (GVT: the `gvt_vgpu_err` lines of a scan error).
public struct AuditFailure: Hashable, Sendable, CustomStringConvertible {
    /// The reason; `errorClass` follows from it.
    public var reason: AuditReason
    /// Engine being scanned.
    public var engine: EngineID
    /// Graphics address of the offending command (GVT: `ip_gma`).
    public var address: GraphicsAddress
    /// The command's first dword.
    public var header: UInt32
    /// The command's name ("unknown" when the header decodes to nothing).
    public var command: String
    /// The buffer it was in.
    public var buffer: CommandBufferType
    /// The buffer's address space.
    public var addressSpace: BufferAddressSpace
    /// What exactly was wrong, for a person.
    public var detail: String

    /// A failure.
    public init(reason: AuditReason, engine: EngineID, address: GraphicsAddress, header: UInt32, command: String,
                buffer: CommandBufferType, addressSpace: BufferAddressSpace, detail: String) {
        self.reason = reason
        self.engine = engine
        self.address = address
        self.header = header
        self.command = command
        self.buffer = buffer
        self.addressSpace = addressSpace
        self.detail = detail
    }

    /// GVT's error class (-EBADRQC, -EFAULT, -EPERM, -EINVAL, -ENOMEM).
    public var errorClass: AuditErrorClass { reason.errorClass }

    public var description: String {
        "\(errorClass) \(reason.rawValue): \(command) (\(hex(header))) at \(address) in \(addressSpace) \(buffer) "
            + "on \(engine): \(detail)"
    }
}

/// The outcome of a scan.
public enum AuditVerdict: Hashable, Sendable {
    /// Every command passed; the shadow may run.
    case ok
    /// The scan stopped at a violation; the workload must not run.
    case rejected(AuditFailure)

    /// The failure, if rejected.
    public var failure: AuditFailure? {
        if case .rejected(let failure) = self { return failure }
        return nil
    }
}
