import GPUModel
import Hypervisor
import Mediator

/// The work a guest submits, built from real Gen9 encodings: render-like batches (3D
/// state, 3DPRIMITIVE, PIPE_CONTROL), blitter fills and copies into its framebuffer,
/// video/VEBOX batches, second-level and chained batches, GGTT (privileged) and PPGTT
/// batches. Buffers are allocated once; each call writes a fresh batch and returns the
/// ring body to submit.
public final class GuestWorkloads: @unchecked Sendable {
    let guest: GuestDriver
    /// PPGTT batch pages (render, chained, second level) and a data page.
    let batches: (gma: GraphicsAddress, frame: GuestFrameNumber)
    /// A privileged batch in the hidden GGTT slice.
    let ggttBatch: (gma: GraphicsAddress, frame: GuestFrameNumber)
    /// Data the batches store into (PPGTT).
    let data: (gma: GraphicsAddress, frame: GuestFrameNumber)
    var round: UInt32 = 0

    /// Allocates the guest's batch buffers.
    public init(_ guest: GuestDriver) throws(GuestError) {
        self.guest = guest
        batches = try guest.allocatePPGTT(pages: 4)
        data = try guest.allocatePPGTT(pages: 1)
        ggttBatch = try guest.mapGGTT(pages: 1, hidden: true)
    }

    func write(_ dwords: [UInt32], frame: GuestFrameNumber, page: UInt64 = 0) {
        guest.ramWrite(GuestPhysicalAddress(frame: GuestFrameNumber(frame.rawValue + page)), dwords)
    }

    /// RCS: a PPGTT batch with 3D state and primitives, a second-level batch storing a
    /// marker, and a chained batch; the ring body starts the first batch.
    public func render(vertices: UInt32 = 3) -> [UInt32] {
        round &+= 1
        var first: [UInt32] = [0x6904_0300]  // PIPELINE_SELECT 3D (mask bits 9:8, select 0)
        for name in ["3DSTATE_CLEAR_PARAMS", "3DSTATE_VF", "3DSTATE_DRAWING_RECTANGLE", "3DSTATE_VF_STATISTICS"] {
            first += TableCommand.make(name, engine: .rcs) ?? []
        }
        first += CommandEncoder.primitive(vertices: vertices)
        let second = batches.gma.advanced(by: 0x1000), chained = batches.gma.advanced(by: 0x2000)
        first += CommandEncoder.batchStart(second, ppgtt: true, secondLevel: true)
        first += CommandEncoder.primitive(vertices: vertices * 2, instances: 2)
        first += CommandEncoder.batchStart(chained, ppgtt: true)  // chain: no return
        write(first, frame: batches.frame)
        write(CommandEncoder.storeDataImmediate(data.gma, round) + CommandEncoder.batchEnd, frame: batches.frame, page: 1)
        write(CommandEncoder.primitive(vertices: 3) + CommandEncoder.pipeControl(store: UInt64(round), at: data.gma.advanced(by: 8))
              + CommandEncoder.batchEnd, frame: batches.frame, page: 2)
        return CommandEncoder.batchStart(batches.gma, ppgtt: true)
    }

    /// BCS: fills band `band` of the back buffer with the VM's colour (ring commands, GGTT).
    public func fill(band: Int, bands: Int = 4) -> [UInt32] {
        guard let target = guest.backBuffer, let size = guest.screenSize else { return CommandEncoder.noop }
        let h = UInt32(size.height / bands), y = UInt32(band) * h
        return CommandEncoder.colorBlit(target, pitch: UInt32(size.width * 4), x1: 0, y1: y, x2: UInt32(size.width),
                                        y2: y + h, color: GuestDriver.colour(guest.number, band: band))
    }

    /// BCS: a PPGTT batch copying the back buffer's top band onto its bottom band.
    public func copy() -> [UInt32] {
        guard let target = guest.backBuffer, let size = guest.screenSize else { return CommandEncoder.noop }
        let pitch = UInt32(size.width * 4), h = UInt32(size.height / 4)
        let batch = CommandEncoder.sourceCopyBlit(to: target, pitch: pitch, x1: 0, y1: 3 * h, x2: UInt32(size.width),
                                                  y2: 4 * h, from: target, sourcePitch: pitch, sourceX: 0, sourceY: 0)
            + CommandEncoder.batchEnd
        write(batch, frame: batches.frame, page: 3)
        return CommandEncoder.batchStart(batches.gma.advanced(by: 0x3000), ppgtt: true)
    }

    /// VCS: MFX commands by table-valid headers, a store, MI_FLUSH_DW.
    public func video() -> [UInt32] {
        var body: [UInt32] = []
        body += TableCommand.make("MFX_WAIT", engine: .vcs) ?? []
        body += CommandEncoder.storeDataImmediate(data.gma.advanced(by: 0x10), round)
        body += CommandEncoder.flushDW()
        return body
    }

    /// VECS: VEBOX-engine work (MI_FLUSH_DW with a post-sync store into its data page).
    public func vebox() -> [UInt32] {
        CommandEncoder.storeDataImmediate(data.gma.advanced(by: 0x20), round) + CommandEncoder.flushDW()
    }

    /// RCS: a privileged (GGTT) batch in the hidden slice storing into the guest's own
    /// status page (GGTT), as i915 does for its kernel context.
    public func privileged(engine: EngineID) -> [UInt32] {
        let target = guest.seqnoAddress(engine).advanced(by: 0x40)
        write(CommandEncoder.storeDataImmediate(target, round, ggtt: true) + CommandEncoder.batchEnd, frame: ggttBatch.frame)
        return CommandEncoder.batchStart(ggttBatch.gma, ppgtt: false)
    }

    /// The next mixed op for `engine`.
    public func next(_ engine: EngineID, step: Int) -> [UInt32] {
        switch engine {
        case .rcs: return step % 3 == 2 ? privileged(engine: .rcs) : render(vertices: UInt32(3 + step % 30))
        case .bcs: return step % 5 == 4 ? copy() : fill(band: step % 4)
        case .vcs: return video()
        case .vecs: return vebox()
        }
    }
}
