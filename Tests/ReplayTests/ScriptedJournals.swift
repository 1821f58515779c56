import Foundation
import GPUModel
import Journal
import Mediator
import Recorder
import TestSupport

/// A guest played by a script straight against an `Engine` (no threads, no bench): every
/// trap, store and timer goes through `Engine.perform` at a made-up but increasing time, as
/// the live bench does, so a `Recorder` on the engine writes a real journal. Follows the
/// i915 vGPU steps of `TestGuest` (PVINFO, GGTT slices, a 4-level PPGTT, an execlist context
/// and ELSP submission).
final class EngineGuest {
    let engine: Engine
    let hypervisor: FakeHypervisor
    let id: VGPUID
    private(set) var time: UInt64 = 1_000_000
    private var nextFrame: UInt64 = 16
    private var nextGGTTPage: UInt64
    private(set) var pml4: GuestFrameNumber = 0
    /// Guest RIP of the next trapping instruction (each trap gets its own).
    private var rip: UInt64 = 0xFFFF_FFFF_8160_0000

    init(engine: Engine, hypervisor: FakeHypervisor, type: String = "GVTg_V5_4", ramPages: Int = 1024) throws {
        self.engine = engine
        self.hypervisor = hypervisor
        time += 1_000_000
        guard case let .created(id, frames) = engine.perform(.createVGPU(type: type, ramPages: ramPages),
                                                             at: VirtualTime(nanoseconds: time)) else {
            throw ScriptError.refused("createVGPU")
        }
        self.id = id
        hypervisor.adoptGuestMemory(id, frames: frames)
        nextGGTTPage = engine.mediator.vgpu(id)!.slices.aperture.lowerBound >> 12
        _ = mmioRead(0x78000, size: 8)  // PVINFO magic
    }

    enum ScriptError: Error { case refused(String) }

    private func now() -> VirtualTime {
        time += 20_000
        return VirtualTime(nanoseconds: time)
    }

    /// "mov reg, [rax]" / "mov [rax], reg" of the access size (as an x86 guest would trap).
    private func origin(write: Bool, size: Int) -> TrapOrigin {
        rip += 7
        let opcode: [UInt8] = switch size {
        case 8: [0x48, write ? 0x89 : 0x8B, 0x08]
        case 2: [0x66, write ? 0x89 : 0x8B, 0x08]
        case 1: [write ? 0x88 : 0x8A, 0x08]
        default: [write ? 0x89 : 0x8B, 0x08]
        }
        return TrapOrigin(vcpu: 0, rip: rip, instruction: opcode)
    }

    @discardableResult
    func mmioRead(_ offset: UInt64, size: Int = 4) -> UInt64 {
        engine.perform(.mmioRead(id, offset: offset, size: size, origin: origin(write: false, size: size)), at: now()).value ?? 0
    }

    func mmioWrite(_ offset: UInt64, _ value: UInt64, size: Int = 4) {
        engine.perform(.mmioWrite(id, offset: offset, size: size, value: value, origin: origin(write: true, size: size)), at: now())
    }

    /// A plain guest store (no trap): lands in memory, and the engine hears of the page.
    func store(_ gpa: GuestPhysicalAddress, _ bytes: [UInt8]) {
        hypervisor.guestWrite(id, gpa, bytes: bytes)
        var page = gpa.rawValue >> 12
        while page <= (gpa.rawValue + UInt64(max(bytes.count, 1)) - 1) >> 12 {
            if let frame = hypervisor.backing(id, GuestFrameNumber(page)) { engine.noteGuestStore(frame, writer: id) }
            page += 1
        }
    }

    func write(_ gpa: GuestPhysicalAddress, _ dwords: [UInt32]) {
        var bytes: [UInt8] = []
        for dword in dwords { withUnsafeBytes(of: dword.littleEndian) { bytes += $0 } }
        store(gpa, bytes)
    }

    func allocateFrame() -> GuestFrameNumber {
        defer { nextFrame += 1 }
        return GuestFrameNumber(nextFrame)
    }

    func mapGGTT(pages: Int) -> GraphicsAddress {
        let first = nextGGTTPage
        for k in 0..<UInt64(pages) {
            mmioWrite(BARLayout.ggttOffset + (first + k) * 8, allocateFrame().rawValue << 12 | 1, size: 8)
        }
        nextGGTTPage += UInt64(pages)
        return GraphicsAddress(first << 12)
    }

