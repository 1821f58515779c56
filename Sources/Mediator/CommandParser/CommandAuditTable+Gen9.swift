import GPUModel

// Facts: GVT `cmd_parser.c` `cmd_info[]` rows for BDW+/SKL+ (name, rings, F_LEN_* and length
// bits, valid_len, handler), attached by name to the GPU model's command table.

extension CommandAuditTable {
    /// The Gen9 (Apollo Lake) parser table.
    public static let gen9 = CommandAuditTable(rules: gen9Rules)

    /// GVT rows for commands the Gen9 command table does not have (older-generation or
    /// reserved opcodes): GVT decodes them, this parser reports them as unknown (-EBADRQC).
    public static let gvtRowsWithoutGen9Command: [String] = [
        "3DSTATE_DEPTH_STENCIL_STATE_POINTERS", "3DSTATE_DX9_CONSTANTF_VS", "3DSTATE_DX9_CONSTANTF_PS",
        "3DSTATE_DX9_CONSTANTI_VS", "3DSTATE_DX9_CONSTANTI_PS", "3DSTATE_DX9_CONSTANTB_VS",
        "3DSTATE_DX9_CONSTANTB_PS", "3DSTATE_DX9_LOCAL_VALID_VS", "3DSTATE_DX9_LOCAL_VALID_PS",
        "3DSTATE_DX9_GENERATE_ACTIVE_VS", "3DSTATE_DX9_GENERATE_ACTIVE_PS", "3DSTATE_GS_SVB_INDEX",
        "3DSTATE_DX9_CONSTANT_BUFFER_POOL_ALLOC", "3DSTATE_VF_STATISTICS (0x780B)", "MEDIA_GATEWAY_STATE",
        "MEDIA_POOL_STATE", "OP_2_0_0_5", "MFX_AVC_QM_STATE", "MFX_MPEG2_QM_STATE", "MFX_2_6_0_0",
        "MFX_2_6_0_8", "MFX_2_6_0_9",
    ]

    private static let v6 = LengthRule.variable(bits: 6, bias: 2)
    private static let v8 = LengthRule.variable(bits: 8, bias: 2)
    private static let v9 = LengthRule.variable(bits: 9, bias: 2)
    private static let v10 = LengthRule.variable(bits: 10, bias: 2)
    private static let v12 = LengthRule.variable(bits: 12, bias: 2)
    private static let v16 = LengthRule.variable(bits: 16, bias: 2)
    private static let c1 = LengthRule.fixed(1)

    /// GVT's rows, in `cmd_info[]` order.
    static let gen9Rules: [CommandAuditRule] = miRules + blitterRules + renderRules + mfxRules + veboxRules

