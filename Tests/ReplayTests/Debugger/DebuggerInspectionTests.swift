import Foundation
import GPUModel
import Journal
import Testing
@testable import Replay

/// The views: ring, batch, regs, ggtt, ppgtt, info, sched, irq, display; and bad commands.
@Suite(.serialized) struct DebuggerInspectionTests {
    @Test func ringAndBatchAreDecodedWithCommandNames() throws {
        let session = try DebuggerSession()
        _ = session.run("next workload-dispatched")
        let entry = try #require(session.debugger.current)
        guard case let .workloadDispatched(_, engineIndex, _)? = entry.recorded.first(where: { $0.event.knownKind == .workloadDispatched })?.event else {
            Issue.record("no dispatch in \(entry)")
            return
        }
        let engine = EngineID.at(index: Int(engineIndex))
        let ring = session.run("ring \(engine.name)")
        #expect(ring.contains("\(engine.name): context"), "\(ring)")
        #expect(ring.contains("<== HEAD"))
        #expect(ring.contains("MI_"), "\(ring)")
        let start = try #require(session.debugger.replayer.engine.gpu.engine(engine).context?.ringStart)
        let batch = session.run("batch \(hex(start.rawValue)) \(engine.name)")
        #expect(batch.hasPrefix("batch \(hex(start.rawValue, width: 8)) (host GGTT, \(engine.name) commands"), "\(batch)")
        #expect(batch.contains("MI_"))
        #expect(!batch.contains("UNKNOWN"))
        #expect(session.run("batch 0xfffff000").contains("not mapped in the host GGTT"))
        #expect(session.run("ring xcs").hasPrefix("error: unknown engine"))
    }

    @Test func registersGGTTAndPPGTTViews() throws {
        let session = try DebuggerSession()
        _ = session.run("next workload-dispatched")
        let tail = session.run("regs vgpu 1 RCS_RING_TAIL")
        #expect(tail.contains("0x02030 RCS_RING_TAIL = 0x"))
        #expect(session.run("regs 0x2030") == "host registers:\n  0x02030 RCS_RING_TAIL = \(hex(session.debugger.replayer.engine.gpu.registers[0x2030], width: 8))")
        #expect(session.run("regs nosuchreg").hasPrefix("error: no register matches"))

        let vgpu = try #require(session.debugger.replayer.engine.mediator.vgpu(.init(1)))
        let first = vgpu.slices.aperture.lowerBound
        let ggtt = session.run("ggtt \(hex(first))+2")
        #expect(ggtt.hasPrefix("host GGTT entries \(hex(first >> 12, width: 5))..<"), "\(ggtt)")
        #expect(ggtt.contains("owner vgpu 1 slice"))
        #expect(session.run("ggtt 5-2").hasPrefix("error: range"))

        // PPGTT: the walk of the first page the guest mapped, guest and shadow side by side.
        let ppgtt = session.run("ppgtt 1 0x0")
        #expect(ppgtt.contains("guest") && ppgtt.contains("shadow"), "\(ppgtt)")
        #expect(ppgtt.contains("PML4[0]") || ppgtt.contains("PD["))
        #expect(session.run("ppgtt 5 0x0").hasPrefix("error: no vgpu 5"))
    }

    @Test func infoSchedIrqAndDisplay() throws {
        let session = try DebuggerSession()
        #expect(session.run("info vgpu 1").hasPrefix("error: no vgpu 1 here"))
        _ = session.run("next workload-dispatched")
        let info = session.run("info vgpu 1")
        #expect(info.hasPrefix("vgpu 1: type GVTg_V5_4"))
        #expect(info.contains("failsafe: no"))
        #expect(info.contains("fences"))
        #expect(info.contains("workloads: #"))
        let sched = session.run("sched")
        #expect(sched.contains("scheduler: policy"))
        #expect(sched.contains("run queue:"))
        #expect(sched.contains("vgpu1 w"))
        let irq = session.run("irq")
        #expect(irq.hasPrefix("host: master"))
        #expect(irq.contains("vgpu 1"))
        let display = session.run("display")
        #expect(display.contains("host (vblanks processed"))
        #expect(display.contains("vgpu 1 (monitor"))
    }

    @Test func badCommandsGiveMessagesAndChangeNothing() throws {
        let session = try DebuggerSession()
        _ = session.run("step 5")
        let place = session.run("where")
        let bad = ["frobnicate", "step x", "step 0", "goto", "goto abc", "break", "break nonsense", "break kind nope",
                   "break verdict maybe", "watch", "watch reg", "watch reg NOPE", "watch ggtt 1-5", "delete 77",
                   "info", "info vgpu", "info vgpu 300", "regs vgpu", "ggtt", "ggtt 0x1_0000_0000_0", "ppgtt", "ppgtt 1",
                   "ppgtt 1 0x0 root", "ring", "batch", "batch 0x1000 nope", "display png", "display png /tmp/x.png vgpu",
                   "display nonsense", "reverse-step -1", "next"]
        for line in bad {
            let out = session.run(line)
            let listing = ["break", "watch"].contains(line)
            #expect(listing ? out.hasPrefix("no ") : out.hasPrefix("error: "), "\(line) -> \(out)")
        }
        #expect(session.run("where") == place)
        #expect(session.run("") == "")
        #expect(session.run("# a comment") == "")
        #expect(session.run("help").contains("reverse-continue"))
        #expect(!session.debugger.finished)
        _ = session.run("quit")
        #expect(session.debugger.finished)
    }
}
