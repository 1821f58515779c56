import GPUModel

/// The data-driven MMIO handler table (GVT: the mmio-info hash, the per-dword attribute
/// array and the special MMIO blocks, built by `intel_gvt_setup_mmio_info`).
///
/// Built once from rows (`MMIOInfo`, one per register or run of identical registers) and
/// special blocks (`MMIOBlock`, whole ranges with one handler pair). Lookup is one array
/// index per dword: `slots[dword]` holds the row index (≥ 0), `-1` for an untracked
/// offset, or `-2 - b` for special block `b`. Blocks win over rows, as in GVT's
/// `intel_vgpu_mmio_reg_rw` (blocks are looked up first).
///
/// Rows come from per-family providers in `MMIOHandlerTable+<Family>.swift`; the interrupt
/// and display concerns contribute `interruptRows()` and `displayRows()` from their own
/// folders. Building never fails: duplicates and rows for offsets the GPU model does not
/// know are reported by `problems(catalogue:)`, which a test requires to be empty (GVT
/// aborts its init on a duplicate registration).
public struct MMIOHandlerTable: Sendable {
    /// The rows, in registration order.
    public let rows: [MMIOInfo]
    /// The special blocks, in registration order.
    public let blocks: [MMIOBlock]
    /// Per dword of the 2 MiB range: row index, -1 (untracked) or -2 - block index.
    @usableFromInline let slots: ContiguousArray<Int32>
    /// Dwords claimed by a second row or by a row inside a block, found while building.
    let collisions: [MMIOTableProblem]

    /// Slot value of an untracked dword.
    @usableFromInline static let untracked: Int32 = -1

    /// Builds a table. Preconditions (programmer errors): every row and block is dword
    /// aligned, a non-empty multiple of 4 bytes, inside the 2 MiB register range, and blocks
    /// do not overlap each other.
    public init(rows: [MMIOInfo], blocks: [MMIOBlock] = []) {
        var slots = ContiguousArray<Int32>(repeating: Self.untracked, count: RegisterCatalogue.dwordCount)
        var collisions: [MMIOTableProblem] = []
        for (b, block) in blocks.enumerated() {
            precondition(block.range.lowerBound % 4 == 0 && block.range.upperBound % 4 == 0 && !block.range.isEmpty,
                         "MMIO block \(block.name) must be a non-empty dword-aligned range")
            precondition(block.range.upperBound <= RegisterCatalogue.mmioSize, "MMIO block \(block.name) outside 2 MiB")
            for dw in Int(block.range.lowerBound >> 2)..<Int(block.range.upperBound >> 2) {
                precondition(slots[dw] == Self.untracked, "MMIO block \(block.name) overlaps another block")
                slots[dw] = -2 - Int32(b)
            }
        }
        for (i, row) in rows.enumerated() {
            precondition(row.offset.rawValue % 4 == 0 && row.size > 0 && row.size % 4 == 0,
                         "MMIO row at \(row.offset) must be dword aligned with a size multiple of 4")
            precondition(row.offset.rawValue + UInt32(row.size) <= RegisterCatalogue.mmioSize,
                         "MMIO row at \(row.offset) outside 2 MiB")
            for dw in row.offset.dwordIndex..<(row.offset.dwordIndex + row.size / 4) {
                let offset = MMIOOffset(UInt32(dw) << 2)
                let slot = slots[dw]
                if slot == Self.untracked {
                    slots[dw] = Int32(i)
                } else if slot >= 0 {
                    collisions.append(.duplicate(offset))
                } else {
                    collisions.append(.insideBlock(offset, block: blocks[Int(-2 - slot)].name))
                }
            }
        }
        self.rows = rows
        self.blocks = blocks
        self.slots = slots
        self.collisions = collisions
    }

    /// The raw slot of the dword holding `offset` (must lie in the 2 MiB range).
    @inlinable func slot(at offset: MMIOOffset) -> Int32 { slots[offset.dwordIndex] }