    /// MI_* (all engines unless noted).
    static let miRules: [CommandAuditRule] = [
        .init("MI_NOOP", .all, c1),
        .init("MI_SET_PREDICATE", .all, c1),
        .init("MI_USER_INTERRUPT", .all, c1, handler: .userInterrupt),
        .init("MI_WAIT_FOR_EVENT", [.rcs, .bcs], c1, handler: .waitForEvent),
        .init("MI_FLUSH", .all, c1),
        .init("MI_ARB_CHECK", .all, c1),
        .init("MI_RS_CONTROL", .rcs, c1),
        .init("MI_REPORT_HEAD", .all, c1),
        .init("MI_ARB_ON_OFF", .all, c1),
        .init("MI_URB_ATOMIC_ALLOC", .rcs, c1),
        .init("MI_BATCH_BUFFER_END", .all, c1, flags: .ipAdvanceCustom, handler: .batchBufferEnd),
        .init("MI_SUSPEND_FLUSH", .all, c1),
        .init("MI_PREDICATE", .rcs, c1),
        .init("MI_TOPOLOGY_FILTER", .all, c1),
        .init("MI_SET_APPID", .all, c1),
        .init("MI_RS_CONTEXT", .rcs, c1),
        .init("MI_DISPLAY_FLIP", [.rcs, .bcs], v8, flags: .postHandle, handler: .displayFlip),
        .init("MI_SEMAPHORE_MBOX", .all, v8, valid: 3),
        .init("MI_MATH", .all, v8),
        .init("MI_URB_CLEAR", .rcs, v8, valid: 2),
        .init("MI_SEMAPHORE_SIGNAL", .all, v8, valid: 2),
        .init("MI_SEMAPHORE_WAIT", .all, v8, valid: 4, handler: .unexpected),
        .init("MI_STORE_DATA_IMM", .all, v10, handler: .storeDataImmediate),
        .init("MI_STORE_DATA_INDEX", .all, v8, handler: .unexpected),
        .init("MI_LOAD_REGISTER_IMM", .all, v8, handler: .loadRegisterImmediate),
        .init("MI_UPDATE_GTT", .all, v10, handler: .unexpected),
        .init("MI_STORE_REGISTER_MEM", .all, v8, valid: 4, handler: .storeRegisterMemory),
        .init("MI_FLUSH_DW", .all, v6, handler: .flushDW),
        .init("MI_CLFLUSH", .all, v10, handler: .unexpected),
        .init("MI_REPORT_PERF_COUNT", .all, v6, valid: 4, handler: .unexpected),
        .init("MI_LOAD_REGISTER_MEM", .all, v8, valid: 4, handler: .loadRegisterMemory),
        .init("MI_LOAD_REGISTER_REG", .all, v8, valid: 3, handler: .loadRegisterRegister),
        .init("MI_RS_STORE_DATA_IMM", .rcs, v8, valid: 4),
        .init("MI_LOAD_URB_MEM", .rcs, v8, valid: 4),
        .init("MI_STORE_URB_MEM", gvt: "MI_STORE_URM_MEM", .rcs, v8),
        .init("MI_COPY_MEM_MEM", gvt: "MI_OP_2E", .all, v8, valid: 5, handler: .unexpected),
        .init("MI_ATOMIC", gvt: "MI_OP_2F", .all, v8, handler: .atomic),
        .init("MI_BATCH_BUFFER_START", .all, v8, flags: .ipAdvanceCustom, handler: .batchBufferStart),
        .init("MI_CONDITIONAL_BATCH_BUFFER_END", .all, v8, valid: 4, handler: .unexpected),
        .init("MI_LOAD_SCAN_LINES_INCL", [.rcs, .bcs], .fixed(2)),
    ]

    /// XY_* blits (BCS). GVT has no row for XY_FAST_COPY_BLT: it is unknown to the parser.
    static let blitterRules: [CommandAuditRule] = [
        "XY_SETUP_BLT", "XY_SETUP_CLIP_BLT", "XY_SETUP_MONO_PATTERN_SL_BLT", "XY_PIXEL_BLT", "XY_SCANLINES_BLT",
        "XY_TEXT_BLT", "XY_TEXT_IMMEDIATE_BLT", "XY_COLOR_BLT", "XY_PAT_BLT", "XY_MONO_PAT_BLT", "XY_SRC_COPY_BLT",
        "XY_MONO_SRC_COPY_BLT", "XY_FULL_BLT", "XY_FULL_MONO_SRC_BLT", "XY_FULL_MONO_PATTERN_BLT",
        "XY_FULL_MONO_PATTERN_MONO_SRC_BLT", "XY_MONO_PAT_FIXED_BLT", "XY_MONO_SRC_COPY_IMMEDIATE_BLT",
        "XY_PAT_BLT_IMMEDIATE", "XY_SRC_COPY_CHROMA_BLT", "XY_FULL_IMMEDIATE_PATTERN_BLT",
        "XY_FULL_MONO_SRC_IMMEDIATE_PATTERN_BLT", "XY_PAT_CHROMA_BLT", "XY_PAT_CHROMA_BLT_IMMEDIATE",
    ].map { CommandAuditRule($0, .bcs, v8) }

