import GPUModel
import Journal
import Mediator
import TestSupport
import Testing
@testable import Recorder

/// A sink that keeps records in memory and can be told to fail.
final class MemorySink: JournalAppending {
    var records: [JournalRecord] = []
    var pages: [PageKey: [UInt8]] = [:]
    /// Appends beyond this many fail (a full disk).
    var failAfter = Int.max

    func append(_ record: JournalRecord) throws(JournalError) {
        guard records.count < failAfter else {
            throw .writeFailed(JournalWriteFailure(destination: "memory", offset: 0, reason: "No space left on device",
                                                   lastWrittenSequence: nil, eventsWritten: UInt64(records.count)))
        }
        records.append(record)
    }

    func storePage(_ content: [UInt8]) throws(JournalError) -> PageKey {
        let key = PageKey(hash: XXHash64Probe.hash(content), variant: 0)
        pages[key] = content
        return key
    }
}

/// The recorder writes each input once, after it was performed, followed by its outputs.
@Suite struct RecorderTests {
    final class Rig {
        let gpu = GPU()
        let clock = ManualClock()
        let mpt: FakeHypervisor
        let engine: Engine
        let sink = MemorySink()
        let recorder: Recorder

        init() {
            mpt = FakeHypervisor(memory: gpu.memory)
            engine = Engine(gpu: gpu, mpt: mpt, timeSource: clock)
            recorder = Recorder(sink: sink)
            engine.inputObserver = recorder
            engine.mediator.observer = recorder
        }

        func createVGPU() throws -> (VGPUID, [PageFrameNumber]) {
            guard case let .created(id, frames) = engine.perform(.createVGPU(type: "GVTg_V5_4", ramPages: 16)) else {
                throw RigError.notCreated
            }
            mpt.adoptGuestMemory(id, frames: frames)
            return (id, frames)
        }
        enum RigError: Error { case notCreated }
    }

    @Test func inputComesFirstThenItsOutputsWithIncreasingSequence() throws {
        let rig = Rig()
        rig.clock.advance(by: 5_000)
        let (id, frames) = try rig.createVGPU()
        let records = rig.sink.records
        #expect(records.first?.event == .vgpuCreateRequest(type: "GVTg_V5_4", ramPages: 16, vgpu: UInt32(id.rawValue),
                                                           firstFrame: frames[0].rawValue))
        #expect(records.contains { $0.event == .vgpuCreated(vgpu: UInt32(id.rawValue), type: "GVTg_V5_4") })
        #expect(records.map(\.sequence) == Array(1...UInt64(records.count)))
        #expect(records.allSatisfy { $0.time == 5_000 })
        #expect(rig.recorder.sequence == UInt64(records.count))
    }

    @Test func aReadCarriesTheValueReturnedToTheGuest() throws {
        let rig = Rig()
        let (id, _) = try rig.createVGPU()
        let value = rig.engine.perform(.mmioRead(id, offset: 0x78000, size: 4, origin: nil)).value
        guard case let .mmioRead(trap) = rig.sink.records.last?.event else {
            Issue.record("the read is the last record")
            return
        }
        #expect(trap.value == value && trap.offset == 0x78000 && trap.size == 4)
    }

    @Test func guestStoresBecomePagesBeforeTheNextInput() throws {
        let rig = Rig()
        let (id, frames) = try rig.createVGPU()
        rig.mpt.guestWrite(id, GuestPhysicalAddress(0x1000), bytes: [0xDE, 0xAD])
        rig.engine.noteGuestStore(frames[1], writer: id)
        rig.engine.noteGuestStore(frames[1], writer: id)  // once per entry, however often written
        let before = rig.sink.records.count
        rig.engine.perform(.schedulerTick)
        let added = rig.sink.records[before...].map(\.event)
        guard case let .guestPageWritten(v, frame, key)? = added.first else {
            Issue.record("a guest page must come first, got \(added)")
            return
        }
        #expect(v == UInt32(id.rawValue) && frame == frames[1].rawValue)
        #expect(rig.sink.pages[key]?.prefix(2) == [0xDE, 0xAD])
        #expect(added.dropFirst().first == .timerExpiry(kind: InputRecords.Timer.scheduler.rawValue))
        #expect(added.filter { if case .guestPageWritten = $0 { true } else { false } }.count == 1)
    }

    @Test func aWriteFailureStopsRecordingAndIsKept() throws {
        let rig = Rig()
        rig.sink.failAfter = 1
        _ = try rig.createVGPU()
        #expect(rig.sink.records.count == 1)
        #expect(rig.recorder.failure != nil)
        rig.engine.perform(.schedulerTick)  // the engine goes on; nothing more is written
        #expect(rig.sink.records.count == 1)
    }

    @Test func recordingDoesNotChangeWhatTheEngineDoes() throws {
        func run(recorded: Bool) throws -> String {
            let rig = Rig()
            if !recorded {
                rig.engine.inputObserver = nil
                rig.engine.mediator.observer = nil
            }
            let (id, _) = try rig.createVGPU()
            for k in 0..<64 {
                rig.clock.advance(by: 1_000_000)
                rig.engine.perform(.mmioWrite(id, offset: 0xB118, size: 4, value: UInt64(k), origin: nil))
                rig.engine.perform(.schedulerTick)
                rig.engine.perform(.gpuSlice)
            }
            return rig.gpu.stateDigest()
        }
        #expect(try run(recorded: true) == run(recorded: false))
    }
}
