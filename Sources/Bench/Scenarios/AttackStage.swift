import Foundation
import GPUModel
import Hypervisor
import Mediator

/// Pages a victim guest fills with a known pattern and never touches again: one in its
/// aperture slice, one in its hidden slice. Attacks aim at them; a changed canary is a
/// breach whatever the oracle says.
public struct Canary: Sendable, Hashable {
    /// Graphics addresses (GGTT) of the two pages.
    public var aperture: GraphicsAddress
    public var hidden: GraphicsAddress
    /// The guest frames behind them.
    public var apertureFrame: GuestFrameNumber
    public var hiddenFrame: GuestFrameNumber
    /// The dword every canary slot holds.
    public static let pattern: UInt32 = 0xC0DE_CAFE
}

/// What one attack did: whether its effect stayed inside the attacker, and what was seen.
public struct AttackOutcome: Sendable, Hashable {
    /// True if nothing outside the attacker changed.
    public var blocked: Bool
    /// What happened, in words (the breach line when not blocked).
    public var detail: String

    /// An outcome.
    public init(blocked: Bool, _ detail: String) {
        self.blocked = blocked
        self.detail = detail
    }
}

/// One attack a guest plays against a victim.
public struct AttackVariant: Sendable {
    /// Short name ("pte-outside-slices").
    public let name: String
    /// Plays the attack and judges its direct effect (the stage adds the canary and oracle checks).
    let play: @Sendable (AttackContext) -> AttackOutcome
}

/// What an attack works with.
public struct AttackContext: @unchecked Sendable {
    public let session: BenchSession
    public let attacker: GuestDriver
    public let victim: GuestDriver
    public let canary: Canary
    public let work: GuestWorkloads
    /// Seeded per attacker and attack.
    public let seed: UInt64

    /// Runs `body` inside the engine's lock (the bench's privileged view of the machine).
    public func inspect<T>(_ body: () throws -> T) rethrows -> T { try session.engine.enter(body) }
    /// A host register as the GPU holds it.
    public func hostRegister(_ offset: MMIOOffset) -> UInt32 { inspect { session.engine.gpu.readRegister(offset) } }
    /// The host GGTT entry at page `index`.
    public func hostPTE(_ index: Int) -> GGTTEntry { inspect { session.engine.gpu.ggtt[index] } }
    /// True if the attacker's vGPU is in failsafe.
    public var attackerFailsafe: Bool { inspect { session.engine.mediator.vgpu(attacker.id)?.failsafe != nil } }
}

extension GuestDriver {
    /// Maps the two canary pages and fills them with `Canary.pattern` (plain RAM stores).
    public func plantCanary() throws(GuestError) -> Canary {
        let aperture = try mapGGTT(pages: 1)
        let hidden = try mapGGTT(pages: 1, hidden: true)
        let page = [UInt32](repeating: Canary.pattern, count: 1024)
        ramWrite(GuestPhysicalAddress(frame: aperture.frame), page)
        ramWrite(GuestPhysicalAddress(frame: hidden.frame), page)
        return Canary(aperture: aperture.gma, hidden: hidden.gma, apertureFrame: aperture.frame, hiddenFrame: hidden.frame)
    }

    /// Fills both canary pages with the pattern again (after a breach changed them).
    public func restoreCanary(_ canary: Canary) {
        let page = [UInt32](repeating: Canary.pattern, count: 1024)
        ramWrite(GuestPhysicalAddress(frame: canary.apertureFrame), page)
        ramWrite(GuestPhysicalAddress(frame: canary.hiddenFrame), page)
    }

