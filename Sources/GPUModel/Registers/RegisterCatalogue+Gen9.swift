/// The Gen9 (Apollo Lake) register catalogue: engine, GT-global and memory registers.
/// Display and interrupt registers are in `RegisterCatalogue+Gen9Display.swift`.
///
/// Reset values: hardware reset (mostly 0). Interrupt masks reset to all-masked
/// (0xFFFF_FFFF); the CSB pointer resets to read pointer 0, write pointer 7 (0x7, "empty",
/// as GVT emulates); DDI_BUF_CTL reports idle (bit 7).
extension RegisterCatalogue {
    /// The Gen9 / Apollo Lake catalogue.
    public static let gen9: RegisterCatalogue = {
        var b = CatalogueBuilder()
        b.addEngineRegisters()
        b.addRenderGlobals()
        b.addGTGlobals()
        b.addInterruptRegisters()
        b.addDisplayRegisters()
        return RegisterCatalogue(registers: b.registers, aliases: b.aliases)
    }()
}

/// Accumulates catalogue rows; one `add` per register.
struct CatalogueBuilder {
    var registers: [RegisterInfo] = []
    var aliases: [(alias: String, name: String)] = []

    mutating func add(
        _ name: String, _ offset: UInt32, size: Int = 4, reset: UInt64 = 0, engine: EngineID? = nil,
        _ flags: RegisterFlags = [], _ group: RegisterGroup, ro: UInt32 = 0
    ) {
        registers.append(
            RegisterInfo(
                name: name, offset: MMIOOffset(offset), size: size, resetValue: reset, engine: engine,
                flags: flags, group: group, readOnlyMask: ro))
    }

    mutating func alias(_ alias: String, _ name: String) { aliases.append((alias, name)) }

    // MARK: Per-engine

    /// One row of the per-engine table.
    struct RingRow {
        let register: RingRegister
        let flags: RegisterFlags
        let group: RegisterGroup
        var reset: UInt64 = 0
        var ro: UInt32 = 0
        var rcsOnly = false
    }

