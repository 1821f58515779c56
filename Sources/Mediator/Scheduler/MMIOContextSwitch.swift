import GPUModel

/// One register of GVT's engine MMIO context list (GVT: `struct engine_mmio`).
public struct EngineMMIO: Hashable, Sendable, CustomStringConvertible {
    /// The engine whose switch saves and restores it.
    public let engine: EngineID
    /// The register.
    public let offset: MMIOOffset
    /// 0xFFFF for a masked (mode) register, written back as `value | mask << 16`; 0 otherwise.
    public let mask: UInt32
    /// Saved and restored with the logical ring context image (GVT: `in_context`).
    public let inContext: Bool

    /// A list row.
    public init(_ engine: EngineID, _ offset: MMIOOffset, mask: UInt32 = 0, inContext: Bool = false) {
        self.engine = engine
        self.offset = offset
        self.mask = mask
        self.inContext = inContext
    }

    public var description: String {
        "\(engine) \(offset)" + (mask != 0 ? " masked" : "") + (inContext ? " in-context" : "")
    }
}

/// A host register written by the mediator: the value the register held and the value written.
public struct RegisterWrite: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The register written.
    public var offset: MMIOOffset
    /// What the register held before (GVT's `old` in the `render_mmio` tracepoint).
    public var old: UInt32
    /// What was written.
    public var value: UInt32

    /// A write of `value` over `old`.
    public init(offset: MMIOOffset, old: UInt32, value: UInt32) {
        self.offset = offset
        self.old = old
        self.value = value
    }

    public var description: String { "\(offset): \(hex(old)) -> \(hex(value))" }
}

/// A register and the value an MI_LOAD_REGISTER_IMM loads into it.
public struct RegisterValue: Hashable, Sendable, Codable {
    /// The register loaded.
    public var offset: MMIOOffset
    /// The value loaded.
    public var value: UInt32

    /// `value` for `offset`.
    public init(offset: MMIOOffset, value: UInt32) {
        self.offset = offset
        self.value = value
    }
}

/// The per-engine MMIO context switch between vGPUs and the host (GVT: `mmio_context.c`):
/// the Gen9 register list, MOCS and L3CC, and a pure planner of the host writes.
///
/// The switch is lazy and per engine: it runs when a workload of a vGPU other than the
/// engine's owner is scheduled in (or a host request while a vGPU owns it). Engine
/// registers are saved from the hardware into the outgoing owner (its vregs, masked bits
/// cleared, or the host's saved values) and the incoming owner's values are written, masked
/// registers as `value | mask << 16`. MOCS and L3CC are written only where old and new differ.
public enum MMIOContextSwitch {
    /// Which GVT code path handles the registers of the context image.
    public enum Mode: String, Hashable, Sendable, Codable {
        /// Upstream Gen9 (Apollo Lake/Broxton, Kaby Lake; all Gen9 today): in-context registers
        /// and the render engine's MOCS/L3CC travel in the context image and are never
        /// switched by MMIO; a restore-inhibited guest context gets them by LRI instead
        /// (`inhibitContextRestore`).
        case gen9
        /// GVT's original Skylake path: in-context registers are saved, written to a vGPU only
        /// when its context is restore-inhibited, never written back to the host; the render
        /// engine's MOCS and L3CC are switched like the others.
        case skylake
    }