    /// True if both canary pages still hold the pattern (read by the bench, not trapped).
    public func canaryIntact(_ canary: Canary) -> Bool {
        engine.enter {
            [canary.apertureFrame, canary.hiddenFrame].allSatisfy { frame in
                guard let bytes = engine.hypervisor.readGuest(id, GuestPhysicalAddress(frame: frame), count: 4096) else { return false }
                return bytes.withUnsafeBytes { raw in
                    (0..<1024).allSatisfy { raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) == Canary.pattern }
                }
            }
        }
    }

    /// After a submission: waits (up to `timeout` s) until the guest sees the request end or
    /// the mediator holds nothing more of it; a request that did not complete is cleaned up
    /// the way i915 would after a hang (engine reset through GDRST). True if it completed.
    @discardableResult
    public func settle(_ engine: EngineID, timeout: Double = 1.0) -> Bool {
        let end = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < end {
            handleInterrupts()
            processCompletions()
            if isIdle(engine) { return true }
            let pending = self.engine.enter { () -> Bool in
                let mediator = self.engine.mediator
                guard let vgpu = mediator.vgpu(id) else { return false }
                return !vgpu.workloadQueues[engine.index].isEmpty || mediator.currentWorkloads[engine.index]?.vgpu == id
            }
            if !pending {
                processCompletions()
                if isIdle(engine) { return true }
                break
            }
            Thread.sleep(forTimeInterval: 0.0005)
        }
        resetEngine(engine)
        return false
    }
}

extension Scenarios {
    /// The shape every `iso-*` scenario shares: VM 1 is the victim (plants a canary, then runs
    /// the standard workload loop on every engine); every other VM is an attacker playing
    /// the variants `j, j + attackers, …` one at a time (a session-wide lock serialises the
    /// attacks so each one is judged alone). An attack is blocked when its own check says so,
    /// the canary is intact and the oracle has no finding naming the attacker.
    static func isolationScenario(_ name: String, _ summary: String, variants: [AttackVariant],
                                  defaultTypes: [VGPUType] = [.v5_8],
                                  configuration: MediatorConfiguration = MediatorConfiguration()) -> Scenario {
        Scenario(name: name, summary: summary, defaultVMs: 1 + variants.count) { parameters in
            let session = try BenchSession(scenario: name, parameters: parameters, defaultVMs: 1 + variants.count,
                                           defaultTypes: defaultTypes, configuration: configuration)
            let ops = session.ops(default: 16), seconds = session.seconds(default: 3)
            let stage = StageState()
            return session.run(prepare: { guest, k in
                guard let work = bootGuest(session, guest) else { return }
                stage.works[k] = work
                if k == 0 {
                    do { stage.canary = try guest.plantCanary() } catch { session.bootFailed(guest, error) }
                }
            }) { guest, k in
                guard let work = stage.works[k] else { return }
                var rng = SplitMix64(seed: parameters.seed &* 0x9E37 &+ UInt64(k))
                if k == 0 {
                    guest.runLoop(work, engines: EngineID.allCases, ops: ops,
                                  deadline: .now + .milliseconds(Int(seconds * 1000)), rng: &rng)
                    return
                }
                guard let canary = stage.canary, let victim = session.guest(1), session.guests.count > 1 else { return }
                let attackers = session.guests.count - 1
                for v in stride(from: k - 1, to: variants.count, by: attackers) {
                    let variant = variants[v]
                    let context = AttackContext(session: session, attacker: guest, victim: victim, canary: canary, work: work,
                                                seed: rng.next())
                    stage.attackLock.lock()
                    var outcome = variant.play(context)
                    let findings = session.checkOracle().filter { $0.responsible == guest.id }
                    let intact = victim.canaryIntact(canary)
                    stage.attackLock.unlock()
                    if !intact {
                        outcome = AttackOutcome(blocked: false, outcome.detail + "; victim canary changed")
                        victim.restoreCanary(canary)  // judge the next attack on its own
                    }
                    if let first = findings.first {
                        outcome = AttackOutcome(blocked: false, outcome.detail + "; oracle: \(first)")
                    }
                    session.attack(blocked: outcome.blocked, "VM \(guest.number) \(variant.name): \(outcome.detail)")
                    session.note("VM \(guest.number) \(variant.name): \(outcome.blocked ? "blocked" : "BREACH"): \(outcome.detail)")
                }
            }
        }
    }

    /// Cross-thread state of an isolation stage (written in `prepare`, read by the guests).
    final class StageState: @unchecked Sendable {
        var works: [Int: GuestWorkloads] = [:]
        var canary: Canary?
        let attackLock = NSLock()
    }
}