    static let ringRows: [RingRow] = [
        RingRow(register: .excc, flags: [.masked], group: .context),
        RingRow(register: .tail, flags: [.inContext, .sideEffects], group: .ring),
        RingRow(register: .head, flags: [.inContext], group: .ring),
        RingRow(register: .start, flags: [.inContext, .graphicsAddress], group: .ring),
        RingRow(register: .ctl, flags: [.inContext], group: .ring),
        RingRow(register: .psmiCtl, flags: [.masked], group: .power),
        RingRow(register: .acthdUDW, flags: [.readOnly, .volatile], group: .error),
        RingRow(register: .ipeir, flags: [.volatile], group: .error),
        RingRow(register: .ipehr, flags: [.readOnly, .volatile], group: .error),
        RingRow(register: .instdone, flags: [.readOnly, .volatile], group: .error),
        RingRow(register: .instps, flags: [.readOnly, .volatile], group: .error),
        RingRow(register: .acthd, flags: [.readOnly, .volatile, .graphicsAddress], group: .error),
        RingRow(register: .dmaFadd, flags: [.readOnly, .volatile], group: .error),
        RingRow(register: .hwsPGA, flags: [.graphicsAddress, .sideEffects], group: .ring),
        RingRow(register: .nopid, flags: [.readOnly, .volatile], group: .ring),
        RingRow(register: .hwstam, flags: [], group: .interrupt, reset: 0xFFFF_FFFF),
        RingRow(register: .miMode, flags: [.masked], group: .ring),
        RingRow(register: .imr, flags: [], group: .interrupt, reset: 0xFFFF_FFFF),
        RingRow(register: .eir, flags: [.writeOneToClear, .volatile], group: .error),
        RingRow(register: .emr, flags: [], group: .error),
        RingRow(register: .esr, flags: [.readOnly, .volatile], group: .error),
        RingRow(register: .instpm, flags: [.masked], group: .ring),
        // REQUEST_RESET (bit 0) is software's; READY_TO_RESET (bit 1) is the engine's answer.
        RingRow(register: .resetCtl, flags: [.masked, .sideEffects], group: .ring, ro: 0x2),
        RingRow(register: .bbState, flags: [.inContext], group: .ring),
        RingRow(register: .sbbAddr, flags: [.inContext, .graphicsAddress], group: .ring),
        RingRow(register: .sbbState, flags: [.inContext], group: .ring),
        RingRow(register: .sbbAddrUDW, flags: [.inContext], group: .ring),
        RingRow(register: .bbAddr, flags: [.inContext, .graphicsAddress, .volatile], group: .error),
        RingRow(register: .bbAddrUDW, flags: [.inContext, .volatile], group: .error),
        RingRow(register: .ccid, flags: [], group: .ring),
        RingRow(register: .bbPerCtxPtr, flags: [.inContext, .graphicsAddress], group: .ring, rcsOnly: true),
        RingRow(register: .indirectCtx, flags: [.inContext, .graphicsAddress], group: .ring, rcsOnly: true),
        RingRow(register: .indirectCtxOffset, flags: [.inContext], group: .ring, rcsOnly: true),
        RingRow(register: .elsp, flags: [.writeOnly, .sideEffects], group: .execlist),
        RingRow(register: .execlistStatusLo, flags: [.readOnly, .volatile], group: .execlist),
        RingRow(register: .execlistStatusHi, flags: [.readOnly, .volatile], group: .execlist),
        RingRow(register: .contextControl, flags: [.masked, .inContext], group: .execlist),
        RingRow(register: .pdp0LDW, flags: [.inContext], group: .execlist),
        RingRow(register: .pdp0UDW, flags: [.inContext], group: .execlist),
        RingRow(register: .pdp1LDW, flags: [.inContext], group: .execlist),
        RingRow(register: .pdp1UDW, flags: [.inContext], group: .execlist),
        RingRow(register: .pdp2LDW, flags: [.inContext], group: .execlist),
        RingRow(register: .pdp2UDW, flags: [.inContext], group: .execlist),
        RingRow(register: .pdp3LDW, flags: [.inContext], group: .execlist),
        RingRow(register: .pdp3UDW, flags: [.inContext], group: .execlist),
        RingRow(register: .mode, flags: [.masked, .sideEffects], group: .ring),
        RingRow(register: .timestamp, flags: [.readOnly, .volatile], group: .misc),
        RingRow(register: .timestampUDW, flags: [.readOnly, .volatile], group: .misc),
        RingRow(register: .csbPointer, flags: [.masked, .volatile], group: .execlist, reset: 0x7),
        RingRow(register: .ctxTimestamp, flags: [.inContext, .volatile], group: .ring),
    ]

