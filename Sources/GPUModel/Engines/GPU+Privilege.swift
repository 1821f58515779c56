/// The hardware's command privilege checks (PRM: "Privileged Commands", "User Mode
/// Non-Privileged Registers").
///
/// Commands in a non-privileged batch (PPGTT, or any batch of a context without the
/// privilege bit) may not touch the global GTT and may only load the registers their
/// engine whitelists through FORCE_TO_NONPRIV; such a command is dropped and reported as a
/// `.privilegeViolation`. Setting bit 0 of the engine's RING_MODE (GFX_MODE on RCS)
/// disables these checks: the hole GVT closed in 2019 by stripping that bit. Independently,
/// an engine may not load another engine's ring registers unless CSFE_CHICKEN1 bits 3/4
/// allow it: the second 2019 hole.
extension GPU {
    /// RING_MODE bit 0: privilege checks disabled.
    public static let privilegeCheckDisableBit: UInt32 = 1 << 0
    /// CSFE_CHICKEN1 (0x20D4) bits 3 and 4: cross-engine register access allowed.
    public static let crossEngineAccessBits: UInt32 = (1 << 3) | (1 << 4)
    /// CSFE_CHICKEN1_RCS.
    public static let csfeChicken1: MMIOOffset = 0x20D4

    /// True when the running command may use the global GTT; reports a violation if not.
    func mayUseGlobalGTT(_ engine: EngineID, header: UInt32, at address: GraphicsAddress) -> Bool {
        if runsPrivileged(engine) { return true }
        events.append(.privilegeViolation(engine, header: header, at: address))
        return false
    }

    /// True when the running command may load register `offset`; reports a violation if not.
    func mayWriteRegister(_ engine: EngineID, _ offset: MMIOOffset, header: UInt32, at address: GraphicsAddress) -> Bool {
        if let owner = ringOwner(of: offset), owner != engine,
           registers[Self.csfeChicken1] & Self.crossEngineAccessBits == 0 {
            events.append(.privilegeViolation(engine, header: header, at: address))
            return false
        }
        if runsPrivileged(engine) || isWhitelisted(offset, on: engine) { return true }
        events.append(.privilegeViolation(engine, header: header, at: address))
        return false
    }

    /// True if the command being executed runs privileged (or checks are disabled).
    func runsPrivileged(_ engine: EngineID) -> Bool {
        guard let context = engines[engine.index].context else { return true }
        if context.isPrivileged { return true }
        return registers[.ring(.mode, engine)] & Self.privilegeCheckDisableBit != 0
    }

    /// True if user batches of `engine` may load `offset`: the engine's own general-purpose
    /// registers (CS_GPR, for MI_MATH) or a register FORCE_TO_NONPRIV names.
    func isWhitelisted(_ offset: MMIOOffset, on engine: EngineID) -> Bool {
        let gpr = MMIOOffset.csGPR(engine, 0).rawValue
        if offset.rawValue >= gpr && offset.rawValue < gpr + 16 * 8 { return true }
        for slot in 0..<12 {
            let entry = registers[MMIOOffset.ring(.forceToNonPriv, engine).advanced(by: UInt32(slot * 4))]
            if entry & 0x3FF_FFFC == offset.rawValue && entry != 0 { return true }
        }
        return false
    }

    /// The engine whose ring-register block (base ..< base + 0x800) holds `offset`.
    func ringOwner(of offset: MMIOOffset) -> EngineID? {
        for engine in EngineID.allCases where offset.rawValue >= engine.mmioBase && offset.rawValue < engine.mmioBase + 0x800 {
            return engine
        }
        return nil
    }
}
