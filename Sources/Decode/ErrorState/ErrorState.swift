import GPUModel

/// An i915 GPU error state (`/sys/class/drm/card0/error`), parsed.
///
/// Linux: `i915_gpu_error.c` (`err_print_*`, `print_error_vma`). Everything the decoder needs
/// is kept: the header lines, each engine's registers, and every buffer with its dwords.
public struct ErrorState: Sendable, Equatable {
    /// One `Key: value` line.
    public struct Field: Sendable, Equatable {
        /// The key, e.g. "Kernel", "ACTHD", "fence[0]".
        public var key: String
        /// The text after the separator, trimmed.
        public var text: String
        /// The first hex number in the text (two 32-bit halves joined when printed as
        /// `0x%08x %08x` or `0x%08x_%08x`), when there is one.
        public var value: UInt64?
    }

    /// One engine's `<name> command stream:` section.
    public struct Engine: Sendable, Equatable {
        /// The name as printed: "rcs0", "render", "bsd"...
        public var name: String
        /// The engine it is on this GPU, when the name is recognised.
        public var engine: EngineID?
        /// The register lines (`  ACTHD: 0x...`), in order.
        public var registers: [Field]

        /// The value of register `key` (first occurrence).
        public func register(_ key: String) -> UInt64? {
            registers.first(where: { $0.key == key })?.value
        }
    }

    /// The kind of a captured buffer.
    public enum BufferKind: String, Sendable, Equatable {
        case ring, batch, context, other
    }

    /// How a buffer's dwords were written.
    public enum Encoding: String, Sendable, Equatable {
        /// `:` + ascii85 of a zlib stream.
        case ascii85Zlib = "ascii85+zlib"
        /// `~` + ascii85 of the raw dwords.
        case ascii85
        /// Old kernels: one `%08x :  %08x` line per dword.
        case hexLines = "hex-lines"
        /// The header was seen but no data followed.
        case missing
    }

    /// A buffer carried by the error state: `<engine> --- <name> = 0x<gtt offset>`.
    public struct Buffer: Sendable, Equatable {
        /// The engine name before ` --- ` ("rcs0", "render ring", "global").
        public var engineName: String
        /// The engine, when recognised.
        public var engine: EngineID?
        /// The buffer's name ("batch", "ringbuffer", "HW context", "gtt_offset"...).
        public var name: String
        /// What it is.
        public var kind: BufferKind
        /// Its graphics address.
        public var gttOffset: GraphicsAddress
        /// Its dwords (as many as could be read).
        public var dwords: ContiguousArray<UInt32>
        /// How they were written.
        public var encoding: Encoding
        /// 1-based line number of the buffer's header line.
        public var line: Int
    }

    /// Something wrong with the file: what, and where the parser stopped trusting it.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number.
        public var line: Int
        /// What went wrong.
        public var message: String
        /// "line N: message".
        public var description: String { "line \(line): \(message)" }
    }

    /// Top-level `Key: value` lines before the first engine (Kernel, PCI ID, EIR, ...).
    public var header: [Field] = []
    /// Engine sections in order.
    public var engines: [Engine] = []
    /// Buffers in order.
    public var buffers: [Buffer] = []
    /// Problems found (truncation, damaged data).
    public var problems: [Problem] = []

    /// An empty error state.
    public init() {}

    /// The value of header line `key`.
    public func headerText(_ key: String) -> String? { header.first(where: { $0.key == key })?.text }

    /// `Kernel:` line.
    public var kernel: String? { headerText("Kernel") }
    /// `Platform:` line (newer kernels).
    public var platform: String? { headerText("Platform") }
    /// `PCI ID:` value.
    public var pciID: UInt16? {
        header.first(where: { $0.key == "PCI ID" })?.value.map { UInt16(truncatingIfNeeded: $0) }
    }
    /// The GPU generation, from the PCI ID (or the platform name), when known.
    public var generation: Int? {
        if let id = pciID, let gen = IntelGeneration.generation(pciID: id) { return gen }
        if let platform { return IntelGeneration.generation(platform: platform) }
        return nil
    }

    /// The engine section for `engine` (first match).
    public func engineSection(_ engine: EngineID) -> Engine? { engines.first(where: { $0.engine == engine }) }
}

/// Recognises engine names as printed by i915 (old and new kernels).
enum EngineNames {
    /// "rcs0", "render ring", "render", "bcs0", "blt", "bsd", "vcs1", "vecs0", "vebox"...
    static func engine(_ printed: String) -> EngineID? {
        var name = printed.lowercased()
        if name.hasSuffix(" ring") { name = String(name.dropLast(5)) }
        if let engine = EngineID(name: name) { return engine }
        if name.hasPrefix("vcs") || name.hasPrefix("bsd") { return .vcs }
        if name.hasPrefix("vecs") { return .vecs }
        if name.hasPrefix("bcs") || name.hasPrefix("blt") { return .bcs }
        if name.hasPrefix("rcs") { return .rcs }
        return nil
    }
}
