import GPUModel
import Hypervisor
import Mediator

/// One engine as the guest drives it (i915 `intel_engine_cs` + its one logical context):
/// status page, context image, ring, seqno breadcrumbs, CSB head, hangcheck sample.
struct GuestRing {
    var engine: EngineID
    var hwsp: GraphicsAddress
    var hwspFrame: GuestFrameNumber
    var lrca: GraphicsAddress
    var lrcaFrame: GuestFrameNumber
    var ring: GraphicsAddress
    var ringFrame: GuestFrameNumber
    var ringSize: UInt32
    var tail: UInt32 = 0
    var descriptor: ContextDescriptor
    /// Last seqno emitted and last one seen in the HWSP.
    var emitted: UInt32 = 0
    var completed: UInt32 = 0
    /// CSB head (last entry consumed), i915 starts at entries - 1.
    var csbHead: UInt32 = 5
    /// True between an ELSP write and the CSB entry that ends it.
    var busy = false
    /// Hangcheck: seqno at the last check and checks without progress.
    var hangcheckSeqno: UInt32 = 0
    var stuckChecks = 0
}

extension GuestDriver {
    /// i915's HWSP seqno slot (I915_GEM_HWS_INDEX 0x30, in dwords).
    static let seqnoByteOffset: UInt64 = 0x30 * 4
    /// HWSP CSB entries (dword 0x10) and write pointer (dword 0x1F).
    static let csbByteOffset: UInt64 = 0x10 * 4
    static let csbWritePointerByteOffset: UInt64 = 0x1F * 4
    /// Guest hangcheck: checks without seqno progress before a reset.
    public static let hangcheckLimit = 12

    /// Status page, context and ring of `engine`; HWS_PGA; execlists enabled (RING_MODE).
    func initEngine(_ engine: EngineID) throws(GuestError) {
        let hwsp = try mapGGTT(pages: 1)
        let lrca = try mapGGTT(pages: ContextImage.pageCount(for: engine))
        let ringPages = 4
        let ring = try mapGGTT(pages: ringPages)
        // HWSP: CSB write pointer "empty" (7) as the reset value the mediator also uses.
        ramWrite(GuestPhysicalAddress(frame: hwsp.frame, offset: Self.csbWritePointerByteOffset), [7])
        let state = ContextImage.initialStatePage(engine: engine, ringStart: ring.gma, ringSize: UInt32(ringPages * 4096),
                                                  pdps: [pml4.rawValue << 12, 0, 0, 0])
        ramWrite(GuestPhysicalAddress(frame: GuestFrameNumber(lrca.frame.rawValue + 1)), state)
        let descriptor = ContextDescriptor(lrca: lrca.gma, contextID: UInt32(engine.index + 1) << 4 | UInt32(number),
                                           addressingMode: .legacy64, privileged: true)
        rings[engine.index] = GuestRing(engine: engine, hwsp: hwsp.gma, hwspFrame: hwsp.frame, lrca: lrca.gma,
                                        lrcaFrame: lrca.frame, ring: ring.gma, ringFrame: ring.frame,
                                        ringSize: UInt32(ringPages * 4096), descriptor: descriptor)
        writel(MMIOOffset.ring(.hwsPGA, engine), UInt32(truncatingIfNeeded: hwsp.gma.rawValue))
        writelConstant(UInt64(MMIOOffset.ring(.mode, engine).rawValue), 0x8000_8000)  // GFX_RUN_LIST_ENABLE (masked)
    }

    /// True if the engine has no request in flight.
    public func isIdle(_ engine: EngineID) -> Bool { !(rings[engine.index]?.busy ?? true) }

    /// The HWSP address of `engine` (GGTT), for post-sync writes.
    func seqnoAddress(_ engine: EngineID) -> GraphicsAddress {
        rings[engine.index]!.hwsp.advanced(by: Self.seqnoByteOffset)
    }

    /// Emits one request: `body` then the breadcrumb (PIPE_CONTROL on RCS, MI_FLUSH_DW
    /// elsewhere, post-sync write of the seqno to the HWSP) and MI_USER_INTERRUPT; updates
    /// RING_TAIL in the context image and submits through ELSP (4 dword writes). Returns
    /// false if the engine is busy.
    @discardableResult
    public func submit(_ engine: EngineID, _ body: [UInt32]) -> Bool {
        guard var ring = rings[engine.index], !ring.busy else { return false }
        ring.emitted &+= 1
        let seqno = ring.emitted
        var dwords = body
        let address = ring.hwsp.advanced(by: Self.seqnoByteOffset)
        if engine == .rcs {
            dwords += CommandEncoder.pipeControl(store: UInt64(seqno), at: address, ggtt: true)
        } else {
            dwords += CommandEncoder.flushDW(store: seqno, at: address, ggtt: true)
        }
        dwords += CommandEncoder.userInterrupt
        if dwords.count % 2 == 1 { dwords += CommandEncoder.noop }
        guard dwords.count * 4 < Int(ring.ringSize) - 64 else { return false }
        // Ring contents: plain stores into guest RAM (the ring is in its GGTT slice).
        var at = ring.tail
        var chunk: [UInt32] = []
        func flush(_ start: UInt32) {
            guard !chunk.isEmpty else { return }
            ramWrite(GuestPhysicalAddress(frame: ring.ringFrame, offset: UInt64(start)), chunk)
            chunk.removeAll()
        }
        var chunkStart = at
        for dword in dwords {
            chunk.append(dword)
            at = (at + 4) % ring.ringSize
            if at == 0 { flush(chunkStart); chunkStart = 0 }
        }
        flush(chunkStart)
        ring.tail = at
        let statePage = GuestFrameNumber(ring.lrcaFrame.rawValue + 1)
        ramWrite(GuestPhysicalAddress(frame: statePage, offset: ContextImage.Slot.ringTail.valueByteOffset), [ring.tail])
        ring.busy = true
        ring.stuckChecks = 0
        ring.hangcheckSeqno = ring.completed
        rings[engine.index] = ring
        let submission = ExeclistSubmission(element0: ring.descriptor, element1: ContextDescriptor(rawValue: 0))
        let elsp = UInt64(MMIOOffset.ring(.elsp, engine).rawValue)
        for dword in submission.elspDwords {
            execute(.writelR8, base: bar0, disp: Int32(elsp), value: UInt64(dword))
        }
        stats.submitted += 1
        return true
    }