    mutating func addEngineRegisters() {
        for engine in EngineID.allCases {
            let p = engine.registerPrefix + "_"
            for row in Self.ringRows where !row.rcsOnly || engine == .rcs {
                add(p + row.register.i915Name, engine.mmioBase + row.register.rawValue, reset: row.reset,
                    engine: engine, row.flags, row.group, ro: row.ro)
            }
            for i in 0..<csbEntryCount {
                add(p + "RING_CONTEXT_STATUS_BUF_LO_\(i)", MMIOOffset.csb(engine, entry: i).rawValue,
                    engine: engine, [.readOnly, .volatile], .execlist)
                add(p + "RING_CONTEXT_STATUS_BUF_HI_\(i)", MMIOOffset.csb(engine, entry: i, upper: true).rawValue,
                    engine: engine, [.readOnly, .volatile], .execlist)
            }
            for i in 0..<forceToNonPrivCount {
                add(p + "RING_FORCE_TO_NONPRIV_\(i)", MMIOOffset.forceToNonPriv(engine, i).rawValue,
                    engine: engine, [], .context)
            }
            for i in 0..<csGPRCount {
                add(p + "RING_CS_GPR_\(i)", MMIOOffset.csGPR(engine, i).rawValue, size: 8, engine: engine, [], .misc)
            }
            for i in 0..<mocsEntryCount {
                add(p + "MOCS_\(i)", MMIOOffset.mocs(engine, i).rawValue, engine: engine, [], .mocs)
            }
            add(p + "TLB_INVALIDATE", Reg.tlbInvalidate(engine).rawValue, engine: engine, [.sideEffects, .volatile], .misc)
        }
        // i915 / IGT names for the render engine's registers.
        alias("GFX_MODE", "RCS_RING_MODE")
        alias("MI_MODE", "RCS_RING_MI_MODE")
        alias("INSTPM", "RCS_RING_INSTPM")
        alias("HWSTAM", "RCS_RING_HWSTAM")
        alias("ACTHD", "RCS_RING_ACTHD")
        alias("INSTDONE", "RCS_RING_INSTDONE")
        alias("IPEIR", "RCS_RING_IPEIR")
        alias("IPEHR", "RCS_RING_IPEHR")
        alias("EIR", "RCS_RING_EIR")
        alias("EMR", "RCS_RING_EMR")
        alias("ESR", "RCS_RING_ESR")
        alias("CCID", "RCS_RING_CCID")
        alias("TIMESTAMP", "RCS_RING_TIMESTAMP")
        alias("GEN8_RTCR", "RCS_TLB_INVALIDATE")
        alias("GEN8_M1TCR", "VCS_TLB_INVALIDATE")
        alias("GEN8_BTCR", "BCS_TLB_INVALIDATE")
        alias("GEN8_VTCR", "VECS_TLB_INVALIDATE")
    }

    // MARK: Render-engine global registers (MMIO context list, statistics, predicates)

