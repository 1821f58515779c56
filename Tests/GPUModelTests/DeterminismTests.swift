import Testing
@testable import GPUModel

/// The same inputs give byte-identical registers, memory and events.
@Suite struct DeterminismTests {
    @Test func sameWorkloadSameStateAndEvents() {
        let a = GPU()
        let b = GPU()
        let ra = SampleWorkload(seed: 7, rounds: 3).run(on: a)
        let rb = SampleWorkload(seed: 7, rounds: 3).run(on: b)
        #expect(ra.events == rb.events)
        #expect(a.registers == b.registers)
        #expect(a.memory.populatedFrames == b.memory.populatedFrames)
        for frame in a.memory.populatedFrames { #expect(a.memory.page(frame) == b.memory.page(frame)) }
        #expect(a.stateDigest() == b.stateDigest())
    }

    @Test func differentSeedDifferentState() {
        let a = GPU()
        let b = GPU()
        _ = SampleWorkload(seed: 1).run(on: a)
        _ = SampleWorkload(seed: 2).run(on: b)
        #expect(a.stateDigest() != b.stateDigest())
    }

    @Test func digestSeesOneChangedByte() {
        let a = GPU()
        let b = GPU()
        _ = SampleWorkload(seed: 3, rounds: 1).run(on: a)
        _ = SampleWorkload(seed: 3, rounds: 1).run(on: b)
        let frame = b.memory.populatedFrames.last!
        var page = b.memory.page(frame)
        page[100] ^= 1
        b.memory.setPage(frame, page)
        #expect(a.stateDigest() != b.stateDigest())
    }
}
