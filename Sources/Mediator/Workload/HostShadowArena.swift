import GPUModel

/// Host graphics memory for the mediator's own objects — shadow contexts, shadow rings,
/// shadow batch buffers, host status pages — carved from the host's hidden (high GM)
/// reservation, each page backed by a fresh host frame mapped in the host GGTT.
/// Deterministic: lowest free pages first.
public struct HostShadowArena: Hashable, Sendable {
    /// The host GM range the arena owns.
    public let range: Range<UInt64>
    /// Page indices (relative to `range`) in use.
    var used: [Bool]

    public init(range: Range<UInt64>) {
        precondition(range.lowerBound % 4096 == 0 && range.count % 4096 == 0)
        self.range = range
        self.used = Array(repeating: false, count: range.count / 4096)
    }

    /// Finds `pages` consecutive free pages; marks them used.
    mutating func reserve(pages: Int) -> GraphicsAddress? {
        var run = 0
        for index in used.indices {
            run = used[index] ? 0 : run + 1
            if run == pages {
                let first = index - pages + 1
                for k in first...index { used[k] = true }
                return GraphicsAddress(range.lowerBound + UInt64(first) * 4096)
            }
        }
        return nil
    }

    /// Marks pages free again.
    mutating func release(_ address: GraphicsAddress, pages: Int) {
        let first = Int((address.rawValue - range.lowerBound) / 4096)
        for k in first..<(first + pages) { used[k] = false }
    }
}

/// A host object in the arena: its graphics address and the host frames behind it.
public struct HostObject: Hashable, Sendable {
    public let address: GraphicsAddress
    public let frames: [PageFrameNumber]
    public var pages: Int { frames.count }
    public var size: UInt64 { UInt64(frames.count) * 4096 }

    /// Host physical address of byte `offset` of the object.
    public func physical(_ offset: UInt64) -> PhysicalAddress {
        PhysicalAddress(frame: frames[Int(offset / 4096)], offset: offset % 4096)
    }
}

extension Mediator {
    /// Allocates and maps a host object of `pages` pages; nil when out of GM or frames.
    func allocateHostObject(pages: Int) -> HostObject? {
        guard let address = hostArena.reserve(pages: pages) else { return nil }
        var frames: [PageFrameNumber] = []
        for k in 0..<pages {
            guard let frame = host.hostAllocatePage() else {
                for f in frames { host.hostFreePage(f) }
                hostArena.release(address, pages: pages)
                return nil
            }
            frames.append(frame)
            host.hostSetGGTTEntry(Int(address.pageNumber) + k, GGTTEntry(frame: frame))
        }
        return HostObject(address: address, frames: frames)
    }

    /// Unmaps and frees a host object.
    func freeHostObject(_ object: HostObject) {
        for (k, frame) in object.frames.enumerated() {
            host.hostSetGGTTEntry(Int(object.address.pageNumber) + k, GGTTEntry(rawValue: 0))
            host.hostFreePage(frame)
        }
        hostArena.release(object.address, pages: object.pages)
    }

    /// Writes dwords into a host object at byte `offset` (may cross pages).
    func writeHostObject(_ object: HostObject, at offset: UInt64, _ dwords: [UInt32]) {
        var at = offset
        var index = 0
        while index < dwords.count {
            let room = Int((4096 - at % 4096) / 4)
            let chunk = min(room, dwords.count - index)
            host.hostWriteDwords(object.physical(at), dwords[index..<(index + chunk)])
            index += chunk
            at += UInt64(chunk * 4)
        }
    }
}