    /// Reads the CSB from the HWSP and the seqno breadcrumb for every engine (i915
    /// `execlists_process_csb` + `i915_request_completed`).
    public func processCompletions() {
        for engine in EngineID.allCases {
            guard var ring = rings[engine.index] else { continue }
            let seqno = ramRead32(GuestPhysicalAddress(frame: ring.hwspFrame, offset: Self.seqnoByteOffset))
            if seqno != ring.completed, seqno &- ring.completed < 0x8000_0000 {
                stats.completed += Int(seqno &- ring.completed)
                ring.completed = seqno
            }
            let wp = ramRead32(GuestPhysicalAddress(frame: ring.hwspFrame, offset: Self.csbWritePointerByteOffset))
            if wp < 6 {
                while ring.csbHead != wp {
                    ring.csbHead = (ring.csbHead + 1) % 6
                    let entry = ramRead32(GuestPhysicalAddress(frame: ring.hwspFrame,
                                                               offset: Self.csbByteOffset + UInt64(ring.csbHead) * 8))
                    let flags = ContextStatus.Flags(rawValue: entry)
                    if flags.contains(.activeToIdle) || flags.contains(.complete) { ring.busy = false }
                }
            }
            if ring.completed == ring.emitted { ring.busy = false }
            rings[engine.index] = ring
        }
    }

    /// The guest's own hangcheck (i915 `i915_hangcheck_elapsed`): an engine with a request
    /// in flight whose seqno has not moved for `hangcheckLimit` checks is reset through
    /// GDRST; the hung request is skipped (ring head := tail) and marked complete.
    /// Returns the engines reset.
    @discardableResult
    public func hangcheck() -> [EngineID] {
        var reset: [EngineID] = []
        for engine in EngineID.allCases {
            guard var ring = rings[engine.index], ring.busy else { continue }
            if ring.completed == ring.hangcheckSeqno {
                ring.stuckChecks += 1
            } else {
                ring.stuckChecks = 0
                ring.hangcheckSeqno = ring.completed
            }
            rings[engine.index] = ring
            if ring.stuckChecks >= Self.hangcheckLimit {
                stats.hangsDetected += 1
                resetEngine(engine)
                reset.append(engine)
            }
        }
        return reset
    }

    /// i915 `intel_gpu_reset` for one engine: GDRST bit, wait for it to clear, then
    /// re-initialise the engine (HWS_PGA, RING_MODE) and skip the guilty request.
    public func resetEngine(_ engine: EngineID) {
        let bit: UInt32
        switch engine {
        case .rcs: bit = GPU.ResetBit.render
        case .bcs: bit = GPU.ResetBit.blitter
        case .vcs: bit = GPU.ResetBit.media
        case .vecs: bit = GPU.ResetBit.vecs
        }
        writel(Reg.gdrst, bit)
        var polls = 0
        while readl(Reg.gdrst) & bit != 0 && polls < 100 { polls += 1 }
        stats.gdrstResets += 1
        guard var ring = rings[engine.index] else { return }
        // Skip the hung request: head = tail in the context image, breadcrumb written by
        // the CPU (i915 marks the request complete with -EIO).
        let statePage = GuestFrameNumber(ring.lrcaFrame.rawValue + 1)
        ramWrite(GuestPhysicalAddress(frame: statePage, offset: ContextImage.Slot.ringHead.valueByteOffset), [ring.tail])
        ramWrite(GuestPhysicalAddress(frame: ring.hwspFrame, offset: Self.seqnoByteOffset), [ring.emitted])
        ramWrite(GuestPhysicalAddress(frame: ring.hwspFrame, offset: Self.csbWritePointerByteOffset), [7])
        ring.completed = ring.emitted
        ring.csbHead = 5
        ring.busy = false
        ring.stuckChecks = 0
        rings[engine.index] = ring
        writel(MMIOOffset.ring(.hwsPGA, engine), UInt32(truncatingIfNeeded: ring.hwsp.rawValue))
        writelConstant(UInt64(MMIOOffset.ring(.mode, engine).rawValue), 0x8000_8000)
    }
}
