import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The scheduler driven through the mediator with a manual clock: observed timer, clock and
/// decisions, lazy MMIO switches at dispatch, stop switching engines back to the host.
@Suite struct MediatorSchedulerTests {
    /// A fake dispatch loop: 100 µs steps of the manual clock, workloads of `duration` on the
    /// render engine, the 1 ms timer, and the lazy MMIO switch at the first dispatch of a vGPU
    /// on an engine it does not own.
    struct Dispatch {
        let f: MediatorFixture
        var scheduler: Scheduler
        var running: (vgpu: VGPUID, end: VirtualTime)?
        var decisions: [SchedulerDecision] = []
        var gpuTime: [UInt64] = Array(repeating: 0, count: VGPUID.limit)
        let duration: UInt64 = 300_000

        mutating func run(steps: Int, pending: (VGPUID) -> Bool) {
            for step in 1...steps {
                f.clock.advance(by: 100_000)
                if let job = running, job.end <= f.clock.time {
                    running = nil
                    gpuTime[job.vgpu.rawValue] += duration
                    decisions += f.mediator.scheduleAfterCompletion(&scheduler, engine: .rcs, pendingWork: pending,
                                                                    enginesBusy: [])
                }
                if step % 10 == 0 {
                    decisions += f.mediator.schedulerTick(&scheduler, pendingWork: pending,
                                                          enginesBusy: running == nil ? [] : .rcs)
                }
                if running == nil, let current = scheduler.currentVGPU, scheduler.mayDispatch(current), pending(current) {
                    if f.mediator.engineOwners[EngineID.rcs.index] != current {
                        f.mediator.switchEngineMMIO(engine: .rcs, to: current)
                    }
                    running = (current, f.clock.time + duration)
                }
            }
        }
    }

    @Test func decisionsAreObservedWithTheTimerAndClockThatLedToThem() throws {
        let f = MediatorFixture()
        let a = try f.makeVGPU(.v5_4), b = try f.makeVGPU(.v5_8)
        var d = Dispatch(f: f, scheduler: Scheduler(configuration: f.mediator.configuration))
        #expect(f.mediator.startSchedule(&d.scheduler, vgpu: a).first?.runQueue.first?.weight == 4)
        #expect(f.mediator.startSchedule(&d.scheduler, vgpu: b).first?.runQueue.first?.weight == 2)
        #expect(f.mediator.startSchedule(&d.scheduler, vgpu: 5).isEmpty)  // no such vGPU
        f.log.clear()
        d.run(steps: 30_000, pending: { _ in true })  // 3 s: past the start-up window
        let observed = f.log.events.compactMap { event -> SchedulerDecision? in
            if case let .schedulerDecision(decision) = event { return decision } else { return nil }
        }
        #expect(observed == d.decisions && !observed.isEmpty)
        // Every timer pass is announced by its timer event, stamped with the clock reading.
        for (index, event) in f.log.events.enumerated() {
            guard case let .schedulerDecision(decision) = event, decision.trigger == .timer else { continue }
            let timer = f.log.events[..<index].last { if case .timer = $0 { true } else { false } }
            #expect(timer == .timer(.schedule, decision.time))
        }
        // The render engine changed hands lazily, as the switches say.
        let mmioSwitches = f.log.events.filter { if case .mmioContextSwitch = $0 { true } else { false } }
        #expect(mmioSwitches.count > 10)
        if case let .mmioContextSwitch(engine, _, to, _) = mmioSwitches.last {
            #expect(engine == .rcs && f.mediator.engineOwners[EngineID.rcs.index] == to)
        }
        // Each switch hands the engine over from its previous owner, never to the host here.
        let owners = mmioSwitches.compactMap { if case let .mmioContextSwitch(_, from, to, _) = $0 { (from, to) } else { nil } }
        for (previous, next) in zip(owners, owners.dropFirst()) { #expect(next.0 == previous.1 && next.1 != nil) }
        // Weight 4 : 2 after the start-up window (the last second).
        let before = d.gpuTime
        d.run(steps: 10_000, pending: { _ in true })
        let share = Double(d.gpuTime[a.rawValue] - before[a.rawValue])
            / Double(d.gpuTime[a.rawValue] + d.gpuTime[b.rawValue] - before[a.rawValue] - before[b.rawValue])
        #expect(abs(share - 2.0 / 3.0) < 0.04)
    }

    @Test func stopScheduleSwitchesOwnedEnginesBackToTheHost() throws {
        let f = MediatorFixture()
        let a = try f.makeVGPU()
        var s = Scheduler(configuration: f.mediator.configuration)
        f.mediator.startSchedule(&s, vgpu: a)
        f.mediator.schedulerTick(&s, pendingWork: { _ in true }, enginesBusy: [])
        #expect(s.currentVGPU == a)
        f.mediator.switchEngineMMIO(engine: .rcs, to: a)
        f.mediator.switchEngineMMIO(engine: .vecs, to: a)
        f.log.clear()
        let stop = f.mediator.stopSchedule(&s, vgpu: a)
        #expect(stop.map(\.kind) == [.stop] && s.currentVGPU == nil)
        #expect(f.mediator.engineOwners.allSatisfy { $0 == nil })
        let switched = f.log.events.compactMap { event -> EngineID? in
            if case let .mmioContextSwitch(engine, from, to, _) = event, from == a, to == nil { return engine }
            return nil
        }
        #expect(switched == [.rcs, .vecs])
        #expect(f.log.events.contains(.schedulerDecision(stop[0])))
    }

    @Test func noObserverNoEvents() throws {
        let f = MediatorFixture()
        let a = try f.makeVGPU()
        f.mediator.observer = nil
        f.log.clear()
        var s = Scheduler(configuration: f.mediator.configuration)
        f.mediator.startSchedule(&s, vgpu: a)
        #expect(f.mediator.schedulerTick(&s, pendingWork: { _ in true }, enginesBusy: []).map(\.kind) == [.pick, .switch])
        #expect(f.log.events.isEmpty)
        // A completion with no switch pending does nothing, not even read the clock.
        #expect(f.mediator.scheduleAfterCompletion(&s, engine: .rcs, pendingWork: { _ in true }, enginesBusy: []).isEmpty)
    }
}
