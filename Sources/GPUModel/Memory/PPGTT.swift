/// The root of a per-process GTT, as the context's PDP registers give it.
///
/// Context descriptor addressing mode 3 (legacy 64-bit) uses `fourLevel` with the PML4 in
/// PDP0; mode 1 (legacy 32-bit) uses `threeLevel` with four page-directory pointers in
/// PDP0..3 (GVT: `GTT_TYPE_PPGTT_ROOT_L4_ENTRY` / `_L3_ENTRY`). The low 12 bits of each
/// pointer are ignored. A zero pointer is "not present", as in GVT's
/// `gen8_gtt_test_present` for root entries (i915 writes root pointers without a present bit).
public enum PPGTTRoot: Hashable, Sendable, Codable {
    /// 48-bit, 4-level: the physical address of the PML4.
    case fourLevel(pml4: PhysicalAddress)
    /// Legacy 32-bit, 3-level: four physical addresses, each of a page directory
    /// (PDP i maps graphics addresses [i GiB, i+1 GiB)).
    case threeLevel(pdps: [PhysicalAddress])

    /// Bytes of graphics address space the root translates (256 TiB or 4 GiB).
    public var addressSpaceSize: UInt64 {
        switch self {
        case .fourLevel: 1 << 48
        case .threeLevel: 1 << 32
        }
    }
}

/// Which table translates a graphics address.
public enum AddressSpace: Hashable, Sendable, Codable {
    /// The global GTT.
    case ggtt
    /// A per-process GTT.
    case ppgtt(PPGTTRoot)
}

/// Everything one PPGTT translation looked at, for debuggers and fault reports.
public struct PPGTTWalk: Hashable, Sendable, CustomStringConvertible {
    /// One level of the walk.
    public struct Step: Hashable, Sendable {
        /// 4 = PML4, 3 = PDP, 2 = PD, 1 = PT.
        public var level: Int
        /// Physical address of the table; nil for the legacy 32-bit root (context registers).
        public var tableAddress: PhysicalAddress?
        /// Index of the entry used (for a 64 KiB page table: the 16-aligned index).
        public var index: Int
        /// The entry read.
        public var entry: PPGTTEntry

        /// One step.
        public init(level: Int, tableAddress: PhysicalAddress?, index: Int, entry: PPGTTEntry) {
            self.level = level
            self.tableAddress = tableAddress
            self.index = index
            self.entry = entry
        }
    }

    /// The address translated.
    public var address: GraphicsAddress
    /// The levels visited, top first.
    public var steps: [Step]
    /// The outcome.
    public var result: Result<PhysicalAddress, GPUFault>
    /// Size of the page that mapped the address (4 KiB, 64 KiB, 2 MiB or 1 GiB), nil on a fault.
    public var pageSize: UInt64?

