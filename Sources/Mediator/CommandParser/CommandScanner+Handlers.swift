import GPUModel

/// The command handlers (GVT: `cmd_handler_*`), the register audit (`cmd_reg_handler`) and the
/// graphics-address audit (`cmd_address_audit`).
///
/// Handlers read the command's dwords through `Command`, which reads dwords beyond the
/// command's length as 0 and ignores patches beyond it, so a short command never touches its
/// neighbour.
extension CommandScanner {
    /// GVT `max_surface_size`: the largest operation an address audit accepts (36 MiB).
    static let maxSurfaceSize: UInt64 = 36 << 20
    /// VGT_PVINFO_PAGE: where LRIs to DERRMR and FORCEWAKE_MT are redirected (writes there are dropped).
    static let pvinfoPage: UInt32 = 0x78000
    /// Registers whose LRI is redirected to PVINFO: DERRMR, FORCEWAKE_MT.
    static let redirectedRegisters: [UInt32] = [0x44050, 0xA188]
    /// Registers SRM/LRM may access on Gen9: GEN8_L3SQCREG4, 0x21F0.
    static let memoryRegisterWhitelist: [UInt32] = [0xB118, 0x21F0]
    /// MI_WAIT_FOR_EVENT flip-pending bits (plane A/B/C 1/9/15, sprite A/B/C 2/10/20).
    static let flipPendingBits: UInt32 = 1 << 1 | 1 << 9 | 1 << 15 | 1 << 2 | 1 << 10 | 1 << 20

    /// A command in a buffer being scanned.
    struct Command {
        let start: Int
        let length: Int
        /// Dword `k` of the command, 0 beyond its length.
        @inline(__always) func dword(_ buffer: [UInt32], _ k: Int) -> UInt32 { k < length ? buffer[start + k] : 0 }
        /// Replaces dword `k` (ignored beyond the command's length).
        @inline(__always) func patch(_ buffer: inout [UInt32], _ k: Int, _ value: UInt32) {
            if k < length { buffer[start + k] = value }
        }
    }

    /// Which command accesses a register (GVT: the `cmd` string of `cmd_reg_handler`).
    enum RegisterAccess: String {
        case lri, lrrSource = "lrr-src", lrrDestination = "lrr-dst", lrm, srm, pipeControl = "pipe_ctrl"
    }

    /// Runs a handler; false on a violation (recorded in `failure`).
    mutating func handle(_ handler: CommandAuditHandler, _ dwords: inout [UInt32], at start: Int, length: Int) -> Bool {
        let c = Command(start: start, length: length)
        switch handler {
        case .userInterrupt:
            addEvent(.userInterrupt(engine))
            c.patch(&dwords, 0, 0)
        case .waitForEvent:
            if dwords[start] & Self.flipPendingBits != 0 { c.patch(&dwords, 0, 0) }
        case .displayFlip:
            return displayFlip(c, &dwords)
        case .loadRegisterImmediate:
            return loadRegisterImmediate(c, &dwords)
        case .loadRegisterRegister:
            for k in stride(from: 1, to: length, by: 2) {
                guard auditRegister(c.dword(dwords, k) & 0x7F_FFFC, .lrrSource, c, &dwords, valueIndex: k + 1),
                      auditRegister(c.dword(dwords, k + 1) & 0x7F_FFFC, .lrrDestination, c, &dwords, valueIndex: k + 1)
                else { return false }
            }
        case .loadRegisterMemory, .storeRegisterMemory:
            let access: RegisterAccess = handler == .loadRegisterMemory ? .lrm : .srm
            var k = 1
            while k < length {
                guard auditRegister(c.dword(dwords, k) & 0x7F_FFFC, access, c, &dwords, valueIndex: k + 1) else { return false }
                if c.dword(dwords, 0) & (1 << 22) != 0 {
                    guard auditAddress(gma(c.dword(dwords, k + 1) & ~3, c.dword(dwords, k + 2)), size: 4) else { return false }
                }
                k += 3
            }
        case .storeDataImmediate:
            return storeDataImmediate(c, &dwords)
        case .flushDW:
            return flushDW(c, &dwords)
        case .pipeControl:
            return pipeControl(c, &dwords)
        case .atomic:
            let dw0 = c.dword(dwords, 0)
            guard dw0 & (1 << 22) != 0 else { return true }
            let dataSize = (dw0 >> 19) & 3
            let valid = 3 + (dataSize == 1 ? 8 : 0)
            guard length == valid else {
                fail(.invalidLength, "length \(length), expected \(valid)")
                return false
            }
            return auditAddress(gma(c.dword(dwords, 1) & ~3, c.dword(dwords, 2)), size: UInt64(4 << dataSize))
        case .unexpected:
            fail(.rejectedCommand, "\(table.entries[entryIndex].name) is not allowed in a scanned buffer")
            return false
        case .none, .batchBufferEnd, .batchBufferStart:
            break
        }
        return true
    }