    mutating func addRenderGlobals() {
        let r = EngineID.rcs
        // GVT mmio_context.c Gen9 list; masked = mask 0xFFFF; inContext = in the HW context image.
        add("GEN9_CTX_PREEMPT_REG", 0x2248, engine: r, [], .context)
        add("GEN7_FF_THREAD_MODE", 0x20A0, engine: r, [], .context)
        add("R_PWR_CLK_STATE", 0x20C8, engine: r, [.inContext], .power)
        add("GEN9_CSFE_CHICKEN1_RCS", 0x20D4, engine: r, [.masked], .context)
        add("GEN9_CS_CHICKEN_20D8", 0x20D8, engine: r, [.masked, .inContext], .context)
        add("FF_SLICE_CS_CHICKEN2", 0x20E4, engine: r, [.masked], .context)
        add("GEN9_CS_DEBUG_MODE1", 0x20EC, engine: r, [.masked], .context)
        add("GEN8_CS_CHICKEN1", 0x2580, engine: r, [.masked, .inContext], .context)
        add("CACHE_MODE_0_GEN7", 0x7000, engine: r, [.masked, .inContext], .context)
        add("CACHE_MODE_1", 0x7004, engine: r, [.masked, .inContext], .context)
        add("GEN7_GT_MODE", 0x7008, engine: r, [.masked, .inContext], .context)
        add("GEN7_COMMON_SLICE_CHICKEN1", 0x7010, engine: r, [.masked, .inContext], .context)
        add("COMMON_SLICE_CHICKEN2", 0x7014, engine: r, [.masked, .inContext], .context)
        add("HDC_CHICKEN0", 0x7300, engine: r, [.masked, .inContext], .context)
        add("GEN8_HDC_CHICKEN1", 0x7304, engine: r, [.masked, .inContext], .context)
        add("VF_GUARDBAND", 0x83A4, engine: r, [.masked, .inContext], .context)
        add("GEN9_SCRATCH_LNCF1", 0xB008, engine: r, [], .context)
        add("GEN8_GARBCNTL", 0xB004, engine: r, [], .context)
        add("GEN8_L3SQCREG4", 0xB118, engine: r, [], .context)
        add("GEN9_SCRATCH1", 0xB11C, engine: r, [], .context)
        add("GEN7_HALF_SLICE_CHICKEN1", 0xE100, engine: r, [.masked, .inContext], .context)
        add("HALF_SLICE_CHICKEN2", 0xE180, engine: r, [.masked, .inContext], .context)
        add("GEN8_HALF_SLICE_CHICKEN3", 0xE184, engine: r, [.masked, .inContext], .context)
        add("GEN9_HALF_SLICE_CHICKEN5", 0xE188, engine: r, [.masked, .inContext], .context)
        add("GEN9_HALF_SLICE_CHICKEN7", 0xE194, engine: r, [.masked, .inContext], .context)
        add("GEN8_ROW_CHICKEN", 0xE4F0, engine: r, [.masked, .inContext], .context)
        add("TRVATTL3PTRDW_0", 0x4DE0, engine: r, [.inContext], .context)
        add("TRVATTL3PTRDW_1", 0x4DE4, engine: r, [.inContext], .context)
        add("TRNULLDETCT", 0x4DE8, engine: r, [.inContext], .context)
        add("TRINVTILEDETCT", 0x4DEC, engine: r, [.inContext], .context)
        add("TRVADR", 0x4DF0, engine: r, [.inContext], .context)
        add("TRTTE", 0x4DF4, engine: r, [.inContext], .context)
        add("GEN9_TRTT_4DFC", 0x4DFC, engine: r, [.inContext], .context)
        add("GEN7_UCGCTL4", 0x940C, engine: r, [], .context)
        add("GAMT_ECO_REG_RW_IA", 0x4AB0, engine: r, [], .context)
        add("GAMT_CHKN_BIT_REG", 0x4AB8, engine: r, [], .context)
        for i in 0..<l3ccRegisterCount {
            add("GEN9_LNCFCMOCS_\(i)", MMIOOffset.l3cc(i).rawValue, engine: r, [], .mocs)
        }
        // Pipeline statistics (64-bit; read by SRM, reset by LRI).
        let stats: [(String, UInt32)] = [
            ("HS_INVOCATION_COUNT", 0x2300), ("DS_INVOCATION_COUNT", 0x2308),
            ("IA_VERTICES_COUNT", 0x2310), ("IA_PRIMITIVES_COUNT", 0x2318),
            ("VS_INVOCATION_COUNT", 0x2320), ("GS_INVOCATION_COUNT", 0x2328),
            ("GS_PRIMITIVES_COUNT", 0x2330), ("CL_INVOCATION_COUNT", 0x2338),
            ("CL_PRIMITIVES_COUNT", 0x2340), ("PS_INVOCATION_COUNT", 0x2348),
            ("PS_DEPTH_COUNT", 0x2350), ("GPGPU_THREADS_DISPATCHED", 0x2290),
        ]
        for (name, offset) in stats { add(name, offset, size: 8, engine: r, [.volatile], .misc) }
        for i in 0..<4 {
            add("SO_NUM_PRIMS_WRITTEN_\(i)", 0x5200 + UInt32(i) * 8, size: 8, engine: r, [.volatile], .misc)
            add("SO_PRIM_STORAGE_NEEDED_\(i)", 0x5240 + UInt32(i) * 8, size: 8, engine: r, [.volatile], .misc)
            add("GEN7_SO_WRITE_OFFSET_\(i)", 0x5280 + UInt32(i) * 4, engine: r, [], .misc)
        }
        add("MI_PREDICATE_SRC0", 0x2400, size: 8, engine: r, [], .misc)
        add("MI_PREDICATE_SRC1", 0x2408, size: 8, engine: r, [], .misc)
        add("MI_PREDICATE_DATA", 0x2410, size: 8, engine: r, [], .misc)
        add("MI_PREDICATE_RESULT", 0x2418, engine: r, [], .misc)
        add("MI_PREDICATE_RESULT_1", 0x241C, engine: r, [], .misc)
        add("MI_PREDICATE_RESULT_2", 0x2214, engine: r, [], .misc)
        add("PGTBL_ER", 0x2024, engine: r, [.writeOneToClear, .volatile], .error)
        add("GEN7_SC_INSTDONE", 0x7100, engine: r, [.readOnly, .volatile], .error)
        add("GEN7_SAMPLER_INSTDONE", 0xE160, engine: r, [.readOnly, .volatile], .error)
        add("GEN7_ROW_INSTDONE", 0xE164, engine: r, [.readOnly, .volatile], .error)
        add("BCS_SWCTRL", 0x22200, engine: .bcs, [.masked], .misc)
    }

