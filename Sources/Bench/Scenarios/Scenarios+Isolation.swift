import Foundation
import GPUModel
import Hypervisor
import Mediator

/// The isolation scenarios a guest plays through the trap path against a victim VM:
/// GGTT entries outside its slices or with invalid frames, page tables pointing at memory it
/// does not own, privileged stores into another vGPU's graphics memory, register loads
/// outside the whitelist.
extension Scenarios {
    // MARK: iso-ggtt-overrun

    static let isoGGTTOverrun = isolationScenario(
        "iso-ggtt-overrun", "a guest writes GGTT entries outside its slices and with invalid frame numbers, then stores through them",
        variants: [
            AttackVariant(name: "pte-outside-slices") { c in
                // The victim's canary pages, the host's low range and the last GGTT page.
                let indices = [Int(c.canary.aperture.pageNumber), Int(c.canary.hidden.pageNumber), 16, GGTT.entryCount - 1]
                let before = indices.map { c.hostPTE($0) }
                for index in indices { c.attacker.writePTE(index: UInt64(index), 16 << 12 | 0x3) }
                let after = indices.map { c.hostPTE($0) }
                let changed = zip(indices, zip(before, after)).filter { $0.1.0 != $0.1.1 }.map { hex(UInt64($0.0)) }
                return AttackOutcome(blocked: changed.isEmpty, changed.isEmpty
                    ? "\(indices.count) PTE writes outside the slices left the host GGTT unchanged"
                    : "host GGTT entries \(changed.joined(separator: ", ")) changed")
            },
            AttackVariant(name: "pte-invalid-gfn") { c in
                // Own aperture pages mapped to frames beyond RAM, to the MMIO BAR and to the
                // largest frame number, then filled by the blitter through those pages.
                let ram = UInt64(c.attacker.vm.ram.count)
                let gfns: [UInt64] = [ram, ram + 4096, c.attacker.vm.bar0Base >> 12, 0x7F_FFFF_F]
                var foreign: [String] = []
                for gfn in gfns {
                    guard let page = try? c.attacker.mapGGTT(pages: 1) else { break }
                    let index = Int(page.gma.pageNumber)
                    c.attacker.writePTE(index: UInt64(index), gfn << 12 | 0x3)
                    let entry = c.hostPTE(index)
                    let owner = c.inspect { c.session.engine.hypervisor.owner(of: entry.frame) }
                    if entry.isPresent, owner != .guest(c.attacker.id), owner != .host {
                        foreign.append("gfn \(hex(gfn)) -> \(owner)")
                    }
                    // A privileged store through that page (its own slice: the audit passes).
                    if c.attacker.submit(.rcs, CommandEncoder.storeDataImmediate(page.gma.advanced(by: 0x80), 0xBAD0_BAD0, ggtt: true)) {
                        c.attacker.settle(.rcs)
                    }
                }
                return AttackOutcome(blocked: foreign.isEmpty, foreign.isEmpty
                    ? "\(gfns.count) invalid frame numbers mapped to scratch or refused"
                    : "host GGTT maps \(foreign.joined(separator: ", "))")
            },
            AttackVariant(name: "pte-readback") { c in
                // Reading the victim's PTEs must not reveal host frame numbers.
                let index = Int(c.canary.aperture.pageNumber)
                let host = c.hostPTE(index)
                let seen = c.attacker.readPTE(index: UInt64(index))
                let leaked = host.isPresent && seen == host.rawValue
                return AttackOutcome(blocked: !leaked, leaked
                    ? "PTE read of the victim's page returned the host entry \(hex(seen))"
                    : "PTE read of the victim's page returned \(hex(seen)), not the host entry")
            },
        ])

    // MARK: iso-ppgtt-foreign

    /// Maps `gma` in the attacker's PPGTT to guest frame `gfn` (leaf) and stores through it
    /// from RCS (MI_STORE_DATA_IMM) and BCS (MI_FLUSH_DW post-sync).
    static func foreignPPGTTStores(_ c: AttackContext, gma: GraphicsAddress, gfn: UInt64, table: Bool) -> AttackOutcome {
        if table {
            // A page-directory pointer entry (level 3) naming a frame that is not the guest's.
            c.attacker.writePageTableEntry(table: c.attacker.pml4, index: (gma.rawValue >> 39) & 0x1FF, gfn << 12 | 0x3)
        } else {
            do { try c.attacker.mapPPGTT(gma, frame: GuestFrameNumber(gfn), pages: 1) } catch {
                return AttackOutcome(blocked: true, "guest ran out of RAM for page tables")
            }
        }
        var completed = 0
        if c.attacker.submit(.rcs, CommandEncoder.storeDataImmediate(gma, 0xBAD0_0001)) { completed += c.attacker.settle(.rcs) ? 1 : 0 }
        if c.attacker.submit(.bcs, CommandEncoder.flushDW(store: 0xBAD0_0002, at: gma.advanced(by: 8))) {
            completed += c.attacker.settle(.bcs) ? 1 : 0
        }
        return AttackOutcome(blocked: true, "\(table ? "table" : "leaf") entry to gfn \(hex(gfn)): \(completed)/2 stores completed")
    }