    /// A 48-bit graphics address from a low dword (already masked) and a high dword (bits 15:0).
    @inline(__always) func gma(_ low: UInt32, _ high: UInt32) -> GraphicsAddress {
        GraphicsAddress(UInt64(low) | UInt64(high & 0xFFFF) << 32)
    }

    /// Adds a virtual event to inject at completion, once.
    mutating func addEvent(_ event: InterruptEvent) {
        if !result.pendingEvents.contains(event) { result.pendingEvents.append(event) }
    }

    // MARK: Graphics-address audit

    /// GVT `cmd_address_audit`: size ≤ 36 MiB; in index mode the offset must lie in the status
    /// page; otherwise [gma, gma + size) must be the vGPU's graphics memory.
    mutating func auditAddress(_ gma: GraphicsAddress, size: UInt64, indexMode: Bool = false) -> Bool {
        if size > Self.maxSurfaceSize {
            fail(.operationTooLarge, "operation of \(size) bytes exceeds \(Self.maxSurfaceSize)")
            return false
        }
        if indexMode {
            guard gma.rawValue < 4096 else {
                fail(.indexOutOfRange, "store-index offset \(hex(gma.rawValue)) beyond the 4 KiB status page")
                return false
            }
            return true
        }
        guard mediator.validateGraphicsRange(vgpu, gma, size: size) else {
            let s = vgpu.slices
            fail(.addressOutOfRange, "[\(gma), +\(hex(size))) is not in the vGPU's aperture "
                    + "\(hex(s.aperture.lowerBound))..<\(hex(s.aperture.upperBound)) or hidden "
                    + "\(hex(s.hidden.lowerBound))..<\(hex(s.hidden.upperBound)) slice")
            return false
        }
        return true
    }

    // MARK: Register audit

    /// GVT `cmd_reg_handler` for one register of a command; for LRI also the redirects, the
    /// MOCS vreg update, PDP loads and write-patched registers.
    mutating func auditRegister(_ offset: UInt32, _ access: RegisterAccess, _ c: Command, _ dwords: inout [UInt32],
                                valueIndex: Int) -> Bool {
        let name = mediator.catalogue.name(of: MMIOOffset(offset)) ?? hex(offset, width: 5)
        guard offset + 4 <= RegisterCatalogue.mmioSize else {
            fail(.registerOutOfRange, "\(access.rawValue) of \(hex(offset)) outside the 2 MiB MMIO range")
            return false
        }
        let info = mediator.handlers.info(at: MMIOOffset(offset))
        guard let info, info.flags.contains(.commandAccess) else {
            fail(.registerNotCommandAccessible, "\(access.rawValue) of \(name), which commands may not access (no F_CMD_ACCESS)")
            return false
        }
        switch access {
        case .srm, .lrm:
            guard Self.memoryRegisterWhitelist.contains(offset) else {
                fail(.registerAccessNotAllowed, "\(access.rawValue) of \(name): only L3SQCREG4 and 0x21F0 are allowed")
                return false
            }
            return true
        case .lrrSource, .lrrDestination:
            fail(.registerAccessNotAllowed, "\(access.rawValue) of \(name): no register may be copied on Gen9")
            return false
        case .pipeControl:
            return true
        case .lri:
            return loadRegister(offset, info, c, &dwords, valueIndex: valueIndex)
        }
    }