    /// A one-line human-readable summary.
    public var description: String {
        var lines = ["PPGTT walk of \(address):"]
        for step in steps {
            let table = step.tableAddress.map { "\($0)" } ?? "root"
            lines.append("  \(GPUFault.levelName(step.level))[\(step.index)] @ \(table): \(step.entry)")
        }
        switch result {
        case .success(let pa): lines.append("  -> \(pa) (\(pageSize.map { "\($0 >> 10) KiB page" } ?? "?"))")
        case .failure(let fault): lines.append("  -> \(fault)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Gen8+ PPGTT walks over host physical memory.
///
/// Levels: PML4 (gma bits 47:39) → PDP (38:30) → PD (29:21) → PT (20:12), 512 8-byte
/// entries per table. A PDPE with bit 7 maps a 1 GiB page, a PDE with bit 7 a 2 MiB page; a
/// PDE with bit 11 (IPS) points at a table of 64 KiB pages, where only entries 0, 16, …,
/// 496 are used (the hardware uses entry `index & ~15`). Page tables are read through
/// `PhysicalMemory`, so its read observer sees them. Write permission is not enforced.
public enum PPGTT {
    /// Translates `gma` through the tables under `root`.
    public static func translate(_ gma: GraphicsAddress, root: PPGTTRoot, memory: PhysicalMemory,
                                 isWrite: Bool = false) -> Result<PhysicalAddress, GPUFault> {
        var none: [PPGTTWalk.Step]? = nil
        var pageSize: UInt64 = 0
        return resolve(gma, root: root, memory: memory, isWrite: isWrite, steps: &none, pageSize: &pageSize)
    }

    /// Translates `gma` and returns every level visited.
    public static func walk(_ gma: GraphicsAddress, root: PPGTTRoot, memory: PhysicalMemory,
                            isWrite: Bool = false) -> PPGTTWalk {
        var steps: [PPGTTWalk.Step]? = []
        var pageSize: UInt64 = 0
        let result = resolve(gma, root: root, memory: memory, isWrite: isWrite, steps: &steps, pageSize: &pageSize)
        let size: UInt64? = if case .success = result { pageSize } else { nil }
        return PPGTTWalk(address: gma, steps: steps ?? [], result: result, pageSize: size)
    }

    /// The one walker behind `translate` and `walk`; `steps` is nil when nobody listens.
    private static func resolve(_ gma: GraphicsAddress, root: PPGTTRoot, memory: PhysicalMemory, isWrite: Bool,
                                steps: inout [PPGTTWalk.Step]?, pageSize: inout UInt64) -> Result<PhysicalAddress, GPUFault> {
        func fail(_ reason: GPUFault.Reason) -> Result<PhysicalAddress, GPUFault> {
            .failure(GPUFault(address: gma, space: .ppgtt, reason: reason, isWrite: isWrite))
        }
        let va = gma.rawValue
        guard va < root.addressSpaceSize else { return fail(.outsideAddressSpace) }

        var table: UInt64
        var level: Int
        switch root {
        case .fourLevel(let pml4):
            table = pml4.rawValue & ~0xFFF
            level = 4
            guard table != 0 else { return fail(.notPresent(level: 4)) }
        case .threeLevel(let pdps):
            let index = Int(va >> 30)
            let pointer = index < pdps.count ? pdps[index].rawValue & ~0xFFF : 0
            steps?.append(.init(level: 3, tableAddress: nil, index: index, entry: PPGTTEntry(rawValue: pointer)))
            guard pointer != 0 else { return fail(.notPresent(level: 3)) }
            table = pointer
            level = 2
        }

        var smallPages64K = false
        while true {
            let shift = UInt64(12 + 9 * (level - 1))
            var index = Int((va >> shift) & 0x1FF)
            if level == 1 && smallPages64K { index &= ~15 }
            let entryAddress = PhysicalAddress(table + UInt64(index) * 8)
            guard memory.contains(entryAddress, count: 8) else { return fail(.beyondPhysicalMemory(entryAddress)) }
            let entry = memory.read64(entryAddress)
            steps?.append(.init(level: level, tableAddress: PhysicalAddress(table), index: index, entry: PPGTTEntry(rawValue: entry)))
            guard entry & PPGTTEntry.presentBit != 0 else { return fail(.notPresent(level: level)) }
            guard entry & PPGTTEntry.reservedMask == 0 else { return fail(.reservedBitsSet(level: level)) }
            let next = entry & PPGTTEntry.addressMask

            var leafSize: UInt64 = 0
            switch level {
            case 3 where entry & PPGTTEntry.pageSizeBit != 0: leafSize = 1 << 30
            case 2 where entry & PPGTTEntry.pageSizeBit != 0: leafSize = 1 << 21
            case 2: smallPages64K = entry & PPGTTEntry.ipsBit != 0
            case 1: leafSize = smallPages64K ? 1 << 16 : 1 << 12
            default: break
            }
            if leafSize != 0 {
                let physical = PhysicalAddress(next & ~(leafSize - 1) | va & (leafSize - 1))
                guard memory.contains(physical, count: 1) else { return fail(.beyondPhysicalMemory(physical)) }
                pageSize = leafSize
                return .success(physical)
            }
            table = next
            level -= 1
        }
    }
}