    static let isoPPGTTForeign = isolationScenario(
        "iso-ppgtt-foreign", "a guest's page tables point beyond its RAM, at its MMIO BAR and at frames it does not own; the GPU stores there",
        variants: [
            AttackVariant(name: "leaf-beyond-ram") { c in
                foreignPPGTTStores(c, gma: 0x20_0000_0000, gfn: UInt64(c.attacker.vm.ram.count), table: false)
            },
            AttackVariant(name: "leaf-far-gfn") { c in
                foreignPPGTTStores(c, gma: 0x20_0010_0000, gfn: 0xF_FFFF_FFF0 >> 4, table: false)
            },
            AttackVariant(name: "leaf-mmio-bar") { c in
                foreignPPGTTStores(c, gma: 0x20_0020_0000, gfn: c.attacker.vm.bar0Base >> 12, table: false)
            },
            AttackVariant(name: "table-beyond-ram") { c in
                foreignPPGTTStores(c, gma: 0x300_0000_0000, gfn: UInt64(c.attacker.vm.ram.count) + 7, table: true)
            },
        ])

    // MARK: iso-cmd-ggtt

    /// Submits `body` on `engine` (a privileged ring, or a batch the caller wrote) and says
    /// what the mediator did with it.
    static func privilegedStore(_ c: AttackContext, _ engine: EngineID, _ body: [UInt32], what: String) -> AttackOutcome {
        guard c.attacker.submit(engine, body) else { return AttackOutcome(blocked: true, "\(what): engine busy, not submitted") }
        let completed = c.attacker.settle(engine)
        let failsafe = c.attackerFailsafe
        return AttackOutcome(blocked: true, "\(what): \(completed ? "completed" : "did not complete")\(failsafe ? ", attacker in failsafe" : "")")
    }

    static let isoCmdGGTT = isolationScenario(
        "iso-cmd-ggtt", "privileged GGTT stores (SDI, PIPE_CONTROL, MI_FLUSH_DW, SRM, batch SDI) aimed at another vGPU's graphics memory",
        variants: [
            AttackVariant(name: "ring-sdi") { c in
                privilegedStore(c, .rcs, CommandEncoder.storeDataImmediate(c.canary.aperture, 0xBAD1, ggtt: true),
                                what: "ring MI_STORE_DATA_IMM to \(c.canary.aperture)")
            },
            AttackVariant(name: "batch-sdi") { c in
                c.work.write(CommandEncoder.storeDataImmediate(c.canary.hidden.advanced(by: 0x100), 0xBAD2, ggtt: true)
                             + CommandEncoder.batchEnd, frame: c.work.ggttBatch.frame)
                return privilegedStore(c, .rcs, CommandEncoder.batchStart(c.work.ggttBatch.gma, ppgtt: false),
                                       what: "GGTT batch MI_STORE_DATA_IMM to \(c.canary.hidden)")
            },
            AttackVariant(name: "pipe-control") { c in
                privilegedStore(c, .rcs, CommandEncoder.pipeControl(store: 0xBAD3, at: c.canary.aperture.advanced(by: 0x200), ggtt: true),
                                what: "PIPE_CONTROL post-sync to \(c.canary.aperture)")
            },
            AttackVariant(name: "flush-dw") { c in
                privilegedStore(c, .bcs, CommandEncoder.flushDW(store: 0xBAD4, at: c.canary.hidden.advanced(by: 0x300), ggtt: true),
                                what: "MI_FLUSH_DW post-sync to \(c.canary.hidden)")
            },
            AttackVariant(name: "srm") { c in
                privilegedStore(c, .rcs, CommandEncoder.storeRegisterMemory(MMIOOffset(0x2358), to: c.canary.aperture.advanced(by: 0x400),
                                                                             ggtt: true),
                                what: "MI_STORE_REGISTER_MEM to \(c.canary.aperture)")
            },
        ])

    // MARK: iso-lri-privileged

    /// Loads `value` into `offset` from `engine`'s ring; blocked if the host register does not
    /// end up holding `value`.
    static func privilegedLoad(_ c: AttackContext, _ engine: EngineID, _ offset: MMIOOffset, _ value: UInt32,
                               name: String) -> AttackOutcome {
        let resets = c.inspect { c.session.engine.tally.count("gpu.reset") }
        var outcome = privilegedStore(c, engine, CommandEncoder.loadRegisterImmediate([(offset, value)]),
                                      what: "LRI \(name) (\(offset)) := \(hex(value)) on \(engine)")
        let now = c.hostRegister(offset)
        let resetsAfter = c.inspect { c.session.engine.tally.count("gpu.reset") }
        if now == value && value != 0 {
            outcome = AttackOutcome(blocked: false, outcome.detail + "; host register holds it")
        } else if offset == Reg.gdrst && resetsAfter > resets {
            outcome = AttackOutcome(blocked: false, outcome.detail + "; the host GPU reset")
        }
        return outcome
    }

    static let isoLRIPrivileged = isolationScenario(
        "iso-lri-privileged", "MI_LOAD_REGISTER_IMM to registers outside the whitelist: GDRST, HWS_PGA, another engine's ring, fences, interrupts",
        variants: [
            AttackVariant(name: "gdrst") { c in privilegedLoad(c, .rcs, Reg.gdrst, 0x1, name: "GDRST") },
            AttackVariant(name: "hws-pga") { c in
                privilegedLoad(c, .rcs, MMIOOffset.ring(.hwsPGA, .rcs), UInt32(truncatingIfNeeded: c.canary.aperture.rawValue),
                               name: "HWS_PGA")
            },
            AttackVariant(name: "other-ring") { c in
                privilegedLoad(c, .rcs, MMIOOffset.ring(.start, .bcs), UInt32(truncatingIfNeeded: c.canary.hidden.rawValue),
                               name: "BCS RING_START")
            },
            AttackVariant(name: "fence") { c in privilegedLoad(c, .rcs, Reg.fence(0), 0xBAD0_1001, name: "FENCE 0") },
            AttackVariant(name: "interrupt-mask") { c in
                privilegedLoad(c, .bcs, InterruptBank.gt0.imr, 0xBAD0_FFFF, name: "GT0 IMR")
            },
        ])
}
