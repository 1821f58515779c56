/// How a `GPU` is built: the part, its memory, the aperture and the hang-check policy.
///
/// Every field is plain data so that a journal can record it and replay can rebuild the
/// same model.
public struct GPUConfiguration: Hashable, Sendable, Codable {
    /// PCI device id (Apollo Lake: 0x5A84 GT1.5 / 0x5A85 GT1).
    public var deviceID: UInt16
    /// Bytes of host physical memory the GPU can reach.
    public var memorySize: UInt64
    /// Size of the GMADR aperture (the mappable low part of the global graphics space).
    public var apertureSize: UInt64
    /// Hang checks without progress before a busy engine is declared hung.
    public var hangcheckThreshold: Int
    /// Hang checks without a breadcrumb while ACTHD still moves (a loop) before it is hung.
    public var activeHangcheckThreshold: Int
    /// Display refresh rate used for vblank timing.
    public var refreshRateHz: UInt64
    /// Virtual-time costs of commands.
    public var cost: CostModel

    public init(
        deviceID: UInt16 = 0x5A84, memorySize: UInt64 = 8 << 30, apertureSize: UInt64 = 1 << 30,
        hangcheckThreshold: Int = 3, activeHangcheckThreshold: Int = 12, refreshRateHz: UInt64 = 60,
        cost: CostModel = CostModel()
    ) {
        precondition(memorySize % 4096 == 0 && memorySize > 0, "memory size must be whole pages")
        precondition(apertureSize.nonzeroBitCount == 1 && apertureSize <= 1 << 32, "aperture is a power of two")
        precondition(hangcheckThreshold > 0 && activeHangcheckThreshold >= hangcheckThreshold)
        self.deviceID = deviceID
        self.memorySize = memorySize
        self.apertureSize = apertureSize
        self.hangcheckThreshold = hangcheckThreshold
        self.activeHangcheckThreshold = activeHangcheckThreshold
        self.refreshRateHz = refreshRateHz
        self.cost = cost
    }

    /// Apollo Lake with the defaults above.
    public static let apolloLake = GPUConfiguration()
}

/// Virtual-time cost of GPU work, in nanoseconds. No rasterisation is modelled: 3D and
/// media work is charged by command and by vertex.
public struct CostModel: Hashable, Sendable, Codable {
    /// Any command not listed below (MI_NOOP, MI_ARB_CHECK, state commands).
    public var command: UInt64 = 10
    /// Per register written or read by LRI/LRR/LRM/SRM.
    public var registerAccess: UInt64 = 20
    /// Per memory write by MI_STORE_DATA_*, post-sync operations and reports.
    public var memoryWrite: UInt64 = 40
    /// PIPE_CONTROL and MI_FLUSH_DW (a pipeline flush).
    public var flush: UInt64 = 300
    /// 3DPRIMITIVE, GPGPU_WALKER, MEDIA_OBJECT*: fixed part.
    public var dispatch: UInt64 = 2_000
    /// 3DPRIMITIVE: per vertex (vertex count × instances).
    public var perVertex: UInt64 = 4
    /// MFX/HCP/VEBOX object commands (a frame slice).
    public var videoObject: UInt64 = 5_000
    /// Blitter bandwidth: nanoseconds per 64 bytes written.
    public var blitPer64Bytes: UInt64 = 8
    /// A batch buffer start (fetch of a new buffer).
    public var batchStart: UInt64 = 100
    /// Context restore at the start of an element.
    public var contextSwitch: UInt64 = 2_000
    /// Re-poll period of an unsatisfied MI_SEMAPHORE_WAIT.
    public var semaphorePoll: UInt64 = 1_000

    public init() {}
}

extension CostModel {
    /// The cost charged for a command whose cost does not depend on its operands.
    public func fixedCost(of command: CommandInfo) -> UInt64 {
        let name = command.name
        if name.hasPrefix("MEDIA_OBJECT") || name == "GPGPU_WALKER" || name == "3DPRIMITIVE" { return dispatch }
        if name.hasSuffix("_OBJECT") || name.hasPrefix("VEB_DI_IECP") || name.hasPrefix("VEBOX_") { return videoObject }
        if name == "PIPE_CONTROL" || name == "MI_FLUSH_DW" { return flush }
        return self.command
    }
}
