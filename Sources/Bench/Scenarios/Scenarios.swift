import Foundation
import GPUModel
import Hypervisor
import Mediator

/// The bench's scenarios (`gvtrr benches`).
public enum Scenarios {
    /// Every scenario, in listing order.
    public static let all: [Scenario] = [smoke, multiVM, hangSemaphore, hangBBLoop, isoGGTTOverrun, isoPPGTTForeign,
                                         isoCmdGGTT, isoLRIPrivileged, iso2019, fuzz]

    /// The scenario called `name`.
    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }

    /// Boots a guest with display and workloads; nil (and a boot failure noted) on error.
    static func bootGuest(_ session: BenchSession, _ guest: GuestDriver) -> GuestWorkloads? {
        do {
            try guest.boot()
            try guest.setUpDisplay()
            return try GuestWorkloads(guest)
        } catch {
            session.bootFailed(guest, error)
            return nil
        }
    }

    static let smoke = Scenario(
        name: "smoke", summary: "one VM boots through the trap path, renders on every engine, fills its screen and flips",
        defaultVMs: 1
    ) { parameters in
        let session = try BenchSession(scenario: "smoke", parameters: parameters, defaultVMs: 1)
        let ops = session.ops(default: 24), seconds = session.seconds(default: 3)
        return session.run { guest, _ in
            guard let work = bootGuest(session, guest) else { return }
            var rng = SplitMix64(seed: parameters.seed &+ UInt64(guest.number))
            // Paint all four bands of both buffers first, so the screen is the VM's.
            for _ in 0..<2 {
                for band in 0..<4 {
                    while !guest.submit(.bcs, work.fill(band: band)) { guest.drain(timeout: 0.5) }
                }
                guest.drain()
                guest.flip()
                guest.waitForVblank()
            }
            guest.runLoop(work, engines: EngineID.allCases, ops: ops, deadline: .now + .milliseconds(Int(seconds * 1000)),
                          flips: false, rng: &rng)
        }
    }

    static let multiVM = Scenario(
        name: "multi-vm", summary: "several VMs of mixed types with mixed workloads contending for the four engines",
        defaultVMs: 3
    ) { parameters in
        let session = try BenchSession(scenario: "multi-vm", parameters: parameters, defaultVMs: 3,
                                       defaultTypes: [.v5_4, .v5_8, .v5_2])
        let ops = session.ops(default: 40), seconds = session.seconds(default: 4)
        return session.run { guest, k in
            guard let work = bootGuest(session, guest) else { return }
            var rng = SplitMix64(seed: parameters.seed &* 31 &+ UInt64(k))
            var engines = EngineID.allCases.filter { _ in rng.next() % 3 != 0 }
            if !engines.contains(.bcs) { engines.append(.bcs) }
            guest.runLoop(work, engines: engines, ops: ops, deadline: .now + .milliseconds(Int(seconds * 1000)), rng: &rng)
        }
    }

    /// Submits a hanging RCS batch, waits for the guest's hangcheck and GDRST, then checks
    /// that new work completes.
    static func hangScenario(_ name: String, _ summary: String, hang: @escaping @Sendable (GuestWorkloads) -> [UInt32]) -> Scenario {
        Scenario(name: name, summary: summary, defaultVMs: 1) { parameters in
            let session = try BenchSession(scenario: name, parameters: parameters, defaultVMs: 1)
            let ops = session.ops(default: 8), seconds = session.seconds(default: 4)
            return session.run { guest, _ in
                guard let work = bootGuest(session, guest) else { return }
                var rng = SplitMix64(seed: parameters.seed)
                guest.runLoop(work, engines: [.bcs], ops: 4, deadline: .now + .seconds(1), rng: &rng)
                guard guest.submit(.rcs, hang(work)) else {
                    session.note("the hanging batch could not be submitted (RCS busy)")
                    return
                }
                // The guest's hangcheck samples every 100 ms (12 samples before a reset, as
                // i915's is much slower than the host's); the host's runs every 10 ms and
                // declares a semaphore wait after 3 samples, a loop after 12, so the host
                // declares the hang and fails the workload first, even on a loaded machine.
                let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
                while guest.stats.gdrstResets == 0 && ContinuousClock.now < end && !guest.engine.stopRequested {
                    guest.handleInterrupts()
                    guest.processCompletions()
                    let hostHangs = session.engine.enter { session.engine.tally.hangs.count }
                    if !guest.hangcheck().isEmpty && hostHangs == 0 {
                        session.note("the guest reset RCS before the host declared the hang")
                    }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                let before = guest.stats.completed
                guest.runLoop(work, engines: EngineID.allCases, ops: ops, deadline: .now + .seconds(2), flips: false, rng: &rng)
                session.completedAfterReset(guest.stats.completed - before)
            }
        }
    }

    static let hangSemaphore = hangScenario(
        "hang-semaphore", "a PPGTT batch waits on a semaphore that is never signalled; host hangcheck, guest GDRST, recovery"
    ) { work in work.semaphoreHang() }

    static let hangBBLoop = hangScenario(
        "hang-bb-loop", "a PPGTT batch jumps to itself forever; host hangcheck, guest GDRST, recovery"
    ) { work in work.loopHang() }
}

extension GuestWorkloads {
    /// A PPGTT batch that waits for its data page to hold 0xDEAD (never written).
    public func semaphoreHang() -> [UInt32] {
        let batch = CommandEncoder.semaphoreWait(data.gma.advanced(by: 0x800), data: 0xDEAD) + CommandEncoder.batchEnd
        write(batch, frame: batches.frame, page: 3)
        return CommandEncoder.batchStart(batches.gma.advanced(by: 0x3000), ppgtt: true)
    }

    /// A PPGTT batch whose first command jumps back to itself.
    public func loopHang() -> [UInt32] {
        let start = batches.gma.advanced(by: 0x3000)
        write(CommandEncoder.arbCheck + CommandEncoder.batchStart(start, ppgtt: true), frame: batches.frame, page: 3)
        return CommandEncoder.batchStart(start, ppgtt: true)
    }
}
