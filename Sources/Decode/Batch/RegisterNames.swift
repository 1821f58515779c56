import GPUModel

/// Register names for decoded LRI/LRR/LRM/SRM offsets, from the GPU model's register catalogue.
enum RegisterNames {
    /// The register's name, or nil when the catalogue does not know the offset.
    static func name(of offset: MMIOOffset) -> String? {
        RegisterCatalogue.gen9.name(of: offset)
    }
}