    func frame(ofGGTT gma: GraphicsAddress) -> GuestFrameNumber {
        GuestFrameNumber(mmioRead(BARLayout.ggttOffset + gma.pageNumber * 8, size: 8) >> 12)
    }

    func writeGGTT(_ gma: GraphicsAddress, _ dwords: [UInt32]) {
        write(GuestPhysicalAddress(frame: frame(ofGGTT: gma), offset: gma.pageOffset), dwords)
    }

    func createPPGTT() {
        pml4 = allocateFrame()
        mmioWrite(0x78838, pml4.rawValue << 12)
        mmioWrite(0x7883C, 0)
        mmioWrite(0x78818, 4)  // VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE
    }

    @discardableResult
    func mapPPGTT(_ gma: GraphicsAddress) -> GuestFrameNumber {
        var table = pml4
        for level in stride(from: 3, through: 1, by: -1) {
            let index = (gma.rawValue >> (12 + 9 * UInt64(level))) & 0x1FF
            let slot = GuestPhysicalAddress(frame: table, offset: index * 8)
            let bytes = hypervisor.readGuest(id, slot, count: 8)!
            var entry = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            if entry & 1 == 0 {
                entry = allocateFrame().rawValue << 12 | 3
                writeTableEntry(slot, entry)
            }
            table = GuestFrameNumber((entry >> 12) & 0xF_FFFF_FFFF)
        }
        let frame = allocateFrame()
        writeTableEntry(GuestPhysicalAddress(frame: table, offset: ((gma.rawValue >> 12) & 0x1FF) * 8), frame.rawValue << 12 | 3)
        return frame
    }

    /// A page-table store: trapped (write-protected page) or plain.
    private func writeTableEntry(_ slot: GuestPhysicalAddress, _ entry: UInt64) {
        let bytes = withUnsafeBytes(of: entry.littleEndian) { Array($0) }
        if hypervisor.isTracked(id, slot.frame) {
            engine.perform(.pageTrackWrite(id, slot, bytes: bytes, origin: origin(write: true, size: 8)), at: now())
        }
        store(slot, bytes)
    }

    struct Context {
        var engine: EngineID
        var descriptor: ContextDescriptor
        var ring: GraphicsAddress
        var ringSize: UInt32
        var tail: UInt32
    }

    func enableEngine(_ engine: EngineID) {
        let hwsp = mapGGTT(pages: 1)
        mmioWrite(UInt64(MMIOOffset.ring(.hwsPGA, engine).rawValue), hwsp.rawValue & 0xFFFF_FFFF)
        mmioWrite(UInt64(MMIOOffset.ring(.mode, engine).rawValue), 0x8000_8000)
    }

    func makeContext(_ engine: EngineID, contextID: UInt32 = 1) -> Context {
        let lrca = mapGGTT(pages: ContextImage.pageCount(for: engine))
        let ring = mapGGTT(pages: 4)
        let state = ContextImage.initialStatePage(engine: engine, ringStart: ring, ringSize: 4 * 4096,
                                                  pdps: [pml4.rawValue << 12, 0, 0, 0])
        writeGGTT(lrca.advanced(by: 4096), state)
        let descriptor = ContextDescriptor(lrca: lrca, contextID: contextID, addressingMode: .legacy64, privileged: true)
        return Context(engine: engine, descriptor: descriptor, ring: ring, ringSize: 4 * 4096, tail: 0)
    }

    func emit(_ dwords: [UInt32], to context: inout Context) {
        let padded = dwords.count % 2 == 0 ? dwords : dwords + [0]
        for value in padded {
            writeGGTT(context.ring.advanced(by: UInt64(context.tail)), [value])
            context.tail = (context.tail + 4) % context.ringSize
        }
        writeGGTT(context.descriptor.lrca.advanced(by: 4096 + ContextImage.Slot.ringTail.valueByteOffset), [context.tail])
    }

    func submit(_ context: Context) {
        let submission = ExeclistSubmission(element0: context.descriptor, element1: ContextDescriptor(rawValue: 0))
        let elsp = UInt64(MMIOOffset.ring(.elsp, context.engine).rawValue)
        for dword in submission.elspDwords { mmioWrite(elsp, UInt64(dword)) }
    }