    /// The row covering `offset`, if any (GVT: `intel_gvt_find_mmio_info`).
    public func info(at offset: MMIOOffset) -> MMIOInfo? {
        guard RegisterFile.contains(offset) else { return nil }
        let slot = slot(at: offset)
        return slot >= 0 ? rows[Int(slot)] : nil
    }

    /// The special block covering `offset`, if any (GVT: `find_mmio_block`).
    public func block(at offset: MMIOOffset) -> MMIOBlock? {
        guard RegisterFile.contains(offset) else { return nil }
        let slot = slot(at: offset)
        return slot <= -2 ? blocks[Int(-2 - slot)] : nil
    }

    /// True if a row or a special block handles `offset` (GVT: a tracked MMIO).
    public func isTracked(_ offset: MMIOOffset) -> Bool {
        RegisterFile.contains(offset) && slot(at: offset) != Self.untracked
    }

    /// Number of dwords with a row (GVT debugfs `num_tracked_mmio` counts rows' registers).
    public var trackedDwordCount: Int { slots.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }

    /// Offsets the table may attach a handler to although the GPU model's catalogue does not
    /// list them: registers GVT emulates that are not hardware. PVINFO (0x78000..0x78FFF) is
    /// the only one; it is a special block, listed here so that a row placed there by
    /// mistake is still reported as inside the block rather than as unknown.
    public static let nonHardwareRanges: [(name: String, range: Range<UInt32>)] = [
        ("PVINFO", PVInfo.range)
    ]

    /// What is wrong with the table against `catalogue`: a dword claimed by two rows, a row
    /// inside a special block, or a row dword the catalogue does not know (except
    /// `nonHardwareRanges`). Empty for a healthy table. Sorted by offset.
    public func problems(catalogue: RegisterCatalogue) -> [MMIOTableProblem] {
        var found = collisions
        for row in rows {
            for k in 0..<(row.size / 4) {
                let offset = row.offset.advanced(by: UInt32(k * 4))
                if catalogue.index(at: offset) != nil { continue }
                if Self.nonHardwareRanges.contains(where: { $0.range.contains(offset.rawValue) }) { continue }
                found.append(.unknownRegister(offset))
            }
        }
        return found.sorted { $0.offset < $1.offset }
    }
}

/// One thing `MMIOHandlerTable.problems(catalogue:)` found.
public enum MMIOTableProblem: Hashable, Sendable, CustomStringConvertible {
    /// Two rows claim the dword (GVT: "duplicate mmio registration").
    case duplicate(MMIOOffset)
    /// A row claims a dword of a special block (the block would shadow it).
    case insideBlock(MMIOOffset, block: String)
    /// A row claims a dword no register of the catalogue holds.
    case unknownRegister(MMIOOffset)

    /// The dword concerned.
    public var offset: MMIOOffset {
        switch self {
        case let .duplicate(o), let .insideBlock(o, _), let .unknownRegister(o): o
        }
    }

    public var description: String {
        switch self {
        case let .duplicate(o): "two MMIO rows claim \(o); remove one registration"
        case let .insideBlock(o, block): "MMIO row at \(o) lies inside the \(block) block, which shadows it"
        case let .unknownRegister(o):
            "MMIO row at \(o) names no register of the GPU model's catalogue; add the register there or drop the row"
        }
    }
}

extension MMIOHandlerTable {
    /// The Gen9 / Apollo Lake table (GVT: `init_generic_mmio_info` + `init_bdw_mmio_info` +
    /// `init_skl_mmio_info` + `init_bxt_mmio_info`, restricted to D_BXT rows).
    public static let gen9 = MMIOHandlerTable(
        rows: ringRows() + execlistRows() + forcewakeRows() + fenceRows() + resetRows() + miscRows()
            + interruptRows() + displayRows(),
        blocks: [pvinfoBlock()] + mirrorBlocks())
}
