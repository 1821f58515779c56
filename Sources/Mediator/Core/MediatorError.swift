import GPUModel

/// Errors the mediator's *callers* cause (environment and requests), never guest
/// misbehaviour: a misbehaving guest gets a failsafe or an ignored write, reported as an
/// observation, not a thrown error.
public enum MediatorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No free vGPU id (GVT: 7 guests at most).
    case tooManyVGPUs(limit: Int)
    /// Not enough aperture, hidden graphics memory or fences left for the type.
    case insufficientResources(type: String, resource: String, requested: UInt64, available: UInt64)
    /// No vGPU with that id.
    case noSuchVGPU(VGPUID)
    /// The host GPU ran out of pages.
    case hostOutOfMemory

    public var description: String {
        switch self {
        case let .tooManyVGPUs(limit):
            "cannot create a vGPU: all \(limit) guest vGPU ids are in use; destroy one first"
        case let .insufficientResources(type, resource, requested, available):
            "cannot create a \(type) vGPU: it needs \(requested) of \(resource) but only \(available) is left; "
                + "destroy a vGPU or choose a smaller type"
        case let .noSuchVGPU(id): "no vGPU \(id)"
        case .hostOutOfMemory: "the host GPU has no free pages left"
        }
    }
}

/// Why a vGPU entered failsafe mode (GVT: `GVT_FAILSAFE_*`).
public enum FailsafeReason: String, Hashable, Sendable, Codable {
    /// A guest that is not GVT-aware (touched fences/PPGTT/execlists before reading PVINFO,
    /// or set a forbidden bit).
    case unsupportedGuest = "UNSUPPORTED_GUEST"
    /// The guest asked for more than it was given (wrote PVINFO rsv5).
    case insufficientResource = "INSUFFICIENT_RESOURCE"
    /// A command scan or shadowing error.
    case guestError = "GUEST_ERR"
}
