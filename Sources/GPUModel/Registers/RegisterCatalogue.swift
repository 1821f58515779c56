/// The registers of a GPU: offset, size, reset value, engine, behaviour.
///
/// GPUModel owns the catalogue; the mediator attaches handlers to it and the decoder names
/// offsets with it (i915: `intel_gvt_mmio_table.c` lists the registers, GVT mediates them).
///
/// Naming scheme (stable; other modules key on it):
/// - Per-engine registers: engine prefix (`RCS_`, `BCS_`, `VCS_`, `VECS_`) + i915's macro
///   name for the engine-relative register, e.g. `RCS_RING_TAIL`, `BCS_RING_IPEHR`,
///   `VCS_RING_MODE` (i915 `RING_MODE_GEN7`, on RCS also called `GFX_MODE`),
///   `VECS_RING_CONTEXT_STATUS_BUF_HI_5`, `RCS_RING_FORCE_TO_NONPRIV_11`, `BCS_MOCS_63`.
/// - Indexed registers get `_<n>` (`FENCE_REG_GEN6_7`, `GEN9_LNCFCMOCS_31`).
/// - Display registers follow IGT's `skl_display.txt` (`PLANE_CTL_1_A`, `CUR_BASE_B`,
///   `PS_CTRL_2_A`, `TRANS_HTOTAL_C`); pipe registers i915-style with a pipe suffix
///   (`PIPECONF_A`, `PIPE_FRMCOUNT_A`); per-port registers with a port suffix
///   (`DDI_BUF_CTL_A`, `DP_AUX_CH_DATA3_B`).
/// - Interrupt quads follow IGT's `gen8_interrupt.txt` (`GEN8_GT_IIR0`, `GEN8_DE_PIPE_IMR1`).
/// - Everything else: the i915 macro name.
/// `register(named:)` also accepts a few well-known aliases (`GFX_MODE`, `MI_MODE`,
/// `PIPEACONF`, `TRANS_CONF_A`, ...). The PVINFO page (0x78000..0x78FFF) is not hardware and
/// is absent.
public struct RegisterCatalogue: Sendable {
    /// Size of the MMIO register range (BAR0's first 2 MiB).
    public static let mmioSize: UInt32 = 2 << 20
    /// Number of dwords in the MMIO register range.
    public static let dwordCount = Int(mmioSize / 4)

    /// All registers, sorted by offset, non-overlapping.
    public let registers: [RegisterInfo]
    /// Dword index → index into `registers` + 1 (0 = no register).
    @usableFromInline let dense: ContiguousArray<UInt16>
    private let byName: [String: Int]
    private let aliases: [String: String]

    /// Builds a catalogue. Preconditions (programmer errors): offsets inside the 2 MiB range,
    /// no two registers overlap, names and aliases unique, aliases point at known names.
    public init(registers unsorted: [RegisterInfo], aliases: [(alias: String, name: String)] = []) {
        let sorted = unsorted.sorted { $0.offset < $1.offset }
        precondition(sorted.count < Int(UInt16.max), "too many registers for the dense index")
        var dense = ContiguousArray<UInt16>(repeating: 0, count: Self.dwordCount)
        var byName: [String: Int] = [:]
        byName.reserveCapacity(sorted.count)
        var previousEnd: UInt32 = 0
        for (i, info) in sorted.enumerated() {
            precondition(info.end.rawValue <= Self.mmioSize, "register \(info.name) at \(info.offset) outside MMIO range")
            precondition(
                i == 0 || info.offset.rawValue >= previousEnd,
                "register \(info.name) at \(info.offset) overlaps \(sorted[i - 1].name)")
            precondition(byName[info.name] == nil, "duplicate register name \(info.name)")
            byName[info.name] = i
            previousEnd = info.end.rawValue
            for dw in info.offset.dwordIndex..<(info.offset.dwordIndex + info.size / 4) {
                dense[dw] = UInt16(i + 1)
            }
        }
        var aliasMap: [String: String] = [:]
        for (alias, name) in aliases {
            precondition(byName[name] != nil, "alias \(alias) names unknown register \(name)")
            precondition(byName[alias] == nil && aliasMap[alias] == nil, "alias \(alias) is not unique")
            aliasMap[alias] = name
        }
        self.registers = sorted
        self.dense = dense
        self.byName = byName
        self.aliases = aliasMap
    }

    /// Index into `registers` of the register holding the dword at `offset`, if any.
    @inlinable public func index(at offset: MMIOOffset) -> Int? {
        let dw = offset.dwordIndex
        guard dw >= 0 && dw < dense.count else { return nil }
        let i = dense[dw]
        return i == 0 ? nil : Int(i) - 1
    }

    /// The register at exactly `offset`, or the 8-byte register `offset` lies inside.
    @inlinable public func info(at offset: MMIOOffset) -> RegisterInfo? {
        guard let i = index(at: offset) else { return nil }
        let info = registers[i]
        if info.offset == offset || info.size == 8 { return info }
        return nil
    }

    /// Name of the register at `offset`: "RCS_RING_TAIL"; the upper dword of a 64-bit
    /// register is "NAME+4" (other bytes inside it "NAME+n"). Nil if unknown or unaligned
    /// inside a 4-byte register.
    public func name(of offset: MMIOOffset) -> String? {
        guard let info = info(at: offset) else { return nil }
        let delta = offset.rawValue - info.offset.rawValue
        return delta == 0 ? info.name : "\(info.name)+\(delta)"
    }

    /// The register with this canonical name or alias.
    public func register(named name: String) -> RegisterInfo? {
        if let i = byName[name] { return registers[i] }
        if let canonical = aliases[name], let i = byName[canonical] { return registers[i] }
        return nil
    }

    /// The aliases `register(named:)` accepts, sorted by alias.
    public var aliasList: [(alias: String, name: String)] {
        aliases.keys.sorted().map { ($0, aliases[$0]!) }
    }

    /// Registers of one engine, in offset order.
    public func registers(of engine: EngineID) -> [RegisterInfo] {
        registers.filter { $0.engine == engine }
    }

    /// Registers of one group, in offset order.
    public func registers(in group: RegisterGroup) -> [RegisterInfo] {
        registers.filter { $0.group == group }
    }
}

extension RegisterCatalogue: Equatable {
    /// Two catalogues are equal when they list the same registers and aliases.
    public static func == (a: Self, b: Self) -> Bool {
        a.registers == b.registers && a.aliases == b.aliases
    }
}
