import Foundation
import Testing
@testable import GPUModel

@Suite struct RegisterCatalogueTests {
    let cat = RegisterCatalogue.gen9

    @Test func sortedUniqueAndInRange() {
        let regs = cat.registers
        #expect(regs.count > 1000)
        for (a, b) in zip(regs, regs.dropFirst()) {
            #expect(a.end <= b.offset, "\(a.name) overlaps \(b.name)")
        }
        #expect(Set(regs.map(\.name)).count == regs.count)
        #expect(regs.allSatisfy { $0.end.rawValue <= RegisterCatalogue.mmioSize })
        #expect(regs.allSatisfy { $0.size == 4 || $0.size == 8 })
        // A masked register's reset value fits the low 16 bits; flags don't contradict.
        for r in regs {
            #expect(!(r.flags.contains(.readOnly) && r.flags.contains(.writeOnly)), "\(r.name)")
            #expect(!(r.flags.contains(.masked) && r.flags.contains(.writeOneToClear)), "\(r.name)")
        }
    }

    @Test func pvinfoIsNotHardware() {
        for offset in stride(from: UInt32(0x78000), to: 0x79000, by: 4) {
            #expect(cat.info(at: MMIOOffset(offset)) == nil)
        }
        #expect(!cat.registers.contains { $0.offset.rawValue >= 0x78000 && $0.offset.rawValue < 0x79000 })
    }

