import Foundation
import GPUModel
import Journal
import Mediator
import TestSupport
import Testing
@testable import Recorder

/// A journal sink that fails (a full disk) once `failAfter` bytes were written.
final class FailingSink: JournalSink, @unchecked Sendable {
    let destination = "failing-disk"
    let memory = MemoryJournalSink()
    let failAfter: Int
    private let lock = NSLock()
    private var written = 0

    init(failAfter: Int) { self.failAfter = failAfter }

    struct DiskFull: Error, CustomStringConvertible { var description: String { "No space left on device" } }

    func append(_ bytes: [UInt8]) throws {
        try lock.withLock {
            guard written + bytes.count <= failAfter else { throw DiskFull() }
            written += bytes.count
        }
        try memory.append(bytes)
    }
    func overwrite(_ bytes: [UInt8], at offset: UInt64) throws { try memory.overwrite(bytes, at: offset) }
    func synchronize() throws {}
    func close() throws {}
}

/// A live capture's lifecycle: a clean close, and a disk that fails during the capture.
@Suite struct JournalCaptureTests {
    static let header = JournalHeader(mediator: .init(release: "test", sourceRevision: "test"), revision: "current",
                                      gpuDeviceID: 0x5A84, vms: [], bench: "capture-test", benchParameters: [:],
                                      host: "test", startTimeUnixNanoseconds: 0)

    final class Rig {
        let gpu = GPU()
        let clock = ManualClock()
        let mpt: FakeHypervisor
        let engine: Engine

        init(_ capture: JournalCapture) {
            mpt = FakeHypervisor(memory: gpu.memory)
            engine = Engine(gpu: gpu, mpt: mpt, timeSource: clock)
            engine.inputObserver = capture.recorder
            engine.mediator.observer = capture.recorder
        }

        /// Creates a vGPU and performs `rounds` of MMIO writes and reads and timer ticks,
        /// stopping early when `stop` says so.
        func run(rounds: Int, stop: () -> Bool = { false }) {
            guard case let .created(id, frames) = engine.perform(.createVGPU(type: "GVTg_V5_4", ramPages: 16)) else { return }
            mpt.adoptGuestMemory(id, frames: frames)
            for k in 0..<rounds where !stop() {
                clock.advance(by: 1_000)
                engine.perform(.mmioWrite(id, offset: 0xB118, size: 4, value: UInt64(k), origin: nil))
                engine.perform(.mmioRead(id, offset: 0x78000, size: 4, origin: nil))
                engine.perform(.schedulerTick)
            }
        }
    }

    static func options() -> JournalWriterOptions {
        var options = JournalWriterOptions()
        options.maxEventsPerFrame = 50
        options.maxFrameAge = nil
        return options
    }

    @Test func aCleanCaptureIsCompleteAndSummarised() throws {
        let sink = MemoryJournalSink()
        let capture = try JournalCapture(sink: sink, header: Self.header, options: Self.options())
        Rig(capture).run(rounds: 100)
        let outcome = capture.finish()
        #expect(outcome.isComplete)
        #expect(outcome.failureMessage == nil)
        #expect(outcome.recordsLost == 0)
        let summary = try #require(outcome.summary)
        #expect(summary.events == outcome.recordsProduced)
        #expect(summary.vms == [JournalHeader.VM(name: "vm1", vgpu: 1, vgpuType: "GVTg_V5_4")])
        #expect(outcome.countsByKind[Int(JournalEventKind.mmioWrite.rawValue)] == 100)
        let reader = try JournalReader(source: MemoryByteSource(sink.bytes))
        #expect(reader.completeness == .complete)
        #expect(try reader.summary().events == summary.events)
    }

    @Test func aFailingDiskStopsTheCaptureAndKeepsEverythingWrittenReadable() throws {
        let sink = FailingSink(failAfter: 6_000)
        let capture = try JournalCapture(sink: sink, header: Self.header, options: Self.options())
        let failed = FailureFlag()
        capture.onFailure = { _ in failed.set() }
        // Run until the recorder notices (the writer thread fails first; the next append reports it).
        Rig(capture).run(rounds: 1_000_000) { failed.isSet }
        #expect(failed.isSet)
        #expect(failed.calls == 1)
        let outcome = capture.finish()
        #expect(!outcome.isComplete)
        guard case let .writeFailed(failure)? = outcome.failure else {
            Issue.record("expected a write failure, got \(String(describing: outcome.failure))")
            return
        }
        #expect(failure.reason.contains("No space left on device"))
        let last = try #require(outcome.progress.lastWrittenSequence)
        #expect(failure.lastWrittenSequence == last)
        #expect(outcome.recordsLost == outcome.recordsProduced - last)
        #expect(outcome.recordsLost > 0)
        let message = try #require(outcome.failureMessage)
        #expect(message.contains("last record written: #\(last)"))
        #expect(message.contains("up to #\(outcome.recordsProduced)) were not written"))

        // The journal on the "disk" is readable up to its last complete frame.
        let reader = try JournalReader(source: MemoryByteSource(sink.memory.bytes))
        #expect(!reader.completeness.isComplete)
        let scan = try reader.scan()
        #expect(scan.damage == nil)
        #expect(scan.summary.lastSequence == last)
        #expect(scan.summary.events == last)
    }
}

/// Set once from the engine's thread, read by the test.
final class FailureFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func set() { lock.withLock { count += 1 } }
    var isSet: Bool { lock.withLock { count > 0 } }
    var calls: Int { lock.withLock { count } }
}