    /// 3D and media (RCS), PIPE_CONTROL.
    static let renderRules: [CommandAuditRule] = {
        var rules: [CommandAuditRule] = [
            "3DSTATE_VIEWPORT_STATE_POINTERS_SF_CLIP", "3DSTATE_VIEWPORT_STATE_POINTERS_CC",
            "3DSTATE_BLEND_STATE_POINTERS", "3DSTATE_BINDING_TABLE_POINTERS_VS", "3DSTATE_BINDING_TABLE_POINTERS_HS",
            "3DSTATE_BINDING_TABLE_POINTERS_DS", "3DSTATE_BINDING_TABLE_POINTERS_GS",
            "3DSTATE_BINDING_TABLE_POINTERS_PS", "3DSTATE_SAMPLER_STATE_POINTERS_VS",
            "3DSTATE_SAMPLER_STATE_POINTERS_HS", "3DSTATE_SAMPLER_STATE_POINTERS_DS",
            "3DSTATE_SAMPLER_STATE_POINTERS_GS", "3DSTATE_SAMPLER_STATE_POINTERS_PS", "3DSTATE_URB_VS",
            "3DSTATE_URB_HS", "3DSTATE_URB_DS", "3DSTATE_URB_GS", "3DSTATE_GATHER_CONSTANT_VS",
            "3DSTATE_GATHER_CONSTANT_GS", "3DSTATE_GATHER_CONSTANT_HS", "3DSTATE_GATHER_CONSTANT_DS",
            "3DSTATE_GATHER_CONSTANT_PS",
        ].map { CommandAuditRule($0, .rcs, v8) }
        rules += ["3DSTATE_BINDING_TABLE_EDIT_VS", "3DSTATE_BINDING_TABLE_EDIT_GS", "3DSTATE_BINDING_TABLE_EDIT_HS",
                  "3DSTATE_BINDING_TABLE_EDIT_DS", "3DSTATE_BINDING_TABLE_EDIT_PS"].map { CommandAuditRule($0, .rcs, v9) }
        rules += [
            "3DSTATE_VF_INSTANCING", "3DSTATE_VF_SGVS", "3DSTATE_VF_TOPOLOGY", "3DSTATE_WM_CHROMAKEY",
            "3DSTATE_PS_BLEND", "3DSTATE_WM_DEPTH_STENCIL", "3DSTATE_PS_EXTRA", "3DSTATE_RASTER", "3DSTATE_SBE_SWIZ",
            "3DSTATE_WM_HZ_OP", "3DSTATE_VERTEX_BUFFERS", "3DSTATE_VERTEX_ELEMENTS", "3DSTATE_INDEX_BUFFER",
        ].map { CommandAuditRule($0, .rcs, v8) }
        // GVT's "3DSTATE_VF_STATISTICS_GM45" (0x680B, R_ALL): genxml's 3DSTATE_VF_STATISTICS.
        rules.append(CommandAuditRule("3DSTATE_VF_STATISTICS", gvt: "3DSTATE_VF_STATISTICS_GM45", .all, c1))
        rules += [
            "3DSTATE_VF", "3DSTATE_CC_STATE_POINTERS", "3DSTATE_SCISSOR_STATE_POINTERS", "3DSTATE_GS", "3DSTATE_CLIP",
            "3DSTATE_WM", "3DSTATE_CONSTANT_GS", "3DSTATE_CONSTANT_PS", "3DSTATE_SAMPLE_MASK", "3DSTATE_CONSTANT_HS",
            "3DSTATE_CONSTANT_DS", "3DSTATE_HS", "3DSTATE_TE", "3DSTATE_DS", "3DSTATE_STREAMOUT", "3DSTATE_SBE",
            "3DSTATE_PS", "3DSTATE_DRAWING_RECTANGLE", "3DSTATE_SAMPLER_PALETTE_LOAD0", "3DSTATE_CHROMA_KEY",
            "3DSTATE_DEPTH_BUFFER", "3DSTATE_POLY_STIPPLE_OFFSET", "3DSTATE_POLY_STIPPLE_PATTERN",
            "3DSTATE_LINE_STIPPLE",
        ].map { CommandAuditRule($0, .rcs, v8) }
        rules.append(CommandAuditRule("3DSTATE_AA_LINE_PARAMETERS", gvt: "3DSTATE_AA_LINE_PARAMS", .rcs, v8))
        rules += [
            "3DSTATE_SAMPLER_PALETTE_LOAD1", "3DSTATE_MULTISAMPLE", "3DSTATE_STENCIL_BUFFER",
            "3DSTATE_HIER_DEPTH_BUFFER", "3DSTATE_CLEAR_PARAMS", "3DSTATE_PUSH_CONSTANT_ALLOC_VS",
            "3DSTATE_PUSH_CONSTANT_ALLOC_HS", "3DSTATE_PUSH_CONSTANT_ALLOC_DS", "3DSTATE_PUSH_CONSTANT_ALLOC_GS",
            "3DSTATE_PUSH_CONSTANT_ALLOC_PS", "3DSTATE_MONOFILTER_SIZE",
        ].map { CommandAuditRule($0, .rcs, v8) }
        rules.append(CommandAuditRule("3DSTATE_SO_DECL_LIST", .rcs, v9))
        rules += ["3DSTATE_SO_BUFFER", "3DSTATE_BINDING_TABLE_POOL_ALLOC", "3DSTATE_GATHER_POOL_ALLOC",
                  "3DSTATE_SAMPLE_PATTERN"].map { CommandAuditRule($0, .rcs, v8) }
        rules.append(CommandAuditRule("PIPE_CONTROL", .rcs, v8, handler: .pipeControl))
        rules.append(CommandAuditRule("3DPRIMITIVE", .rcs, v8))
        rules.append(CommandAuditRule("PIPELINE_SELECT", .rcs, c1))
        rules += ["STATE_PREFETCH", "STATE_SIP", "STATE_BASE_ADDRESS"].map { CommandAuditRule($0, .rcs, v8) }
        rules.append(CommandAuditRule("GPGPU_CSR_BASE_ADDRESS", gvt: "OP_3D_MEDIA_0_1_4", .rcs, v8))
        rules += ["3DSTATE_VS", "3DSTATE_SF", "3DSTATE_CONSTANT_VS"].map { CommandAuditRule($0, .rcs, v8) }
        rules.append(CommandAuditRule("3DSTATE_VF_COMPONENT_PACKING", gvt: "3DSTATE_COMPONENT_PACKING", .rcs, v8))
        rules += ["MEDIA_INTERFACE_DESCRIPTOR_LOAD", "MEDIA_STATE_FLUSH", "MEDIA_OBJECT", "MEDIA_CURBE_LOAD",
                  "MEDIA_OBJECT_PRT", "MEDIA_OBJECT_WALKER"].map { CommandAuditRule($0, .rcs, v16) }
        rules.append(CommandAuditRule("GPGPU_WALKER", .rcs, v8))
        rules.append(CommandAuditRule("MEDIA_VFE_STATE", .rcs, v16))
        return rules
    }()