    /// Timers and the GPU thread for `rounds` milliseconds of virtual time (hangcheck every `hangcheckEvery`).
    func runHost(rounds: Int, hangcheckEvery: Int = 0) {
        for k in 1...rounds {
            time += 1_000_000
            engine.perform(.schedulerTick, at: VirtualTime(nanoseconds: time))
            engine.perform(.gpuSlice, at: VirtualTime(nanoseconds: time + 500_000))
            if hangcheckEvery > 0 && k % hangcheckEvery == 0 { engine.perform(.hangcheckTick, at: VirtualTime(nanoseconds: time + 600_000)) }
        }
    }
}

/// Journals recorded from scripted guests: small, deterministic, each ending in a known verdict.
enum ScriptedJournal: String, CaseIterable {
    /// A batch stores a value and ends: no verdict.
    case clean
    /// A PPGTT batch waits on a semaphore never signalled: hang on RCS.
    case hang
    /// Under gvt-2018, an index-mode PIPE_CONTROL store reaches the host status page: isolation.
    case isolation
    /// Under current, the guest turns privilege checks off (GFX_MODE bit 0): failsafe.
    case failsafe

    /// Records this script into a new temporary journal and returns its path.
    func record() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("gvtrr-scripted-\(rawValue)-\(UUID().uuidString).gvtj").path
        let configuration = MediatorConfiguration(revision: self == .isolation ? .gvt2018 : .current)
        let gpu = GPU()
        let hypervisor = FakeHypervisor(memory: gpu.memory)
        let engine = Engine(configuration: configuration, gpu: gpu, mpt: hypervisor, timeSource: nil)
        let header = RecordingHeader.make(configuration: configuration, bench: "scripted-\(rawValue)", parameters: [:],
                                          vms: [], oracle: false)
        var options = JournalWriterOptions()
        options.maxEventsPerFrame = 64
        let writer = try JournalWriter(path: path, header: header, options: options)
        let recorder = Recorder(sink: writer)
        engine.inputObserver = recorder
        engine.mediator.observer = recorder
        let guest = try EngineGuest(engine: engine, hypervisor: hypervisor)
        guest.createPPGTT()
        guest.enableEngine(.rcs)
        switch self {
        case .clean:
            let data: GraphicsAddress = 0x40_0000
            guest.mapPPGTT(data)
            let batch: GraphicsAddress = 0x50_0000
            guest.write(GuestPhysicalAddress(frame: guest.mapPPGTT(batch)),
                        CommandEncoder.storeDataImmediate(data, 7) + CommandEncoder.batchEnd)
            var context = guest.makeContext(.rcs)
            guest.emit(CommandEncoder.batchStart(batch, ppgtt: true) + CommandEncoder.userInterrupt, to: &context)
            guest.submit(context)
            guest.runHost(rounds: 6)
        case .hang:
            let flag: GraphicsAddress = 0x40_0000
            guest.mapPPGTT(flag)
            let batch: GraphicsAddress = 0x50_0000
            guest.write(GuestPhysicalAddress(frame: guest.mapPPGTT(batch)),
                        CommandEncoder.noop + CommandEncoder.noop + CommandEncoder.semaphoreWait(flag, data: 1) + CommandEncoder.batchEnd)
            var context = guest.makeContext(.rcs)
            guest.emit(CommandEncoder.batchStart(batch, ppgtt: true) + CommandEncoder.userInterrupt, to: &context)
            guest.submit(context)
            guest.runHost(rounds: 4 * (gpu.configuration.hangcheckThreshold + 2), hangcheckEvery: 2)
        case .isolation:
            var context = guest.makeContext(.rcs)
            guest.emit(CommandEncoder.pipeControl(store: 0xBAD, at: 0x100, ggtt: true, storeIndex: true), to: &context)
            guest.submit(context)
            guest.runHost(rounds: 6)
        case .failsafe:
            guest.mmioWrite(UInt64(MMIOOffset.ring(.mode, .rcs).rawValue), 0x0001_0001)
            guest.runHost(rounds: 2)
        }
        _ = try writer.close()
        if let failure = recorder.failure { throw failure }
        return path
    }
}