    // MARK: GT-global registers

    mutating func addGTGlobals() {
        // Forcewake: masked requests, read-only acks (the hardware mirrors the request).
        add("FORCEWAKE_ACK_RENDER_GEN9", 0x0D84, [.readOnly, .volatile], .forcewake)
        add("FORCEWAKE_ACK_MEDIA_GEN9", 0x0D88, [.readOnly, .volatile], .forcewake)
        add("FORCEWAKE_BLITTER_GEN9", 0xA188, [.masked, .sideEffects], .forcewake)
        add("FORCEWAKE_MEDIA_GEN9", 0xA270, [.masked, .sideEffects], .forcewake)
        add("FORCEWAKE_RENDER_GEN9", 0xA278, [.masked, .sideEffects], .forcewake)
        add("FORCEWAKE_ACK_BLITTER_GEN9", 0x130044, [.readOnly, .volatile], .forcewake)
        add("ECOBUS", 0xA180, [], .forcewake)
        alias("FORCEWAKE_MT", "FORCEWAKE_BLITTER_GEN9")
        alias("FORCEWAKE_GT_GEN9", "FORCEWAKE_BLITTER_GEN9")
        alias("FORCEWAKE_ACK_HSW", "FORCEWAKE_ACK_BLITTER_GEN9")

        // Reset and TLBs.
        add("GEN6_GDRST", 0x941C, [.sideEffects, .volatile], .misc)
        alias("GDRST", "GEN6_GDRST")
        add("GEN8_M2TCR", 0x4268, [.sideEffects], .misc)  // VCS2 TLB (no VCS2 on Apollo Lake)

        // Fences: 64-bit, hold graphics addresses.
        for i in 0..<Reg.fenceCount {
            add("FENCE_REG_GEN6_\(i)", Reg.fence(i).rawValue, size: 8, [.graphicsAddress], .fence)
        }

        // Memory / GTT / errors.
        add("GAMW_ECO_DEV_RW_IA", 0x4080, [], .context)
        add("GAM_ECOCHK", 0x4090, [], .misc)
        add("GEN8_RING_FAULT_REG", 0x4094, [.volatile], .error)
        add("ERROR_GEN6", 0x40A0, [.writeOneToClear, .volatile], .error)
        add("DONE_REG", 0x40B0, [.readOnly, .volatile], .error)
        add("GEN8_PRIVATE_PAT_LO", 0x40E0, [], .context)
        add("GEN8_PRIVATE_PAT_HI", 0x40E4, [], .context)
        alias("PRIVATE_PAT1", "GEN8_PRIVATE_PAT_LO")
        alias("PRIVATE_PAT2", "GEN8_PRIVATE_PAT_HI")
        add("GEN8_FAULT_TLB_DATA0", 0x4B10, [.readOnly, .volatile], .error)
        add("GEN8_FAULT_TLB_DATA1", 0x4B14, [.readOnly, .volatile], .error)
        add("GAC_ECO_BITS", 0x14090, [], .misc)

        // Power management.
        add("GEN6_RPNSWREQ", 0xA008, [], .power)
        add("GEN6_RP_CONTROL", 0xA024, [], .power)
        add("GEN6_RC_CONTROL", 0xA090, [], .power)
        add("GEN6_RC_STATE", 0xA094, [], .power)
        add("GEN6_PMINTRMSK", 0xA168, reset: 0xFFFF_FFFF, [], .interrupt)
        add("GEN6_GT_CORE_STATUS", 0x138060, [.readOnly, .volatile], .power)
        add("GEN6_PCODE_MAILBOX", 0x138124, [.sideEffects, .volatile], .power)
        add("GEN6_PCODE_DATA", 0x138128, [.volatile], .power)
        add("GEN6_PCODE_DATA1", 0x13812C, [.volatile], .power)
    }
}
