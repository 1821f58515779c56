import Foundation
import GPUModel
import Hypervisor
import Mediator

/// A seeded adversarial guest mixed with benign ones: random MMIO reads and writes of every
/// instruction form, GGTT PTE writes anywhere in the table, PCI config accesses, and random
/// command buffers (table-valid headers with random fields, and raw random dwords)
/// submitted through ELSP. Nothing it does may crash the engine, and under `current` the
/// isolation oracle stays clean.
extension Scenarios {
    /// What the fuzzer does, one op at a time.
    enum FuzzOp: CaseIterable {
        case mmioRead, mmioWrite, ptewrite, config, commands
    }

    /// Registers the fuzzer favours (the rest of its MMIO is uniform over BAR0's register range).
    static let fuzzRegisters: [MMIOOffset] = [
        Reg.gdrst, Reg.masterIRQ, GPU.csfeChicken1, MMIOOffset.ring(.mode, .rcs), MMIOOffset.ring(.hwsPGA, .bcs),
        MMIOOffset.ring(.elsp, .rcs), MMIOOffset.ring(.tail, .vcs), MMIOOffset.ring(.start, .vecs), Reg.fence(0), Reg.fence(7),
        InterruptBank.gt0.imr, InterruptBank.gt0.iir, Reg.planeSurf(.a, 1), Reg.pipeConf(.a), MMIOOffset(0x78818), MMIOOffset(0x78838),
    ]

    /// Command names the fuzzer builds table-valid headers from.
    static let fuzzCommands = ["MI_STORE_DATA_IMM", "MI_LOAD_REGISTER_IMM", "MI_BATCH_BUFFER_START", "MI_SEMAPHORE_WAIT",
                               "MI_STORE_REGISTER_MEM", "MI_LOAD_REGISTER_MEM", "MI_FLUSH_DW", "PIPE_CONTROL", "MI_ATOMIC",
                               "MI_CONDITIONAL_BATCH_BUFFER_END", "MI_DISPLAY_FLIP", "MI_REPORT_PERF_COUNT", "XY_COLOR_BLT",
                               "XY_SRC_COPY_BLT", "MI_STORE_DATA_INDEX", "MI_LOAD_REGISTER_REG", "3DSTATE_VF", "MFX_WAIT"]

    /// A random command buffer for `engine`: table-valid commands with random dwords, or raw noise.
    static func fuzzBody(_ engine: EngineID, rng: inout SplitMix64) -> [UInt32] {
        var body: [UInt32] = []
        for _ in 0..<(1 + Int(rng.next() % 6)) {
            if rng.next() % 4 == 0 {
                body += (0..<(1 + Int(rng.next() % 8))).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
                continue
            }
            let name = fuzzCommands[Int(rng.next() % UInt64(fuzzCommands.count))]
            guard var command = TableCommand.make(name, engine: engine) else { continue }
            for k in 1..<max(command.count, 1) { command[k] = UInt32(truncatingIfNeeded: rng.next()) }
            if rng.next() % 8 == 0 { command[0] ^= UInt32(1) << UInt32(rng.next() % 24) }
            body += command
        }
        return body
    }

    static let fuzz = Scenario(
        name: "fuzz", summary: "a seeded adversarial guest (random MMIO, GGTT PTEs, PCI config, command buffers via ELSP) among benign VMs",
        defaultVMs: 3
    ) { parameters in
        let session = try BenchSession(scenario: "fuzz", parameters: parameters, defaultVMs: 3, defaultTypes: [.v5_8, .v5_4])
        let ops = session.ops(default: 300), seconds = session.seconds(default: 3)
        let works = StageState()
        return session.run(prepare: { guest, k in
            works.works[k] = bootGuest(session, guest)
        }) { guest, k in
            var rng = SplitMix64(seed: parameters.seed &* 0x2545_F491 &+ UInt64(k))
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            guard k == 0 else {
                guard let work = works.works[k] else { return }
                guest.runLoop(work, engines: EngineID.allCases, ops: ops / 10 + 8, deadline: deadline, rng: &rng)
                return
            }
            var done = 0, submitted = 0, reboots = 0
            let maxReboots = 32
            while done < ops && ContinuousClock.now < deadline {
                done += 1
                switch FuzzOp.allCases[Int(rng.next() % UInt64(FuzzOp.allCases.count))] {
                case .mmioRead:
                    let forms = MMIOForm.allCases.filter { !$0.isWrite && $0.index == nil }
                    let form = forms[Int(rng.next() % UInt64(forms.count))]
                    let offset = rng.next() % 2 == 0 ? UInt64(fuzzRegisters[Int(rng.next() % UInt64(fuzzRegisters.count))].rawValue)
                                                     : rng.next() % 0x10_0000 & ~UInt64(form.size - 1)
                    _ = guest.execute(form, base: guest.bar0, disp: Int32(offset))
                case .mmioWrite:
                    let forms = MMIOForm.allCases.filter { $0.isWrite && $0.index == nil }
                    let form = forms[Int(rng.next() % UInt64(forms.count))]
                    let offset = rng.next() % 2 == 0 ? UInt64(fuzzRegisters[Int(rng.next() % UInt64(fuzzRegisters.count))].rawValue)
                                                     : rng.next() % 0x10_0000 & ~UInt64(form.size - 1)
                    let value = rng.next()
                    guest.execute(form, base: guest.bar0, disp: Int32(offset), value: value, immediate: UInt32(truncatingIfNeeded: value))
                case .ptewrite:
                    let index = rng.next() % 2 == 0 ? rng.next() % UInt64(GGTT.entryCount)
                                                    : (guest.apertureSlice.lowerBound >> 12) + rng.next() % 64
                    let value = rng.next() % 2 == 0 ? rng.next() : (rng.next() % 4096) << 12 | 0x3
                    guest.writePTE(index: index, value)
                case .config:
                    let size = [1, 2, 4][Int(rng.next() % 3)]
                    let offset = Int(rng.next() % 256) & ~(size - 1)
                    // BAR placement and memory decode stay as probed: moving BAR0 would only
                    // stop the fuzzer's own traps.
                    let protected = (0x04..<0x08).contains(offset) || (0x10..<0x28).contains(offset)
                    if rng.next() % 2 == 0 || protected {
                        _ = guest.config(offset, size: size)
                    } else {
                        _ = guest.config(offset, size: size, write: UInt32(truncatingIfNeeded: rng.next()))
                    }
                case .commands:
                    let engine = EngineID.allCases[Int(rng.next() % 4)]
                    if guest.submit(engine, fuzzBody(engine, rng: &rng)) {
                        submitted += 1
                        guest.settle(engine, timeout: 0.3)
                    }
                }
                if done % 16 == 0 {
                    guest.handleInterrupts()
                    guest.processCompletions()
                    if reboots < maxReboots && session.engine.enter({ session.engine.mediator.vgpu(guest.id)?.failsafe != nil }) {
                        // The VM reboots: device-model-level reset (clears failsafe), fresh boot.
                        reboots += 1
                        session.engine.perform(.resetVGPU(guest.id))
                        guest.nextFrame = 16
                        do { try guest.boot() } catch {
                            session.note("fuzzer reboot \(reboots) failed: \(error)")
                            break
                        }
                    }
                }
            }
            session.note("fuzzer: \(done) ops, \(submitted) command buffers submitted, \(reboots) reboots after failsafe, "
                         + "\(guest.stats.decodeErrors) decode errors")
        }
    }
}
