import GPUModel

/// Human-readable views of GPU commands, x86 instructions, registers and i915 error states.
public enum DecodeModule {
    /// The GPU generation whose tables this decoder knows.
    public static let generation = 9
}
