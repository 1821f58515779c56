import GPUModel

/// Who owns a host page frame, as the hypervisor sees it.
public enum FrameOwner: Hashable, Sendable, Codable, CustomStringConvertible {
    /// RAM of the VM that runs this vGPU.
    case guest(VGPUID)
    /// The host: frames the host's allocator handed out that are no guest's RAM (the
    /// mediator's shadow page tables, scratch pages and shadow objects live here), and the
    /// reserved low frames.
    case host
    /// Nobody: a free frame (or one beyond physical memory). A mapping to it is a
    /// use-after-free waiting for the frame's next owner.
    case free

    /// A one-word summary ("vgpu1", "host", "free").
    public var description: String {
        switch self {
        case .guest(let id): "\(id)"
        case .host: "host"
        case .free: "free"
        }
    }
}

/// The ownership of host memory from a source independent of the mediator: the hypervisor's
/// own record of which host frames back which VM's RAM (the real `Hypervisor`: each VM's
/// `ram`; the test `FakeHypervisor`: its guest-frame map; the replayer: its recorded VM
/// layout) and the host allocator's record of what is allocated.
///
/// The isolation oracle asks this, never the mediator, whose frame a mapping or a write
/// reaches: the mediator's own bookkeeping is what is being checked.
public protocol MemoryOwnership: AnyObject {
    /// The owner of host frame `frame` (`.free` beyond physical memory).
    func owner(of frame: PageFrameNumber) -> FrameOwner
}