    /// GVT's Gen9 list (`gen9_engine_mmio_list`) for the engines Apollo Lake has (the VCS2
    /// row is dropped; GEN9_CTX_PREEMPT_REG, listed twice upstream, appears once).
    public static let gen9List: [EngineMMIO] = {
        let m: UInt32 = 0xFFFF
        var list: [EngineMMIO] = [
            EngineMMIO(.rcs, 0x229C, mask: m),  // GFX_MODE_GEN7
            EngineMMIO(.rcs, 0x2248),  // GEN9_CTX_PREEMPT_REG
            EngineMMIO(.rcs, 0x2098),  // HWSTAM
            EngineMMIO(.rcs, 0x20C0, mask: m, inContext: true),  // INSTPM
        ]
        list += (0..<forceToNonPrivCount).map { EngineMMIO(.rcs, .forceToNonPriv(.rcs, $0)) }  // 0x24D0...0x24FC
        list += [
            EngineMMIO(.rcs, 0x7004, mask: m, inContext: true),  // CACHE_MODE_1
            EngineMMIO(.rcs, 0x7008, mask: m, inContext: true),  // GEN7_GT_MODE
            EngineMMIO(.rcs, 0x7000, mask: m, inContext: true),  // CACHE_MODE_0_GEN7
            EngineMMIO(.rcs, 0x7010, mask: m, inContext: true),  // GEN7_COMMON_SLICE_CHICKEN1
            EngineMMIO(.rcs, 0x7300, mask: m, inContext: true),  // HDC_CHICKEN0
            EngineMMIO(.rcs, 0x83A4, mask: m, inContext: true),  // VF_GUARDBAND
            EngineMMIO(.rcs, 0x40E0),  // GEN8_PRIVATE_PAT_LO
            EngineMMIO(.rcs, 0x40E4),  // GEN8_PRIVATE_PAT_HI
            EngineMMIO(.rcs, 0x2580, mask: m, inContext: true),  // GEN8_CS_CHICKEN1
            EngineMMIO(.rcs, 0x7014, mask: m, inContext: true),  // COMMON_SLICE_CHICKEN2
            EngineMMIO(.rcs, 0x20EC, mask: m),  // GEN9_CS_DEBUG_MODE1
            EngineMMIO(.rcs, 0xB118),  // GEN8_L3SQCREG4
            EngineMMIO(.rcs, 0xE100, mask: m, inContext: true),  // GEN7_HALF_SLICE_CHICKEN1
            EngineMMIO(.rcs, 0xE180, mask: m, inContext: true),  // HALF_SLICE_CHICKEN2
            EngineMMIO(.rcs, 0xE184, mask: m, inContext: true),  // HALF_SLICE_CHICKEN3
            EngineMMIO(.rcs, 0xE188, mask: m, inContext: true),  // GEN9_HALF_SLICE_CHICKEN5
            EngineMMIO(.rcs, 0xE194, mask: m, inContext: true),  // GEN9_HALF_SLICE_CHICKEN7
            EngineMMIO(.rcs, 0xE4F0, mask: m, inContext: true),  // GEN8_ROW_CHICKEN
            EngineMMIO(.rcs, 0x4DE0),  // TRVATTL3PTRDW(0)
            EngineMMIO(.rcs, 0x4DE4),  // TRVATTL3PTRDW(1)
            EngineMMIO(.rcs, 0x4DE8),  // TRNULLDETCT
            EngineMMIO(.rcs, 0x4DEC),  // TRINVTILEDETCT
            EngineMMIO(.rcs, 0x4DF0),  // TRVADR
            EngineMMIO(.rcs, 0x4DF4),  // TRTTE
            EngineMMIO(.bcs, 0x2229C, mask: m),  // RING_GFX_MODE(BLT)
            EngineMMIO(.bcs, 0x2209C, mask: m),  // RING_MI_MODE(BLT)
            EngineMMIO(.bcs, 0x220C0, mask: m),  // RING_INSTPM(BLT)
            EngineMMIO(.bcs, 0x22098),  // RING_HWSTAM(BLT)
            EngineMMIO(.bcs, 0x22028),  // RING_EXCC(BLT)
            EngineMMIO(.vecs, 0x1A028, mask: m),  // RING_EXCC(VEBOX)
            EngineMMIO(.rcs, 0x7304, mask: m, inContext: true),  // GEN8_HDC_CHICKEN1
            EngineMMIO(.rcs, 0x940C),  // GEN7_UCGCTL4
            EngineMMIO(.rcs, 0x4AB8),  // GAMT_CHKN_BIT_REG
            EngineMMIO(.rcs, 0x4AB0),  // GEN9_GAMT_ECO_REG_RW_IA
            EngineMMIO(.rcs, 0x20D4, mask: m),  // GEN9_CSFE_CHICKEN1_RCS (masked, as the hardware register is)
            EngineMMIO(.rcs, 0xB004),  // GEN8_GARBCNTL
            EngineMMIO(.rcs, 0x20A0),  // GEN7_FF_THREAD_MODE
            EngineMMIO(.rcs, 0x20E4, mask: m),  // FF_SLICE_CS_CHICKEN2
        ]
        return list
    }()

    /// Indices into `gen9List` per engine index, in list order.
    static let indicesByEngine: [[Int]] = EngineID.allCases.map { engine in
        gen9List.indices.filter { gen9List[$0].engine == engine }
    }

    /// The list's registers of `engine`, in list order.
    public static func entries(for engine: EngineID) -> [EngineMMIO] { indicesByEngine[engine.index].map { gen9List[$0] } }

    /// Indices into `gen9List` of the registers the MMIO switch of `engine` saves and may
    /// restore in `mode` (in `.gen9`, the in-context ones are left to the context image).
    public static func switchedIndices(for engine: EngineID, mode: Mode) -> [Int] {
        mode == .gen9 ? indicesByEngine[engine.index].filter { !gen9List[$0].inContext } : indicesByEngine[engine.index]
    }

    /// Index of `offset` in `gen9List`.
    public static func index(of offset: MMIOOffset) -> Int? { gen9List.firstIndex { $0.offset == offset } }

    /// The MOCS registers (and for the render engine the L3CC registers) switched by diffing
    /// for `engine` in `mode` (GVT: `switch_mocs`; none for the render engine on Gen9, where
    /// they are context-saved).
    public static func mocsRegisters(for engine: EngineID, mode: Mode) -> [MMIOOffset] {
        if engine == .rcs && mode == .gen9 { return [] }
        var registers = (0..<mocsEntryCount).map { MMIOOffset.mocs(engine, $0) }
        if engine == .rcs { registers += (0..<l3ccRegisterCount).map { MMIOOffset.l3cc($0) } }
        return registers
    }

