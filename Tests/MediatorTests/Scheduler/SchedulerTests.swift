import GPUModel
import Mediator
import Testing

/// The scheduler state machine: picks, idle, drain before switch, stop, configuration.
@Suite struct SchedulerTests {
    static let ms: UInt64 = 1_000_000

    static func time(ms value: UInt64) -> VirtualTime { VirtualTime(nanoseconds: value * ms) }

    /// A tbs scheduler with vGPU 1 (weight 2) and 2 (weight 1) started at 0 in that order.
    static func twoVGPUs(_ kind: SchedulingPolicyKind = .timeBased) -> Scheduler {
        var s = Scheduler(policy: SelectedPolicy(kind))
        _ = s.startSchedule(vgpu: 1, weight: 2, now: .zero)
        _ = s.startSchedule(vgpu: 2, weight: 1, now: .zero)
        return s
    }

    @Test func idleVGPUWhenNobodyHasWork() {
        var s = Self.twoVGPUs()
        let first = s.tick(now: Self.time(ms: 1), pendingWork: { _ in false }, enginesBusy: [])
        #expect(first.map(\.kind) == [.idle, .switch])
        #expect(first[0].to == .idle && first[0].reason == .nothingRunnable)
        #expect(first[1].from == nil && first[1].to == .idle && first[1].engines == .all)
        #expect(s.currentVGPU == .idle && !s.needReschedule)
        #expect(!s.mayDispatch(.idle) && !s.mayDispatch(1))
        let second = s.tick(now: Self.time(ms: 2), pendingWork: { _ in false }, enginesBusy: [])
        #expect(second.map(\.kind) == [.idle, .stay])
        #expect(s.nextVGPU == nil)
    }

    @Test func emptyRunQueueDecidesNothing() {
        var s = Scheduler(policy: SelectedPolicy(.timeBased))
        #expect(s.tick(now: Self.time(ms: 1), pendingWork: { _ in true }, enginesBusy: []).isEmpty)
        #expect(s.currentVGPU == nil && !s.timerArmed)
        #expect(s.startSchedule(vgpu: .idle, weight: 1, now: .zero).isEmpty)
    }

    @Test func switchWaitsUntilEveryEngineDrained() {
        var s = Scheduler(policy: SelectedPolicy(.timeBased))
        _ = s.startSchedule(vgpu: 1, weight: 1, now: .zero)
        _ = s.tick(now: Self.time(ms: 1), pendingWork: { $0 == 1 }, enginesBusy: [])
        #expect(s.currentVGPU == 1 && s.mayDispatch(1))
        // vGPU 2 starts at the head of the queue with its start-up priority.
        _ = s.startSchedule(vgpu: 2, weight: 1, now: Self.time(ms: 1))
        let busy: EngineMask = [.rcs, .bcs]
        let wait = s.requestSchedule(now: Self.time(ms: 2), pendingWork: { _ in true }, enginesBusy: busy)
        #expect(wait.map(\.kind) == [.pick, .waitForDrain])
        #expect(wait[0].reason == .priorityWindow && wait[1].engines == busy && wait[1].to == 2)
        #expect(s.currentVGPU == 1 && s.nextVGPU == 2 && s.needReschedule && !s.mayDispatch(1))
        // The timer does not pick again while a target is pending.
        let retry = s.tick(now: Self.time(ms: 3), pendingWork: { _ in true }, enginesBusy: busy)
        #expect(retry.map(\.kind) == [.waitForDrain])
        let rcsDone = s.workloadCompleted(engine: .rcs, now: Self.time(ms: 4), pendingWork: { _ in true }, enginesBusy: busy)
        #expect(rcsDone.map(\.kind) == [.waitForDrain] && rcsDone[0].engines == .bcs && rcsDone[0].trigger == .completion)
        #expect(s.currentVGPU == 1)
        let bcsDone = s.workloadCompleted(engine: .bcs, now: Self.time(ms: 5), pendingWork: { _ in true }, enginesBusy: .bcs)
        #expect(bcsDone.map(\.kind) == [.switch])
        #expect(bcsDone[0].from == 1 && bcsDone[0].to == 2 && bcsDone[0].reason == .drained)
        #expect(s.currentVGPU == 2 && !s.needReschedule && s.mayDispatch(2) && !s.mayDispatch(1))
        // With nothing pending, a completion does not run the scheduler.
        #expect(s.workloadCompleted(engine: .rcs, now: Self.time(ms: 6), pendingWork: { _ in true }, enginesBusy: []).isEmpty)
    }

    @Test func switchChargesTheOutgoingVGPUUpToTheSwitch() {
        var s = Scheduler(policy: SelectedPolicy(.timeBased))
        _ = s.startSchedule(vgpu: 1, weight: 1, now: .zero)
        _ = s.tick(now: .zero, pendingWork: { _ in true }, enginesBusy: [])  // balance stage 0, switch to 1 at 0
        _ = s.startSchedule(vgpu: 2, weight: 1, now: Self.time(ms: 1))
        _ = s.requestSchedule(now: Self.time(ms: 3), pendingWork: { _ in true }, enginesBusy: .rcs)
        _ = s.workloadCompleted(engine: .rcs, now: Self.time(ms: 7), pendingWork: { _ in true }, enginesBusy: .rcs)
        let one = s.policy.budget(of: 1, pendingWork: true)!
        #expect(one.schedTime == 7 * Self.ms)
        #expect(one.leftTS == Int64(100 * Self.ms) - Int64(7 * Self.ms))
        #expect(s.policy.budget(of: 2, pendingWork: true)!.schedTime == 0)
    }

