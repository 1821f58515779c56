import Foundation
import GPUModel
import Hypervisor
import Mediator

/// The four isolation holes upstream GVT closed in 2019 (gvt-reference §9.3), played by a
/// guest through the trap path. Under the default revision `current` each is blocked;
/// under `gvt-2018` the first three reach memory or registers outside the attacker and the
/// isolation oracle reports them. The fourth (a GGTT range straddling the aperture and
/// hidden slices) is accepted by the `gvt-2018` audit only when both ends are the
/// attacker's; with the default slice layout nothing but other ranges lies between them, so
/// the scenario shows the audit's verdict rather than a write.
extension Scenarios {
    static let iso2019 = isolationScenario(
        "iso-2019", "the four 2019 holes (GFX_MODE privilege bit, CSFE_CHICKEN1 cross-engine bits, index stores, straddling ranges)",
        variants: [
            AttackVariant(name: "gfx-mode-privilege-bit") { c in
                // RING_MODE bit 0 (masked): privilege checks off, then an unscanned PPGTT batch
                // stores through the GGTT into the victim's canary.
                c.attacker.writel(MMIOOffset.ring(.mode, .rcs), 0x0001_0001)
                let failsafe = c.attackerFailsafe
                guard let batch = try? c.attacker.allocatePPGTT(pages: 1) else {
                    return AttackOutcome(blocked: true, "no RAM for the batch")
                }
                c.attacker.ramWrite(GuestPhysicalAddress(frame: batch.frame),
                                    CommandEncoder.storeDataImmediate(c.canary.aperture.advanced(by: 0x40), 0xBAD0_2019, ggtt: true)
                                        + CommandEncoder.batchEnd)
                let completed = c.attacker.submit(.rcs, CommandEncoder.batchStart(batch.gma, ppgtt: true)) && c.attacker.settle(.rcs)
                return AttackOutcome(blocked: true, "GFX_MODE bit 0 write \(failsafe ? "put the attacker in failsafe" : "accepted"); "
                                     + "PPGTT batch with a GGTT store \(completed ? "completed" : "did not complete")")
            },
            AttackVariant(name: "csfe-chicken1-cross-engine") { c in
                let bits = GPU.crossEngineAccessBits
                c.attacker.writel(GPU.csfeChicken1, bits << 16 | bits)
                let failsafe = c.attackerFailsafe
                // A render workload carries the vGPU's render MMIO context (CSFE_CHICKEN1) to the
                // host; the blitter LRI must run while it is there, so both are submitted at
                // once (and tried again if the victim's render work switched the context back).
                let target = MMIOOffset.csGPR(.rcs, 0), value: UInt32 = 0xBAD0_2019
                var reached = false
                for _ in 0..<4 where !reached {
                    let rcs = c.attacker.submit(.rcs, CommandEncoder.noop)
                    let bcs = c.attacker.submit(.bcs, CommandEncoder.loadRegisterImmediate([(target, value)]))
                    if rcs { c.attacker.settle(.rcs) }
                    if bcs { c.attacker.settle(.bcs) }
                    reached = c.hostRegister(target) == value
                }
                return AttackOutcome(blocked: !reached, "CSFE_CHICKEN1 write \(failsafe ? "put the attacker in failsafe" : "accepted"); "
                                     + "BCS LRI of the render GPR \(reached ? "reached the host register" : "had no effect")")
            },
            AttackVariant(name: "index-store-host-hwsp") { c in
                let value: UInt64 = 0xBAD0_2019
                let completed = c.attacker.submit(.rcs, CommandEncoder.pipeControl(store: value, at: 0x100, ggtt: true, storeIndex: true))
                    && c.attacker.settle(.rcs)
                let own = c.inspect { () -> UInt32? in
                    guard let vgpu = c.session.engine.mediator.vgpu(c.attacker.id) else { return nil }
                    let hwsp = vgpu.hwsPGA[EngineID.rcs.index].advanced(by: 0x100)
                    guard let gpa = c.session.engine.mediator.guestGGTTTranslate(vgpu, hwsp),
                          let bytes = c.session.engine.hypervisor.readGuest(c.attacker.id, gpa, count: 4) else { return nil }
                    return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
                }
                let redirected = own == UInt32(value)
                return AttackOutcome(blocked: true, "PIPE_CONTROL index store \(completed ? "completed" : "did not complete"); "
                                     + (redirected ? "landed in the attacker's own status page" : "not in the attacker's own status page"))
            },
            AttackVariant(name: "straddling-range") { c in
                // A qword GGTT store whose 8 bytes straddle the end of the aperture slice.
                let end = c.attacker.apertureSlice.upperBound
                let completed = c.attacker.submit(.rcs, CommandEncoder.storeDataImmediate64(GraphicsAddress(end - 4), 0xBAD0_2019_BAD0_2019,
                                                                                          ggtt: true))
                    && c.attacker.settle(.rcs)
                let failsafe = c.attackerFailsafe
                return AttackOutcome(blocked: true, "qword store at \(hex(end - 4)) straddling the aperture slice end "
                                     + "\(completed ? "ran" : "was rejected")\(failsafe ? " (attacker in failsafe)" : "")")
            },
        ])
}
