/// A vGPU type (GVT: `vgpu_types[]`, named `GVTg_V5_<n>` on Gen9: n vGPUs share the GPU).
public struct VGPUType: Hashable, Sendable, Codable, CustomStringConvertible {
    public let name: String
    /// Aperture (low, mappable) graphics memory.
    public let lowGMSize: UInt64
    /// Hidden (high) graphics memory.
    public let highGMSize: UInt64
    /// Fence registers.
    public let fences: Int
    /// Scheduler weight (16 / n; legal 1...16).
    public let weight: Int
    /// EDID resolution of the virtual monitor.
    public let resolution: (width: Int, height: Int)

    public init(name: String, lowGMSize: UInt64, highGMSize: UInt64, fences: Int, weight: Int, width: Int, height: Int) {
        precondition((1...16).contains(weight), "vGPU weight must be 1...16")
        self.name = name
        self.lowGMSize = lowGMSize
        self.highGMSize = highGMSize
        self.fences = fences
        self.weight = weight
        self.resolution = (width, height)
    }

    public static func == (a: Self, b: Self) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    enum CodingKeys: CodingKey { case name }
    public init(from decoder: Decoder) throws {
        let name = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .name)
        guard let type = VGPUType.named(name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.name], debugDescription: "unknown vGPU type \(name)"))
        }
        self = type
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
    }

    public var description: String { name }

    /// GVTg_V5_8: 64 MiB aperture, 384 MiB hidden, 4 fences, weight 2, 1024x768.
    public static let v5_8 = VGPUType(name: "GVTg_V5_8", lowGMSize: 64 << 20, highGMSize: 384 << 20, fences: 4,
                                      weight: 2, width: 1024, height: 768)
    /// GVTg_V5_4: 128 MiB aperture, 512 MiB hidden, 4 fences, weight 4, 1920x1200.
    public static let v5_4 = VGPUType(name: "GVTg_V5_4", lowGMSize: 128 << 20, highGMSize: 512 << 20, fences: 4,
                                      weight: 4, width: 1920, height: 1200)
    /// GVTg_V5_2: 256 MiB aperture, 1 GiB hidden, 4 fences, weight 8, 1920x1200.
    public static let v5_2 = VGPUType(name: "GVTg_V5_2", lowGMSize: 256 << 20, highGMSize: 1024 << 20, fences: 4,
                                      weight: 8, width: 1920, height: 1200)
    /// GVTg_V5_1: 512 MiB aperture, 2 GiB hidden, 4 fences, weight 16, 1920x1200.
    public static let v5_1 = VGPUType(name: "GVTg_V5_1", lowGMSize: 512 << 20, highGMSize: 2048 << 20, fences: 4,
                                      weight: 16, width: 1920, height: 1200)

    /// The Gen9 types, largest share last (as GVT lists them).
    public static let gen9: [VGPUType] = [.v5_8, .v5_4, .v5_2, .v5_1]

    /// The type called `name` ("GVTg_V5_4" or just "V5_4"/"4").
    public static func named(_ name: String) -> VGPUType? {
        gen9.first { $0.name == name || $0.name == "GVTg_" + name || $0.name == "GVTg_V5_" + name }
    }
}