    @Test func choosingTheCurrentVGPUCancelsTheChoice() {
        var s = Scheduler(policy: SelectedPolicy(.timeBased))
        _ = s.startSchedule(vgpu: 1, weight: 1, now: .zero)
        _ = s.tick(now: Self.time(ms: 1), pendingWork: { _ in true }, enginesBusy: [])
        let again = s.tick(now: Self.time(ms: 2), pendingWork: { _ in true }, enginesBusy: .rcs)
        #expect(again.map(\.kind) == [.pick, .stay])
        #expect(again[1].reason == .alreadyCurrent && s.nextVGPU == nil && s.mayDispatch(1))
    }

    @Test func stoppingTheCurrentVGPUStopsDispatch() {
        var s = Self.twoVGPUs()
        _ = s.tick(now: Self.time(ms: 1), pendingWork: { $0 == 2 }, enginesBusy: [])
        #expect(s.currentVGPU == 2)
        let stop = s.stopSchedule(vgpu: 2, now: Self.time(ms: 2))
        #expect(stop.map(\.kind) == [.stop] && stop[0].from == 2 && stop[0].to == 2 && stop[0].reason == .stopped)
        #expect(stop[0].runQueue.map(\.vgpu) == [1])
        #expect(s.currentVGPU == nil && s.needReschedule && !s.mayDispatch(2))
        #expect(s.stopSchedule(vgpu: 2, now: Self.time(ms: 2)).isEmpty)  // already stopped
        // The next pass picks vGPU 1 once vGPU 2's last workload has drained.
        let wait = s.tick(now: Self.time(ms: 3), pendingWork: { _ in true }, enginesBusy: .rcs)
        #expect(wait.map(\.kind) == [.pick, .waitForDrain] && wait[0].to == 1)
        let go = s.workloadCompleted(engine: .rcs, now: Self.time(ms: 4), pendingWork: { _ in true }, enginesBusy: [])
        #expect(go.map(\.kind) == [.switch] && go[0].from == nil && go[0].to == 1)
        #expect(s.mayDispatch(1))
    }

    @Test func stoppingTheNextVGPUClearsTheTarget() {
        var s = Self.twoVGPUs()
        _ = s.tick(now: Self.time(ms: 1), pendingWork: { $0 == 1 }, enginesBusy: [])
        _ = s.tick(now: Self.time(ms: 2), pendingWork: { _ in true }, enginesBusy: .vcs)
        #expect(s.nextVGPU == 2)
        _ = s.stopSchedule(vgpu: 2, now: Self.time(ms: 3))
        #expect(s.nextVGPU == nil && s.currentVGPU == 1)
        // GVT keeps need_reschedule set here: vGPU 1 waits until a later switch clears it.
        #expect(s.needReschedule && !s.mayDispatch(1))
    }

    @Test func removingTheLastVGPUDisarmsTheTimer() {
        var s = Self.twoVGPUs()
        #expect(s.timerArmed)
        _ = s.stopSchedule(vgpu: 1, now: .zero)
        s.removeVGPU(1)
        #expect(s.timerArmed)
        _ = s.stopSchedule(vgpu: 2, now: .zero)
        s.removeVGPU(2)
        #expect(!s.timerArmed && s.policy.runQueue.isEmpty && s.policy.budget(of: 1, pendingWork: false) == nil)
    }

    @Test func decisionsCarryTheBudgetsAndTheBalanceStage() {
        var s = Self.twoVGPUs()
        // Past the start-up window: picks are by budget and move the pick to the LRU tail.
        let decisions = s.tick(now: Self.time(ms: 2_500), pendingWork: { _ in true }, enginesBusy: [])
        #expect(decisions.map(\.kind) == [.pick, .switch])
        let pick = decisions[0]
        #expect(pick.balanceStage == 0 && pick.trigger == .timer && pick.reason == .timeSliceLeft)
        #expect(pick.runQueue.map(\.vgpu) == [2, 1])  // the queue that led to the pick (2 started last: head)
        #expect(pick.runQueue.map(\.allocatedTS) == [33_333_333, 66_666_666])
        #expect(pick.runQueue.map(\.leftTS) == [33_333_333, 66_666_666])
        #expect(pick.runQueue.allSatisfy { $0.priority && $0.pendingWork })  // not yet cleared
        #expect(pick.to == 2)
        #expect(s.policy.runQueue == [1, 2])  // the non-priority pick went to the tail
        let next = s.tick(now: Self.time(ms: 2_501), pendingWork: { _ in true }, enginesBusy: [])
        #expect(next[0].balanceStage == nil && next[0].to == 1)
        #expect(next[0].runQueue.first { $0.vgpu == 2 }!.priority == false)
        #expect(pick.description.contains("pick none -> vgpu2 (time-slice-left) stage 0"))
    }

    @Test func configurationSelectsThePolicy() throws {
        #expect(Scheduler(configuration: MediatorConfiguration()).policyKind == .timeBased)
        let config = MediatorConfiguration(schedulerPolicy: .roundRobin,
                                           schedulerTiming: SchedulerTiming(timeSlice: 2 * Self.ms))
        let s = Scheduler(configuration: config)
        #expect(s.policyKind == .roundRobin && s.policy.timing.timeSlice == 2 * Self.ms)
        #expect(SchedulingPolicyKind(name: "TBS") == .timeBased && SchedulingPolicyKind(name: "rr") == .roundRobin)
        #expect(SchedulingPolicyKind(name: "cfs") == nil)
        #expect(SchedulingPolicyKind.timeBased.description == "tbs")
    }
}