    /// The LRI part of `cmd_reg_handler`.
    mutating func loadRegister(_ offset: UInt32, _ info: MMIOInfo, _ c: Command, _ dwords: inout [UInt32],
                               valueIndex: Int) -> Bool {
        let register = MMIOOffset(offset)
        if offset == MMIOOffset.ring(.pdp0UDW, engine).rawValue, case .fourLevel = request.ppgttRoot {
            guard loadPDP(c, &dwords) else { return false }
        }
        if Self.redirectedRegisters.contains(offset) {
            c.patch(&dwords, valueIndex - 1, Self.pvinfoPage)
        }
        let value = c.dword(dwords, valueIndex)
        if Self.isMOCS(offset) { vgpu.vregs[register] = value }
        let old = vgpu.vregs[register]
        if info.flags.contains(.commandWritePatch), let write = info.write {
            guard info.readOnlyMask == 0 else {
                fail(.registerWriteRefused, "LRI of read-only register \(hex(offset))")
                return false
            }
            write(mediator, vgpu, register, 4, UInt64(value))
            let patched = vgpu.vregs[register]
            if patched != value { c.patch(&dwords, valueIndex, patched) }
        }
        vgpu.vregs[register] = old  // only the command is patched
        if request.restoreInhibit && info.flags.contains(.inContext) {
            if info.flags.contains(.modeMask) {
                mediator.maskedVregWrite(vgpu, register, value: value)
            } else {
                vgpu.vregs[register] = value
            }
        }
        return true
    }

    /// GVT `is_mocs_mmio`: the per-engine MOCS tables and the L3 MOCS (LNCFCMOCS) registers.
    static func isMOCS(_ offset: UInt32) -> Bool {
        (0xC800...0xCFF8).contains(offset) || (0xB020...0xB0A0).contains(offset)
    }

    /// GVT `cmd_pdp_mmio_update_handler`: an LRI of PDP0 (UDW at dword 1, LDW at dword 3)
    /// naming a guest PML4 is patched to the shadow PML4; the shadow must already exist.
    mutating func loadPDP(_ c: Command, _ dwords: inout [UInt32]) -> Bool {
        let pml4 = UInt64(c.dword(dwords, 2)) << 32 | UInt64(c.dword(dwords, 4))
        let root = GuestPPGTTRoot.fourLevel(pml4: GuestPhysicalAddress(pml4))
        guard c.length >= 5, mediator.findPPGTT(vgpu, root: root) != nil,
              let handle = mediator.findOrCreatePPGTT(vgpu, root: root)
        else {
            fail(.unknownPPGTTRoot, "PDP load of \(root) has no shadow PPGTT")
            return false
        }
        result.loadedPPGTTs.append(handle)
        guard case .fourLevel(let shadow) = mediator.shadowRoot(handle) else { return true }
        c.patch(&dwords, 2, UInt32(truncatingIfNeeded: shadow.rawValue >> 32))
        c.patch(&dwords, 4, UInt32(truncatingIfNeeded: shadow.rawValue))
        return true
    }

    // MARK: Command handlers

    /// GVT `cmd_handler_lri`: 3...127 dwords, each (register, value) pair audited.
    mutating func loadRegisterImmediate(_ c: Command, _ dwords: inout [UInt32]) -> Bool {
        guard c.length >= 3 && c.length <= 127 else {
            fail(.invalidLength, "MI_LOAD_REGISTER_IMM of \(c.length) dwords (3...127)")
            return false
        }
        for k in stride(from: 1, to: c.length, by: 2) {
            guard auditRegister(c.dword(dwords, k) & 0x7F_FFFC, .lri, c, &dwords, valueIndex: k + 1) else { return false }
        }
        return true
    }

    /// GVT `cmd_handler_mi_store_data_imm`: a GGTT store is audited (4 dwords, 5 for a qword).
    mutating func storeDataImmediate(_ c: Command, _ dwords: inout [UInt32]) -> Bool {
        let dw0 = c.dword(dwords, 0)
        guard dw0 & (1 << 22) != 0 else { return true }
        let valid = dw0 & (1 << 21) != 0 ? 5 : 4
        guard c.length == valid else {
            fail(.invalidLength, "length \(c.length), expected \(valid)")
            return false
        }
        let size = UInt64(c.length - 3) * 4
        let dw1 = c.dword(dwords, 1)
        let core: UInt64 = dw1 & 1 != 0 ? 1 : 0
        return auditAddress(gma(dw1 & ~3, c.dword(dwords, 2)).advanced(by: size * core), size: size)
    }

    /// The vGPU's own status page address for a store-index `offset` (GVT: `hws_pga + gma`).
    func statusPageAddress(_ offset: GraphicsAddress) -> UInt32 {
        UInt32(truncatingIfNeeded: vgpu.hwsPGA[engine.index].rawValue &+ offset.rawValue)
    }