    /// The host writes that switch `engine` from one owner to another (GVT: `switch_mocs` +
    /// `switch_mmio` without the hardware access), in GVT's order: MOCS/L3CC differences,
    /// then the engine list.
    ///
    /// - Parameters:
    ///   - old: the outgoing vGPU's registers (after saving the hardware into them), nil = the host.
    ///   - new: the incoming vGPU's registers, nil = the host.
    ///   - restoreInhibit: the incoming vGPU's context for this engine is restore-inhibited
    ///     (only matters in `.skylake` mode).
    ///   - hostValues: the host's saved values (engine list and MOCS/L3CC).
    /// - Returns: the writes; old is the outgoing owner's value, value what is written.
    public static func plan(engine: EngineID, from old: RegisterFile?, to new: RegisterFile?, restoreInhibit: Bool = false,
                            mode: Mode = .gen9, hostValues: (MMIOOffset) -> UInt32) -> [RegisterWrite] {
        guard old != nil || new != nil else { return [] }  // host to host (GVT: WARN and return)
        var writes: [RegisterWrite] = []
        for offset in mocsRegisters(for: engine, mode: mode) {
            let before = old?[offset] ?? hostValues(offset)
            let after = new?[offset] ?? hostValues(offset)
            if before != after { writes.append(RegisterWrite(offset: offset, old: before, value: after)) }
        }
        for index in switchedIndices(for: engine, mode: mode) {
            let entry = gen9List[index]
            let before = old?[entry.offset] ?? hostValues(entry.offset)
            let value: UInt32
            if let new {
                if entry.inContext && !restoreInhibit { continue }
                value = new[entry.offset]
            } else {
                if entry.inContext { continue }
                value = hostValues(entry.offset)
            }
            writes.append(RegisterWrite(offset: entry.offset, old: before, value: value | entry.mask << 16))
        }
        return writes
    }

    /// `plan` for vGPUs (nil = the host).
    public static func plan(engine: EngineID, from old: VGPU?, to new: VGPU?, restoreInhibit: Bool = false,
                            mode: Mode = .gen9, hostValues: (MMIOOffset) -> UInt32) -> [RegisterWrite] {
        plan(engine: engine, from: old?.vregs, to: new?.vregs, restoreInhibit: restoreInhibit, mode: mode,
             hostValues: hostValues)
    }

    /// What a restore-inhibited guest context of `engine` must load by LRI at the head of its
    /// workload (GVT: `intel_vgpu_restore_inhibit_context`): the in-context registers of the
    /// list (masked ones with `mask << 16`), then for the render engine the 64 MOCS and the
    /// 32 L3CC registers, from the vGPU's registers.
    public static func inhibitContextRestore(engine: EngineID, vregs: RegisterFile) -> [RegisterValue] {
        var values: [RegisterValue] = entries(for: engine).filter(\.inContext).map {
            RegisterValue(offset: $0.offset, value: vregs[$0.offset] | $0.mask << 16)
        }
        if engine == .rcs {
            values += (0..<mocsEntryCount).map { RegisterValue(offset: .mocs(.rcs, $0), value: vregs[.mocs(.rcs, $0)]) }
            values += (0..<l3ccRegisterCount).map { RegisterValue(offset: .l3cc($0), value: vregs[.l3cc($0)]) }
        }
        return values
    }
}

/// The host's values saved when an engine is switched from the host to a vGPU, written back
/// when it is switched back (GVT: `engine_mmio.value` and `gen9_render_mocs`).
public struct HostMMIOSnapshot: Hashable, Sendable, Codable {
    /// Values of `MMIOContextSwitch.gen9List`, by index.
    public internal(set) var values: [UInt32] = Array(repeating: 0, count: MMIOContextSwitch.gen9List.count)
    /// MOCS control registers, `engine.index * 64 + i`.
    public internal(set) var mocs: [UInt32] = Array(repeating: 0, count: EngineID.count * mocsEntryCount)
    /// L3CC registers.
    public internal(set) var l3cc: [UInt32] = Array(repeating: 0, count: l3ccRegisterCount)
    /// MOCS and L3CC were read from the hardware (once, at the first switch away from the
    /// host: GVT `load_render_mocs`).
    public internal(set) var mocsLoaded = false

    /// Nothing saved yet.
    public init() {}

    /// The saved value of `offset` (0 for a register not saved).
    public func value(at offset: MMIOOffset) -> UInt32 {
        let raw = offset.rawValue
        if raw >= 0xB020 && raw < 0xB020 + UInt32(l3ccRegisterCount) * 4 { return l3cc[Int(raw - 0xB020) / 4] }
        for engine in EngineID.allCases where raw >= engine.mocsBase && raw < engine.mocsBase + UInt32(mocsEntryCount) * 4 {
            return mocs[engine.index * mocsEntryCount + Int(raw - engine.mocsBase) / 4]
        }
        return MMIOContextSwitch.index(of: offset).map { values[$0] } ?? 0
    }
}
