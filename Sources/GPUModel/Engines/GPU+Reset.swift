/// Engine and full GPU reset (PRM: GDRST; i915 `intel_gpu_reset`): running work is
/// dropped and the reset engines' registers return to their reset values.
extension GPU {
    /// GDRST (0x941C) bits: full GT, render, media (VCS), blitter, VECS, media 2.
    public enum ResetBit {
        public static let full: UInt32 = 1 << 0
        public static let render: UInt32 = 1 << 1
        public static let media: UInt32 = 1 << 2
        public static let blitter: UInt32 = 1 << 3
        public static let vecs: UInt32 = 1 << 4
        public static let media2: UInt32 = 1 << 7
    }

    /// Handles a GDRST write: resets the engines named, then reads back 0 (reset done).
    func handleGDRST(_ value: UInt32) {
        if value & ResetBit.full != 0 {
            resetAll()
        } else {
            var mask: EngineMask = []
            if value & ResetBit.render != 0 { mask.insert(.rcs) }
            if value & ResetBit.media != 0 { mask.insert(.vcs) }
            if value & ResetBit.blitter != 0 { mask.insert(.bcs) }
            if value & ResetBit.vecs != 0 { mask.insert(.vecs) }
            if !mask.isEmpty { reset(mask) }
        }
        registers[Reg.gdrst] = 0
    }

    /// Resets the engines in `mask`: execlist state, CSB (write pointer 7), loaded context,
    /// stall and semaphore, and the engines' registers; emits `.reset(mask)`.
    public func reset(_ mask: EngineMask) {
        for engine in mask.engines {
            let i = engine.index
            let clock = engines[i].clock
            let executed = engines[i].commandsExecuted
            engines[i] = EngineState(id: engine)
            engines[i].clock = clock
            engines[i].commandsExecuted = executed
        }
        registers.reset(catalogue: catalogue) { info in
            guard let owner = info.engine else { return false }
            return mask.contains(owner)
        }
        for engine in mask.engines { syncEngineRegisters(engine) }
        events.append(.reset(mask))
    }

    /// Full GT reset: every engine, the GT interrupt banks and the fences; display,
    /// PCI config space and memory (including the GGTT) are kept.
    public func resetAll() {
        reset(.all)
        registers.reset(catalogue: catalogue) { info in
            info.group == .fence || (info.group == .interrupt && info.offset.rawValue >= 0x44300 && info.offset.rawValue < 0x44340)
        }
        updateInterruptLine()
    }
}
