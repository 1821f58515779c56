/// Which GPU generation a PCI device id or platform name belongs to (for the "not Gen9" warning).
///
/// A coarse map of Intel's device-id ranges (Linux `i915_pciids.h`); unknown ids give nil.
public enum IntelGeneration {
    /// The generation of device `id`, when known.
    public static func generation(pciID id: UInt16) -> Int? {
        switch id {
        case 0x2972...0x29D2, 0x2A02...0x2A42, 0x2E02...0x2E92: return 4
        case 0x0042, 0x0046: return 5
        case 0x0102...0x0126: return 6
        case 0x0152...0x016A, 0x0F30...0x0F33: return 7
        case 0x0402...0x042E, 0x0C02...0x0C2E, 0x0D02...0x0D2E: return 7  // Haswell
        case 0x0A84, 0x1A84, 0x1A85, 0x5A84, 0x5A85: return 9  // Broxton / Apollo Lake
        case 0x0A02...0x0A2E: return 7  // Haswell ULT
        case 0x1602...0x163E, 0x22B0...0x22B3: return 8
        case 0x1902...0x193D, 0x5902...0x593B, 0x3184, 0x3185, 0x3E90...0x3EA9, 0x87C0, 0x87CA, 0x9B21...0x9BCC:
            return 9
        case 0x8A50...0x8A71, 0x4500...0x4571, 0x4E51...0x4E71: return 11
        case 0x9A40...0x9AF8, 0x4C80...0x4C9A, 0x4905...0x4909, 0x4680...0x46D4, 0xA780...0xA7AD: return 12
        default: return nil
        }
    }

    /// The generation of an i915 platform name ("SKYLAKE", "BROXTON", "IRONLAKE"...), when known.
    public static func generation(platform: String) -> Int? {
        switch platform.uppercased().split(separator: " ").first.map(String.init) ?? "" {
        case "I965G", "I965GM", "G45", "GM45": return 4
        case "IRONLAKE": return 5
        case "SANDYBRIDGE": return 6
        case "IVYBRIDGE", "VALLEYVIEW", "HASWELL": return 7
        case "BROADWELL", "CHERRYVIEW": return 8
        case "SKYLAKE", "BROXTON", "KABYLAKE", "GEMINILAKE", "COFFEELAKE", "COMETLAKE": return 9
        case "CANNONLAKE": return 10
        case "ICELAKE", "ELKHARTLAKE", "JASPERLAKE": return 11
        case "TIGERLAKE", "ROCKETLAKE", "DG1", "ALDERLAKE_S", "ALDERLAKE_P": return 12
        default: return nil
        }
    }
}
