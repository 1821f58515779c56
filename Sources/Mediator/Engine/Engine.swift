import GPUModel

/// The engine: the mediator and the GPU model it drives, entered only through `perform`.
///
/// Live, a bench calls `perform` from its threads under one lock (vCPU traps through the
/// hypervisor, timers, the GPU thread); replay calls it from one thread with the journal's
/// inputs and time stamps. Either way the same code runs in the same order, which is what
/// makes replay exact (architecture.md, "One engine, two drivers").
///
/// Each entry takes one clock reading (`EntryClock`). Guest stores to memory are not
/// entries: the hypervisor notes them (`noteGuestStore`) and the next entry reports the
/// written pages as `guestPage` inputs to the input observer before its own input.
///
/// Not thread-safe: callers serialise entries.
public final class Engine {
    /// The physical GPU.
    public let gpu: GPU
    /// The device model.
    public let mediator: Mediator
    /// The hypervisor's port (guest memory, page tracking, MSIs).
    public let mpt: MPTPort
    /// The clock the mediator reads: one reading per entry.
    public let clock: EntryClock
    /// Where live entries take their time from (nil: the caller passes it, as replay does).
    public let timeSource: MediatorClock?
    /// The recorder, if any.
    public weak var inputObserver: EngineInputObserver?
    /// Inputs performed so far (guest pages included when observed).
    public internal(set) var entries: UInt64 = 0
    /// VM RAM given out by `createVGPU`, per vGPU.
    public internal(set) var guestRAM: [VGPUID: [PageFrameNumber]] = [:]
    var stores = GuestStoreLog()

    /// An engine over `gpu` with a mediator of `configuration` whose hypervisor is `mpt`.
    /// `timeSource` gives live entries their time; replay passes none and supplies each
    /// entry's recorded time to `perform(_:at:)`.
    public init(configuration: MediatorConfiguration = MediatorConfiguration(), gpu: GPU, mpt: MPTPort,
                timeSource: MediatorClock?) {
        self.gpu = gpu
        self.mpt = mpt
        self.timeSource = timeSource
        self.clock = EntryClock()
        self.mediator = Mediator(configuration: configuration, host: gpu, mpt: mpt, clock: clock)
    }

    /// Notes that the guest of `writer` stored into host `frame` without trapping (the
    /// content becomes an input of the next entry).
    @inline(__always)
    public func noteGuestStore(_ frame: PageFrameNumber, writer: VGPUID) {
        stores.note(frame, writer: writer, frameCount: gpu.memory.frameCount)
    }

    /// Performs one input at `time` (default: a reading of `timeSource`, or the current
    /// entry time if there is none) and returns what the caller gets back.
    @discardableResult
    public func perform(_ input: EngineInput, at time: VirtualTime? = nil) -> EngineResult {
        let now = clock.enter(at: time ?? timeSource?.now() ?? clock.time)
        if case .guestPage = input {} else { reportGuestStores(at: now) }
        entries &+= 1
        inputObserver?.engine(self, willPerform: input, at: now)
        let result = execute(input, at: now)
        inputObserver?.engine(self, didPerform: input, result: result)
        return result
    }

    /// Hands the pages guests wrote since the last entry to the observer as inputs (their
    /// content is already in memory live; replay performs them to put it there).
    private func reportGuestStores(at now: VirtualTime) {
        let dirty = stores.take()
        guard let observer = inputObserver, !dirty.isEmpty else { return }
        let saved = gpu.memory.readObserver
        gpu.memory.readObserver = nil  // the recorder's reads are not the GPU's
        defer { gpu.memory.readObserver = saved }
        for (frame, writer) in dirty {
            let input = EngineInput.guestPage(frame, writer: writer, bytes: gpu.memory.page(frame))
            entries &+= 1
            observer.engine(self, willPerform: input, at: now)
            observer.engine(self, didPerform: input, result: .none)
        }
    }

    private func execute(_ input: EngineInput, at now: VirtualTime) -> EngineResult {
        switch input {
        case let .mmioRead(id, offset, size, origin):
            return .value(mediator.emulateMMIORead(id, offset: offset, size: size, origin: origin))
        case let .mmioWrite(id, offset, size, value, origin):
            mediator.emulateMMIOWrite(id, offset: offset, size: size, value: value, origin: origin)
        case let .configRead(id, offset, size, _):
            return .value(UInt64(mediator.emulateConfigRead(id, offset: offset, size: size)))
        case let .configWrite(id, offset, size, value, _):
            mediator.emulateConfigWrite(id, offset: offset, size: size, value: value)
        case let .pageTrackWrite(id, address, bytes, _):
            if !mediator.handlePageTrackWrite(id, address: address, bytes: bytes) {
                _ = mpt.writeGuest(id, address, bytes: bytes)
            }
        case let .guestPage(frame, _, bytes):
            guard frame.rawValue < gpu.memory.frameCount, bytes.count == PhysicalMemory.pageSize else {
                return .refused("page \(frame) is not a host page of 4096 bytes")
            }
            gpu.memory.setPage(frame, bytes)
        case let .createVGPU(typeName, ramPages):
            return createVGPU(typeName, ramPages: ramPages)
        case let .destroyVGPU(id):
            do { try mediator.destroyVGPU(id) } catch { return .refused("\(error)") }
            for frame in guestRAM.removeValue(forKey: id) ?? [] { gpu.memory.freeFrame(frame) }
        case let .resetVGPU(id):
            do { try mediator.resetVGPU(id, deviceModelLevel: true) } catch { return .refused("\(error)") }
        case .schedulerTick:
            mediator.schedulerTimerFired()
        case .vblankTick:
            if mediator.vblankTimerNeeded() { mediator.vblankTimerFired() }
        case .hangcheckTick:
            _ = gpu.hangcheck()
            deliverHardwareEvents()
        case .gpuSlice:
            // Engines run over (previous GPU time, now], then the GPU's own clock (display)
            // catches up: in this order, or `run` would clamp engines to the old time.
            for id in EngineID.allCases where gpu.engine(id).isBusy {
                gpu.run(id, until: now, maxCommands: 4096)
            }
            gpu.advance(to: now)
            deliverHardwareEvents()
        }
        return .none
    }

    private func createVGPU(_ typeName: String, ramPages: Int) -> EngineResult {
        guard let type = VGPUType.named(typeName) else { return .refused("unknown vGPU type \(typeName)") }
        guard ramPages > 0, ramPages <= Int(gpu.memory.frameCount) else { return .refused("bad RAM size \(ramPages) pages") }
        let id: VGPUID
        do { id = try mediator.createVGPU(type: type) } catch { return .refused("\(error)") }
        guard let frames = gpu.memory.allocateFrames(count: ramPages) else {
            try? mediator.destroyVGPU(id)
            return .refused("host memory exhausted: \(ramPages) pages of guest RAM")
        }
        guestRAM[id] = frames
        return .created(id, frames: frames)
    }

    /// Hands the GPU's pending events to the mediator.
    private func deliverHardwareEvents() {
        for event in gpu.drainEvents() { mediator.handleHardwareEvent(event) }
    }
}