    /// GVT `cmd_handler_mi_flush_dw`: 4 or 5 dwords; a GGTT post-sync write is audited; a
    /// store-index write is patched into the vGPU's own HWSP (`.current`); notify harvested.
    mutating func flushDW(_ c: Command, _ dwords: inout [UInt32]) -> Bool {
        guard c.length == 4 || c.length == 5 else {
            fail(.invalidLength, "MI_FLUSH_DW of \(c.length) dwords (4 or 5)")
            return false
        }
        let dw0 = c.dword(dwords, 0)
        let dw1 = c.dword(dwords, 1)
        if (dw0 >> 14) & 3 != 0 && dw1 & (1 << 2) != 0 {
            let target = gma(dw1 & ~7, c.dword(dwords, 2))
            let indexMode = dw0 & (1 << 21) != 0
            guard auditAddress(target, size: 8, indexMode: indexMode) else { return false }
            if indexMode && revision == .current {
                c.patch(&dwords, 1, statusPageAddress(target))
                c.patch(&dwords, 0, dw0 & ~(1 << 21))
            }
        }
        if dw0 & (1 << 8) != 0 { addEvent(.flushNotify(engine)) }
        return true
    }

    /// GVT `cmd_handler_pipe_control`: LRI post-sync and PS_DEPTH_COUNT/TIMESTAMP writes audit
    /// the register; a GGTT immediate write is audited and, in store-index mode, patched into
    /// the vGPU's own HWSP (`.current`); notify harvested.
    mutating func pipeControl(_ c: Command, _ dwords: inout [UInt32]) -> Bool {
        let dw1 = c.dword(dwords, 1)
        let postSync = (dw1 >> 14) & 3
        if dw1 & (1 << 23) != 0 {
            guard auditRegister(c.dword(dwords, 2) & 0x7F_FFFC, .pipeControl, c, &dwords, valueIndex: 3) else { return false }
        } else if postSync == 2 {
            guard auditRegister(Reg.psDepthCount.rawValue, .pipeControl, c, &dwords, valueIndex: 3) else { return false }
        } else if postSync == 3 {
            guard auditRegister(Reg.timestamp.rawValue, .pipeControl, c, &dwords, valueIndex: 3) else { return false }
        } else if postSync == 1 && dw1 & (1 << 24) != 0 {
            let target = gma(c.dword(dwords, 2) & ~7, c.dword(dwords, 3))
            let indexMode = dw1 & (1 << 21) != 0
            guard auditAddress(target, size: 8, indexMode: indexMode) else { return false }
            if indexMode && revision == .current {
                c.patch(&dwords, 2, statusPageAddress(target))
                c.patch(&dwords, 1, dw1 & ~(1 << 21))
            }
        }
        if dw1 & (1 << 8) != 0 { addEvent(.pipeControlNotify) }
        return true
    }

    /// GVT `cmd_handler_mi_display_flip` with `skl_decode_mi_display_flip`: 3 dwords (4 for a
    /// stereo flip), plane code in dword 0 bits 12:8 (0/1/2 primary A/B/C, 4/5/6 sprite A/B/C),
    /// stride in dword 1 bits 15:6, tiling 2:0, surface in dword 2 bits 31:12, async when
    /// dword 2 bits 1:0 are 1. The whole command becomes MI_NOOPs.
    ///
    /// GVT compares the 5-bit code with `MI_DISPLAY_FLIP_SKL_PLANE_*` constants that are
    /// shifted by 8, so only plane 1 of pipe A decodes there; this decodes the codes as the
    /// constants mean them.
    mutating func displayFlip(_ c: Command, _ dwords: inout [UInt32]) -> Bool {
        let dw0 = c.dword(dwords, 0), dw1 = c.dword(dwords, 1), dw2 = c.dword(dwords, 2)
        let valid = dw2 & 3 == 2 ? 4 : 3
        guard c.length == valid else {
            fail(.invalidLength, "MI_DISPLAY_FLIP of \(c.length) dwords, expected \(valid)")
            return false
        }
        let code = (dw0 >> 8) & 0x1F
        let decoded: (Pipe, Int)? = switch code {
        case 0: (.a, 1)
        case 1: (.b, 1)
        case 2: (.c, 1)
        case 4: (.a, 2)
        case 5: (.b, 2)
        case 6: (.c, 2)
        default: nil
        }
        guard let (pipe, plane) = decoded else {
            fail(.unknownFlipPlane, "plane code \(code)")
            return false
        }
        result.displayFlips.append(DisplayFlip(
            pipe: pipe, plane: plane, surface: dw2 & ~0xFFF, stride: (dw1 >> 6) & 0x3FF, tiling: dw1 & 7,
            async: dw2 & 3 == 1))
        for k in 0..<c.length { c.patch(&dwords, k, 0) }
        return true
    }
}
