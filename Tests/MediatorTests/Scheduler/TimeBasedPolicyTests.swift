import GPUModel
import Mediator
import Testing

/// GVT's "tbs" policy on its own: balance stages, charging, LRU and the priority window.
@Suite struct TimeBasedPolicyTests {
    static let ms: Int64 = 1_000_000

    static func at(ms value: Int64) -> VirtualTime { VirtualTime(nanoseconds: UInt64(value * ms)) }

    @Test func stageZeroForgetsDebtOtherStagesCarryIt() {
        var p = TimeBasedPolicy()
        p.initVGPU(1, weight: 2)
        p.initVGPU(2, weight: 1)
        #expect(p.startSchedule(1, now: .zero) && p.startSchedule(2, now: .zero))
        let again = p.startSchedule(1, now: .zero)
        #expect(!again)
        #expect(p.timerExpired(now: .zero) == 0)
        #expect(p.budget(of: 1, pendingWork: false)!.leftTS == 66_666_666)
        // vGPU 1 runs 150 ms: 83.3 ms of debt.
        p.scheduledIn(1, now: .zero)
        p.charge(1, now: Self.at(ms: 150))
        #expect(p.budget(of: 1, pendingWork: false)!.leftTS == 66_666_666 - 150 * Self.ms)
        #expect(p.budget(of: 1, pendingWork: false)!.schedTime == UInt64(150 * Self.ms))
        // Not yet due: no balance.
        #expect(p.timerExpired(now: Self.at(ms: 99)) == nil)
        // Stages 1...9 add the allocation to what is left: the debt is carried.
        for stage in 1...9 {
            #expect(p.timerExpired(now: Self.at(ms: 100 * Int64(stage))) == stage)
            #expect(p.budget(of: 1, pendingWork: false)!.leftTS == 66_666_666 * Int64(stage + 1) - 150 * Self.ms)
            #expect(p.budget(of: 2, pendingWork: false)!.leftTS == 33_333_333 * Int64(stage + 1))
        }
        // Stage 0 again: both reset to one allocation, debt and credit forgotten.
        #expect(p.timerExpired(now: Self.at(ms: 1_000)) == 0)
        #expect(p.budget(of: 1, pendingWork: false)!.leftTS == 66_666_666)
        #expect(p.budget(of: 2, pendingWork: false)!.leftTS == 33_333_333)
    }

    @Test func aVGPUWithDebtIsSkippedAndTheIdleVGPUChosenWhenNobodyHasBudget() {
        var p = TimeBasedPolicy()
        p.initVGPU(1, weight: 1)
        _ = p.startSchedule(1, now: .zero)
        _ = p.timerExpired(now: .zero)
        p.scheduledIn(1, now: .zero)
        p.charge(1, now: Self.at(ms: 100))  // exactly its slice: left_ts == 0
        let pick = p.schedule(now: Self.at(ms: 2_500), pendingWork: { _ in true })
        #expect(pick == PolicyPick(vgpu: .idle, reason: .nothingRunnable))
        #expect(p.schedule(now: Self.at(ms: 2_500), pendingWork: { _ in false }) == PolicyPick(vgpu: .idle, reason: .nothingRunnable))
    }

    @Test func priorityPicksStayAtTheHeadBudgetPicksGoToTheTail() {
        var p = TimeBasedPolicy()
        for id in [1, 2, 3] { p.initVGPU(VGPUID(id), weight: 1) }
        _ = p.startSchedule(1, now: .zero)
        _ = p.timerExpired(now: .zero)
        _ = p.startSchedule(2, now: Self.at(ms: 1_000))
        _ = p.startSchedule(3, now: Self.at(ms: 1_500))
        #expect(p.runQueue == [3, 2, 1])
        // vGPU 3 has no work: the first pending one in its window wins, and stays put.
        let first = p.schedule(now: Self.at(ms: 1_600), pendingWork: { $0 != 3 })
        #expect(first == PolicyPick(vgpu: 2, reason: .priorityWindow) && p.runQueue == [3, 2, 1])
        // vGPU 2's window ended at 3 s; it has no budget (started mid-period), vGPU 1 has.
        let later = p.schedule(now: Self.at(ms: 3_000), pendingWork: { $0 != 3 })
        #expect(later == PolicyPick(vgpu: 1, reason: .timeSliceLeft) && p.runQueue == [3, 2, 1])
        #expect(p.budget(of: 2, pendingWork: false)!.priority == false)
        #expect(p.budget(of: 3, pendingWork: false)!.priority == true)  // never walked past while pending
    }

    @Test func theIdleVGPUIsNeverCharged() {
        var p = TimeBasedPolicy()
        p.charge(.idle, now: Self.at(ms: 5))
        p.scheduledIn(.idle, now: Self.at(ms: 5))
        #expect(p.budget(of: .idle, pendingWork: false) == nil)
        p.initVGPU(1, weight: 1)
        p.scheduledIn(1, now: Self.at(ms: 10))
        p.charge(1, now: Self.at(ms: 5))  // a time before sched_in charges nothing
        #expect(p.budget(of: 1, pendingWork: false)!.schedTime == 0)
        p.cleanVGPU(1)
        #expect(p.budget(of: 1, pendingWork: false) == nil)
        let stopped = p.stopSchedule(1)
        #expect(!stopped)
    }
}