    /// MFX (VCS). MFX_WAIT keeps GVT's 6-bit length with bias 2 (genxml: bias 1).
    static let mfxRules: [CommandAuditRule] = {
        var rules = [
            "MFX_PIPE_MODE_SELECT", "MFX_SURFACE_STATE", "MFX_PIPE_BUF_ADDR_STATE", "MFX_IND_OBJ_BASE_ADDR_STATE",
            "MFX_BSP_BUF_BASE_ADDR_STATE", "MFX_STATE_POINTER", "MFX_QM_STATE", "MFX_FQM_STATE",
            "MFX_PAK_INSERT_OBJECT", "MFX_STITCH_OBJECT", "MFD_IT_OBJECT",
        ].map { CommandAuditRule($0, .vcs, v12) }
        rules.append(CommandAuditRule("MFX_WAIT", .vcs, v6))
        rules += [
            "MFX_AVC_IMG_STATE", "MFX_AVC_DIRECTMODE_STATE", "MFX_AVC_SLICE_STATE", "MFX_AVC_REF_IDX_STATE",
            "MFX_AVC_WEIGHTOFFSET_STATE", "MFD_AVC_PICID_STATE", "MFD_AVC_DPB_STATE", "MFD_AVC_BSD_OBJECT",
            "MFD_AVC_SLICEADDR", "MFC_AVC_PAK_OBJECT", "MFX_VC1_PRED_PIPE_STATE", "MFX_VC1_DIRECTMODE_STATE",
            "MFD_VC1_SHORT_PIC_STATE", "MFD_VC1_LONG_PIC_STATE", "MFD_VC1_BSD_OBJECT", "MFC_MPEG2_SLICEGROUP_STATE",
            "MFC_MPEG2_PAK_OBJECT", "MFX_MPEG2_PIC_STATE", "MFD_MPEG2_BSD_OBJECT", "MFX_JPEG_PIC_STATE",
            "MFX_JPEG_HUFF_TABLE_STATE", "MFD_JPEG_BSD_OBJECT",
        ].map { CommandAuditRule($0, .vcs, v12) }
        return rules
    }()

    /// VEBOX (VECS).
    static let veboxRules: [CommandAuditRule] = [
        CommandAuditRule("VEB_STATE", gvt: "VEBOX_STATE", .vecs, v12),
        CommandAuditRule("VEB_SURFACE_STATE", gvt: "VEBOX_SURFACE_STATE", .vecs, v12),
        CommandAuditRule("VEB_DI_IECP", .vecs, v12),
    ]
}