    @Test func everyRingRegisterExistsForEveryEngine() {
        for engine in EngineID.allCases {
            for reg in RingRegister.allCases where ![.bbPerCtxPtr, .indirectCtx, .indirectCtxOffset].contains(reg) {
                let offset = MMIOOffset.ring(reg, engine)
                let info = cat.info(at: offset)
                #expect(info?.offset == offset, "\(engine) \(reg)")
                #expect(info?.engine == engine, "\(engine) \(reg)")
                #expect(info?.name == engine.registerPrefix + "_" + reg.i915Name)
            }
            for i in 0..<csbEntryCount {
                #expect(cat.info(at: .csb(engine, entry: i))?.flags.contains(.readOnly) == true)
                #expect(cat.name(of: .csb(engine, entry: i, upper: true)) == "\(engine.registerPrefix)_RING_CONTEXT_STATUS_BUF_HI_\(i)")
            }
            for i in 0..<forceToNonPrivCount { #expect(cat.info(at: .forceToNonPriv(engine, i))?.engine == engine) }
            for i in 0..<mocsEntryCount { #expect(cat.info(at: .mocs(engine, i))?.group == .mocs) }
            for n in 0..<4 {
                #expect(cat.info(at: .pdp(engine, n, upper: false))?.flags.contains(.inContext) == true)
                #expect(cat.info(at: .pdp(engine, n, upper: true)) != nil)
            }
        }
        #expect(cat.info(at: .ring(.indirectCtx, .rcs)) != nil)
        #expect(cat.info(at: .ring(.indirectCtx, .bcs)) == nil)
    }

    @Test func knownOffsets() {
        #expect(cat.name(of: 0x2030) == "RCS_RING_TAIL")
        #expect(cat.name(of: 0x22030) == "BCS_RING_TAIL")
        #expect(cat.name(of: 0x12030) == "VCS_RING_TAIL")
        #expect(cat.name(of: 0x1A030) == "VECS_RING_TAIL")
        #expect(cat.name(of: 0x44200) == "GEN8_MASTER_IRQ")
        #expect(cat.name(of: 0x229C) == "RCS_RING_MODE")
        #expect(cat.register(named: "GFX_MODE")?.offset == 0x229C)
        #expect(cat.register(named: "GDRST")?.offset == Reg.gdrst)
        #expect(cat.register(named: "PIPEACONF")?.offset == Reg.pipeConf(.a))
        #expect(cat.register(named: "nonsense") == nil)
        let pairs: [(String, UInt32)] = [
            ("RCS_RING_IPEHR", 0x2068), ("RCS_RING_ACTHD", 0x2074), ("RCS_RING_HWS_PGA", 0x2080),
            ("RCS_RING_ELSP", 0x2230), ("RCS_RING_CONTEXT_STATUS_PTR", 0x23A0), ("RCS_RING_CTX_TIMESTAMP", 0x23A8),
            ("VECS_RING_EXCC", 0x1A028), ("RCS_MOCS_0", 0xC800), ("VCS_MOCS_0", 0xC900), ("VECS_MOCS_63", 0xCBFC),
            ("BCS_MOCS_0", 0xCC00), ("GEN9_LNCFCMOCS_0", 0xB020), ("RCS_TLB_INVALIDATE", 0x4260),
            ("BCS_TLB_INVALIDATE", 0x426C), ("GEN6_PCODE_MAILBOX", 0x138124), ("ERROR_GEN6", 0x40A0),
            ("GEN8_RING_FAULT_REG", 0x4094), ("GEN8_FAULT_TLB_DATA0", 0x4B10), ("GEN8_FAULT_TLB_DATA1", 0x4B14),
            ("RCS_RING_EIR", 0x20B0), ("PGTBL_ER", 0x2024), ("DONE_REG", 0x40B0), ("GEN8_PRIVATE_PAT_LO", 0x40E0),
            ("GEN8_PRIVATE_PAT_HI", 0x40E4), ("PS_DEPTH_COUNT", 0x2350), ("SDEIIR", 0xC4008),
            ("PCH_PORT_HOTPLUG", 0xC4030), ("GMBUS0", 0xC5100), ("GMBUS5", 0xC5120), ("DDI_BUF_CTL_B", 0x64100),
            ("DP_AUX_CH_CTL_A", 0x64010), ("DP_AUX_CH_DATA5_D", 0x64324), ("PIPE_FRMCOUNT_B", 0x71040),
            ("PIPE_FLIPCOUNT_C", 0x72044), ("PLANE_SURFLIVE_1_A", 0x701AC), ("PLANE_CTL_2_A", 0x70280),
            ("PLANE_SURF_3_C", 0x7239C), ("CUR_BASE_A", 0x70084), ("FORCEWAKE_RENDER_GEN9", 0xA278),
            ("FORCEWAKE_ACK_RENDER_GEN9", 0x0D84), ("FORCEWAKE_BLITTER_GEN9", 0xA188),
            ("FORCEWAKE_ACK_BLITTER_GEN9", 0x130044), ("FORCEWAKE_MEDIA_GEN9", 0xA270),
            ("FORCEWAKE_ACK_MEDIA_GEN9", 0x0D88), ("CACHE_MODE_1", 0x7004), ("GEN8_ROW_CHICKEN", 0xE4F0),
        ]
        for (name, offset) in pairs {
            #expect(cat.register(named: name)?.offset == MMIOOffset(offset), "\(name)")
            #expect(cat.name(of: MMIOOffset(offset)) == name)
        }
    }

    @Test func contextListMaskedFlags() {
        let masked: [UInt32] = [0x229C, 0x20C0, 0x7004, 0x7008, 0x7000, 0x7010, 0x7300, 0x83A4, 0x2580, 0x7014,
                                0x20EC, 0xE100, 0xE180, 0xE184, 0xE188, 0xE194, 0xE4F0, 0x7304, 0x20D4, 0x20E4,
                                0x2229C, 0x2209C, 0x220C0, 0x22028, 0x1A028]
        for o in masked { #expect(cat.info(at: MMIOOffset(o))?.flags.contains(.masked) == true, "\(hex(o))") }
        let plain: [UInt32] = [0x2248, 0x2098, 0x40E0, 0x40E4, 0xB118, 0x4DE0, 0x940C, 0x4AB8, 0x4AB0, 0xB004, 0x20A0, 0x22098]
        for o in plain {
            let info = cat.info(at: MMIOOffset(o))
            #expect(info != nil && info?.flags.contains(.masked) == false, "\(hex(o))")
        }
    }

    @Test func qwordRegistersAndLookups() {
        let fence = Reg.fence(3)
        #expect(cat.info(at: fence)?.size == 8)
        #expect(cat.name(of: fence) == "FENCE_REG_GEN6_3")
        #expect(cat.name(of: fence.advanced(by: 4)) == "FENCE_REG_GEN6_3+4")
        #expect(cat.info(at: fence.advanced(by: 4))?.offset == fence)
        #expect(cat.name(of: 0x2031) == nil)  // unaligned inside a dword register
        #expect(cat.info(at: MMIOOffset(RegisterCatalogue.mmioSize)) == nil)
        #expect(cat.info(at: MMIOOffset(0xFFFF_FFFC)) == nil)
        #expect(cat.name(of: 0x2004) == nil)  // a hole
        #expect(cat.registers(of: .vecs).allSatisfy { $0.engine == .vecs })
        #expect(cat.registers(in: .fence).count == Reg.fenceCount)
    }

    @Test func resetValues() {
        #expect(cat.register(named: "RCS_RING_CONTEXT_STATUS_PTR")?.resetValue == 0x7)
        #expect(cat.register(named: "GEN8_GT_IMR0")?.resetValue == 0xFFFF_FFFF)
        #expect(cat.register(named: "RCS_RING_TAIL")?.resetValue == 0)
        #expect(cat.register(named: "GEN8_MASTER_IRQ")?.readOnlyMask == 0x7FFF_FFFF)
    }

    /// Cross-check with IGT's register lists (Debian intel-gpu-tools), where installed: every
    /// IGT name we also know (directly, as alias, or with IGT's engine prefix translated) must
    /// sit at the same offset, and every engine-prefixed IGT offset we know must belong to
    /// that engine.
    @Test func agreesWithIGTRegisterLists() throws {
        let dir = "/usr/share/igt-gpu-tools/registers"
        let files = ["base_rings.txt", "base_other.txt", "gen8_interrupt.txt", "gen8_other.txt",
                     "skl_display.txt", "skl_powerwells.txt"]
        var entries: [(name: String, offset: UInt32)] = []
        for file in files {
            guard let text = try? String(contentsOfFile: dir + "/" + file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: "'")
                guard line.hasPrefix("("), fields.count >= 4,
                    let offset = UInt32(fields[3].dropFirst(2), radix: 16)
                else { continue }
                entries.append((String(fields[1]), offset))
            }
        }
        try #require(!entries.isEmpty || !FileManager.default.fileExists(atPath: dir), "IGT lists present but unparsable")
        guard !entries.isEmpty else { return }  // intel-gpu-tools not installed: nothing to compare
        let prefixes: [(igt: String, engine: EngineID)] = [("RENDER_", .rcs), ("BLT_", .bcs), ("BSD_", .vcs),
                                                          ("GEN6_BSD_", .vcs), ("GEN6_BLITTER_", .bcs)]
        var matched = 0
        for (name, offset) in entries {
            var candidates = [name]
            var engine: EngineID?
            for p in prefixes where name.hasPrefix(p.igt) {
                let rest = String(name.dropFirst(p.igt.count))
                engine = p.engine
                candidates += [p.engine.registerPrefix + "_" + rest, p.engine.registerPrefix + "_RING_" + rest]
            }
            if let info = candidates.lazy.compactMap({ cat.register(named: $0) }).first {
                matched += 1
                #expect(info.offset.rawValue == offset, "\(name): IGT \(hex(offset)), ours \(info.offset) (\(info.name))")
            }
            if let engine, let info = cat.info(at: MMIOOffset(offset)) {
                #expect(info.engine == engine, "\(name) at \(hex(offset)) belongs to \(engine), ours: \(info.name)")
            }
        }
        #expect(matched > 150, "only \(matched) IGT names matched")
    }
}
