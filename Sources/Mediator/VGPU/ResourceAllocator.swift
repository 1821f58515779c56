import GPUModel

/// A vGPU's two graphics-memory slices (GVT: `vgpu_aperture_*`, `vgpu_hidden_*`). Guest
/// graphics addresses equal host ones (ballooning), so a slice is a plain host range.
public struct GraphicsMemorySlices: Hashable, Sendable, Codable {
    /// The aperture (low, mappable) slice.
    public var aperture: Range<UInt64>
    /// The hidden (high) slice.
    public var hidden: Range<UInt64>

    /// True if `address` lies in either slice (GVT: `vgpu_gmadr_is_valid`).
    @inlinable public func contains(_ address: GraphicsAddress) -> Bool {
        aperture.contains(address.rawValue) || hidden.contains(address.rawValue)
    }
}

/// Hands out graphics memory and fences to vGPUs (GVT: `aperture_gm.c`): first fit above
/// the host's own reservation, deterministic, freed on destroy.
public struct ResourceAllocator: Hashable, Sendable {
    /// The aperture (low GM) of the host: [0, apertureSize).
    public let apertureSize: UInt64
    /// The whole global graphics space (4 GiB).
    public let globalSize: UInt64 = GGTT.addressSpaceSize
    let configuration: MediatorConfiguration
    /// Allocated slices, sorted by start.
    var lowUsed: [Range<UInt64>] = []
    var highUsed: [Range<UInt64>] = []
    /// Host fence ids in use by vGPUs.
    var fencesUsed: [Int] = []

    public init(configuration: MediatorConfiguration, apertureSize: UInt64) {
        self.configuration = configuration
        self.apertureSize = apertureSize
    }

    /// First address a vGPU's aperture slice may use.
    public var lowBase: UInt64 { configuration.hostLowGMSize }
    /// First address a vGPU's hidden slice may use.
    public var highBase: UInt64 { apertureSize + configuration.hostHighGMSize }

    /// Allocates slices and fences for `type`, or says what is missing.
    public mutating func allocate(_ type: VGPUType) throws(MediatorError) -> (GraphicsMemorySlices, [Int]) {
        guard let low = Self.firstFit(type.lowGMSize, in: lowBase..<apertureSize, used: lowUsed) else {
            throw .insufficientResources(type: type.name, resource: "aperture", requested: type.lowGMSize,
                                         available: Self.largestGap(in: lowBase..<apertureSize, used: lowUsed))
        }
        guard let high = Self.firstFit(type.highGMSize, in: highBase..<globalSize, used: highUsed) else {
            throw .insufficientResources(type: type.name, resource: "hidden graphics memory", requested: type.highGMSize,
                                         available: Self.largestGap(in: highBase..<globalSize, used: highUsed))
        }
        let free = (configuration.hostFences..<configuration.totalFences).filter { !fencesUsed.contains($0) }
        guard free.count >= type.fences else {
            throw .insufficientResources(type: type.name, resource: "fences", requested: UInt64(type.fences),
                                         available: UInt64(free.count))
        }
        let fences = Array(free.prefix(type.fences))
        lowUsed.append(low)
        lowUsed.sort { $0.lowerBound < $1.lowerBound }
        highUsed.append(high)
        highUsed.sort { $0.lowerBound < $1.lowerBound }
        fencesUsed += fences
        return (GraphicsMemorySlices(aperture: low, hidden: high), fences)
    }

    /// Returns a vGPU's slices and fences.
    public mutating func free(_ slices: GraphicsMemorySlices, fences: [Int]) {
        lowUsed.removeAll { $0 == slices.aperture }
        highUsed.removeAll { $0 == slices.hidden }
        fencesUsed.removeAll { fences.contains($0) }
    }

    /// How many more vGPUs of `type` fit (GVT: `avail_instance`).
    public func availableInstances(of type: VGPUType) -> Int {
        var probe = self
        var count = 0
        while (try? probe.allocate(type)) != nil { count += 1 }
        return count
    }

    static func firstFit(_ size: UInt64, in space: Range<UInt64>, used: [Range<UInt64>]) -> Range<UInt64>? {
        var cursor = space.lowerBound
        for range in used {
            if range.lowerBound >= cursor + size { break }
            cursor = max(cursor, range.upperBound)
        }
        return cursor + size <= space.upperBound ? cursor..<(cursor + size) : nil
    }

    static func largestGap(in space: Range<UInt64>, used: [Range<UInt64>]) -> UInt64 {
        var cursor = space.lowerBound
        var best: UInt64 = 0
        for range in used {
            if range.lowerBound > cursor { best = max(best, range.lowerBound - cursor) }
            cursor = max(cursor, range.upperBound)
        }
        if space.upperBound > cursor { best = max(best, space.upperBound - cursor) }
        return best
    }
}
