import Decode
import GPUModel
import Mediator

/// The debugger's views of command buffers: an engine's ring and a batch buffer, read from
/// the replayed memory and decoded with the Decode target's Gen9 decoder.
struct CommandInspector {
    let replayer: Replayer
    /// Most commands listed by one `ring` or `batch`.
    static let commandLimit = 64

    var gpu: GPU { replayer.engine.gpu }
    var mediator: Mediator { replayer.engine.mediator }

    /// Where a buffer is read from.
    enum Space {
        /// Host graphics memory through the host GGTT.
        case host(AddressSpace)
        /// A vGPU's graphics memory through its guest GGTT.
        case guest(VGPU)
    }

    /// Up to `count` dwords at `address` in `space`, stopping at the first page that does not
    /// translate; nothing is recorded.
    func read(_ address: GraphicsAddress, dwords count: Int, in space: Space) -> ContiguousArray<UInt32> {
        EngineInspector.quietly(replayer) {
            var out = ContiguousArray<UInt32>()
            var at = address.rawValue & ~3
            while out.count < count {
                let inPage = Int(4096 - (at & 0xFFF)) / 4
                let n = min(inPage, count - out.count)
                let bytes: [UInt8]?
                switch space {
                case .host(let addressSpace):
                    switch gpu.graphicsMemory.translate(GraphicsAddress(at), in: addressSpace) {
                    case .success(let pa) where gpu.memory.contains(pa, count: n * 4): bytes = gpu.memory.read(pa, count: n * 4)
                    default: bytes = nil
                    }
                case .guest(let vgpu):
                    bytes = mediator.guestGGTTTranslate(vgpu, GraphicsAddress(at)).flatMap {
                        replayer.hypervisor.readGuest(vgpu.id, $0, count: n * 4)
                    }
                }
                guard let bytes, bytes.count == n * 4 else { break }
                for k in 0..<n {
                    out.append(UInt32(bytes[4 * k]) | UInt32(bytes[4 * k + 1]) << 8 | UInt32(bytes[4 * k + 2]) << 16 | UInt32(bytes[4 * k + 3]) << 24)
                }
                at += UInt64(n * 4)
            }
            return out
        }
    }

    /// `ring ENGINE`: the engine's ring (the loaded context's, else the shadow ring of the
    /// engine's owner), head and tail, and the commands decoded from the ring's start to its tail.
    func ring(_ engine: EngineID) -> String {
        let state = gpu.engine(engine)
        var lines: [String] = []
        let start: GraphicsAddress, size: UInt32, tail: UInt32
        var head: UInt32?
        if let context = state.context {
            start = context.ringStart
            size = context.ringSize
            tail = context.tail
            head = context.head
            lines.append("\(engine.name): context \(context.descriptor) loaded, ring \(hex(start.rawValue, width: 8)) size \(hex(size, width: 4)), "
                         + "head \(hex(context.head, width: 4)) tail \(hex(tail, width: 4)), ACTHD \(hex(context.acthd.rawValue, width: 8))"
                         + (context.batches.isEmpty ? "" : ", in batch at \(hex(context.batches.last!.pointer.rawValue, width: 8))"))
        } else if let owner = mediator.engineOwners[engine.index], let vgpu = mediator.vgpu(owner),
                  let shadow = vgpu.shadowContexts[engine.index] {
            start = shadow.ring.address
            size = UInt32(shadow.ring.size)
            tail = shadow.ringTail
            lines.append("\(engine.name): idle; shadow ring of vgpu \(owner.rawValue) at \(hex(start.rawValue, width: 8)) size \(hex(size, width: 4)), "
                         + "tail \(hex(tail, width: 4))")
        } else {
            let regs = gpu.registers
            start = GraphicsAddress(UInt64(regs[.ring(.start, engine)]))
            tail = regs[.ring(.tail, engine)] & 0x1F_FFF8
            head = regs[.ring(.head, engine)] & 0x1F_FFFC
            size = (regs[.ring(.ctl, engine)] & 0x1F_F000) + 4096
            lines.append("\(engine.name): no context loaded and no owner; ring registers: start \(hex(start.rawValue, width: 8)) "
                         + "head \(hex(head!, width: 4)) tail \(hex(tail, width: 4))")
            if start.rawValue == 0 { return lines.joined(separator: "\n") }
        }
        lines.append("  busy: \(state.isBusy ? "yes" : "no"), commands executed \(state.commandsExecuted), breadcrumbs \(state.breadcrumbs)"
                     + (state.stall.map { ", stalled (\($0))" } ?? ""))
        // The shadow ring is written sequentially from its start, so [0, tail) is whole commands.
        let dwords = read(start, dwords: Int(min(tail, size)) / 4, in: .host(.ggtt))
        if dwords.isEmpty {
            lines.append("  (nothing before the tail, or the ring is not mapped)")
            return lines.joined(separator: "\n")
        }
        var marks = [BatchMark(address: start.advanced(by: UInt64(tail)), label: "TAIL")]
        if let head { marks.append(BatchMark(address: start.advanced(by: UInt64(head)), label: "HEAD")) }
        let decoder = BatchDecoder(options: .init(engine: engine, baseAddress: start, followJumps: false, isRing: true,
                                                  stopAtBatchEnd: false, marks: marks, decodeFields: false))
        let titles = decoder.decodeAll(dwords).map { CommandFormatter.text($0).split(separator: "\n").first.map(String.init) ?? "" }
        if titles.count > Self.commandLimit { lines.append("  … \(titles.count - Self.commandLimit) earlier commands") }
        lines += titles.suffix(Self.commandLimit).map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    /// `batch ADDR`: the commands of the buffer at `address`, decoded with their fields, up
    /// to MI_BATCH_BUFFER_END or `dwords`.
    func batch(_ address: GraphicsAddress, engine: EngineID, space: Space, dwords: Int) -> String {
        let buffer = read(address, dwords: dwords, in: space)
        let where_: String
        switch space {
        case .host(.ggtt): where_ = "host GGTT"
        case .host(.ppgtt): where_ = "\(engine.name)'s PPGTT"
        case .guest(let vgpu): where_ = "vgpu \(vgpu.id.rawValue)'s GGTT"
        }
        guard !buffer.isEmpty else { return "batch \(hex(address.rawValue, width: 8)): not mapped in the \(where_)" }
        let decoder = BatchDecoder(options: .init(engine: engine, baseAddress: GraphicsAddress(address.rawValue & ~3), followJumps: false))
        var lines = ["batch \(hex(address.rawValue, width: 8)) (\(where_), \(engine.name) commands, \(buffer.count) dwords read):"]
        var commands = 0
        var stopped = false
        var noops = 0  // a run of MI_NOOP after the first one, shown as one line
        func flushNoops() {
            if noops > 0 { lines.append("  … \(noops) more MI_NOOP") }
            noops = 0
        }
        decoder.decode(buffer) { event in
            guard !stopped else { return }
            if let command = event.command {
                if command.name == "MI_NOOP", lines.last?.contains("MI_NOOP") == true || noops > 0 {
                    noops += 1
                    return
                }
                flushNoops()
                commands += 1
            }
            if commands > Self.commandLimit {
                stopped = true
                lines.append("  … (more than \(Self.commandLimit) commands)")
                return
            }
            lines.append(CommandFormatter.text(event).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
        flushNoops()
        return lines.joined(separator: "\n")
    }
}
