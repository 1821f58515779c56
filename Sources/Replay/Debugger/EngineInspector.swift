import GPUModel
import Mediator

/// Read-only text views of the replayed engine for the debugger: vGPUs, registers, the GGTT,
/// PPGTT walks, the scheduler and interrupts. Nothing here changes the engine or produces
/// records: memory is read with the observers detached (`quietly`).
public struct EngineInspector {
    /// The replay inspected.
    public let replayer: Replayer
    /// Guest PPGTT roots seen in workloads so far, per vGPU (for `ppgtt` when none is queued now).
    var knownRoots: [VGPUID: [GuestPPGTTRoot]] = [:]

    /// An inspector of `replayer`'s engine.
    public init(replayer: Replayer) { self.replayer = replayer }

    var gpu: GPU { replayer.engine.gpu }
    var mediator: Mediator { replayer.engine.mediator }

    /// Runs `body` with the memory read observer and the mediator's observer detached, so that
    /// what the debugger reads is neither recorded nor seen by the oracle.
    static func quietly<T>(_ replayer: Replayer, _ body: () throws -> T) rethrows -> T {
        let gpu = replayer.engine.gpu, mediator = replayer.engine.mediator
        let savedRead = gpu.memory.readObserver, savedObserver = mediator.observer
        gpu.memory.readObserver = nil
        mediator.observer = nil
        defer {
            gpu.memory.readObserver = savedRead
            mediator.observer = savedObserver
        }
        return try body()
    }

    /// The vGPU `id`, or a message saying which exist.
    func vgpu(_ id: Int) -> Result<VGPU, DebuggerError> {
        if let vgpu = mediator.vgpu(VGPUID(id)) { return .success(vgpu) }
        let existing = mediator.vgpuIDs.map { "\($0.rawValue)" }.joined(separator: ", ")
        return .failure(.init("no vgpu \(id) here (existing: \(existing.isEmpty ? "none" : existing))"))
    }

    /// Remembers the guest roots of the workloads queued now.
    mutating func noteRoots() {
        for vgpu in mediator.vgpus.compactMap({ $0 }) {
            for queue in vgpu.workloadQueues {
                for workload in queue where !(knownRoots[vgpu.id]?.contains(workload.guestRoot) ?? false) {
                    knownRoots[vgpu.id, default: []].append(workload.guestRoot)
                }
            }
        }
    }

    // MARK: info vgpu

    /// `info vgpu N`: type, slices, failsafe, fences, workload queues, execlist state.
    func info(vgpu id: Int) -> Result<String, DebuggerError> {
        vgpu(id).map { vgpu in
            var lines = ["vgpu \(id): type \(vgpu.type.name) (weight \(vgpu.type.weight), \(vgpu.type.resolution.width)x\(vgpu.type.resolution.height))"]
            lines.append("  aperture \(range(vgpu.slices.aperture))  hidden \(range(vgpu.slices.hidden))")
            lines.append("  failsafe: " + (vgpu.failsafe.map { $0.rawValue } ?? "no") + "  pv notified: \(vgpu.pvNotified ? "yes" : "no")"
                         + "  scheduled: \(vgpu.scheduled ? "yes" : "no")")
            let fences = vgpu.hostFences.enumerated().map { guest, host in
                "\(guest)->\(host)=\(hex(vgpu.vregs.qword(Reg.fence(guest)), width: 16))"
            }
            lines.append("  fences (guest->host=guest value): " + (fences.isEmpty ? "none" : fences.joined(separator: " ")))
            lines.append("  shadow ppgtt: \(vgpu.ppgtt.ppgttCount) mm, \(vgpu.ppgtt.tableCount) tables, "
                         + "\(vgpu.ppgtt.trackedGuestFrames.count) guest frames tracked")
            for engine in EngineID.allCases {
                let queue = vgpu.workloadQueues[engine.index]
                let list = vgpu.execlists[engine.index]
                let running = list.running.map { $0.elements.map { "\($0)" }.joined(separator: ",") } ?? "-"
                let pending = list.pending.map { $0.elements.map { "\($0)" }.joined(separator: ",") } ?? "-"
                lines.append("  \(engine.name): execlist running [\(running)] pending [\(pending)] csb wp \(list.csbWritePointer)"
                             + "  hws \(hex(vgpu.hwsPGA[engine.index].rawValue, width: 8))"
                             + (mediator.engineOwners[engine.index] == vgpu.id ? "  owns the engine" : ""))
                lines.append("    workloads: " + (queue.isEmpty ? "none" : queue.map(workloadText).joined(separator: "; ")))
            }
            return lines.joined(separator: "\n")
        }
    }

    func workloadText(_ w: Workload) -> String {
        let state: String
        switch w.state {
        case .queued: state = "queued"
        case .dispatched: state = "dispatched"
        case .completed: state = "completed"
        case .failed(let why): state = "failed (\(why))"
        }
        return "#\(w.id) \(state) ring \(hex(w.ringStart.rawValue, width: 8)) head \(hex(w.head, width: 4)) tail \(hex(w.tail, width: 4)) ctx \(w.descriptor)"
    }

    func range(_ r: Range<UInt64>) -> String { "[\(hex(r.lowerBound, width: 8)), \(hex(r.upperBound, width: 8)))" }

    // MARK: regs

    /// `regs [vgpu N] [FILTER]`: registers with their catalogue names; FILTER is a name part,
    /// a group or engine name, or an offset. Without a filter only non-zero registers are shown.
    func regs(vgpu id: Int?, filter: String?) -> Result<String, DebuggerError> {
        let file: RegisterFile
        let title: String
        if let id {
            switch vgpu(id) {
            case .success(let vgpu): file = vgpu.vregs
            case .failure(let error): return .failure(error)
            }
            title = "vgpu \(id) virtual registers"
        } else {
            file = gpu.registers
            title = "host registers"
        }
        let catalogue = RegisterCatalogue.gen9
        var selected: [RegisterInfo]
        if let filter, let number = DebuggerArguments.number(filter) {
            guard number < UInt64(RegisterCatalogue.mmioSize) else { return .failure(.init("offset \(filter) is outside the 2 MiB MMIO space")) }
            let offset = MMIOOffset(UInt32(number) & ~3)
            if let info = catalogue.info(at: offset) {
                selected = [info]
            } else {
                return .success("\(title):\n  \(hex(UInt64(offset.rawValue), width: 5)) (unnamed) = \(hex(UInt64(file[offset]), width: 8))")
            }
        } else if let filter {
            let needle = filter.lowercased()
            selected = catalogue.registers.filter {
                $0.name.lowercased().contains(needle) || $0.group.rawValue == needle || $0.engine?.name == needle
            }
            if selected.isEmpty { return .failure(.init("no register matches \"\(filter)\"")) }
        } else {
            selected = catalogue.registers
        }
        var lines = [title + ":"]
        var hidden = 0
        for info in selected {
            let value = info.size == 8 ? file.qword(info.offset) : UInt64(file[info.offset])
            if filter == nil && value == 0 {
                hidden += 1
                continue
            }
            lines.append("  \(hex(UInt64(info.offset.rawValue), width: 5)) \(info.name) = \(hex(value, width: info.size == 8 ? 16 : 8))")
        }
        if hidden > 0 { lines.append("  (\(hidden) zero registers not shown; give a filter to see them)") }
        return .success(lines.joined(separator: "\n"))
    }

    // MARK: ggtt

    /// `ggtt RANGE`: host GGTT entries in a range of indices (or addresses, when written as
    /// addresses: `0x100000-0x108000`), with the graphics-memory owner and the frame's owner.
    func ggtt(first: Int, count: Int) -> String {
        let end = min(first + count, GGTT.entryCount)
        var lines: [String] = []
        for index in first..<end {
            let entry = gpu.ggtt[index]
            let address = GraphicsAddress(UInt64(index) << 12)
            let slice = mediator.vgpus.compactMap { $0 }.first { $0.slices.contains(address) }.map { "vgpu \($0.id.rawValue) slice" } ?? "host"
            let frame = entry.isPresent ? "\(replayer.hypervisor.owner(of: entry.frame))" : "-"
            lines.append("  [\(hex(UInt64(index), width: 5))] \(hex(address.rawValue, width: 8)): \(hex(entry.rawValue, width: 16)) "
                         + "\(entry.isPresent ? "pfn \(hex(entry.frame.rawValue, width: 5))" : "not present")  owner \(slice), frame \(frame)")
        }
        let present = (first..<end).filter { gpu.ggtt[$0].isPresent }.count
        return "host GGTT entries \(hex(UInt64(first), width: 5))..<\(hex(UInt64(end), width: 5)) (\(present) present):\n"
            + lines.joined(separator: "\n")
    }

    // MARK: ppgtt

    /// `ppgtt VGPU GMA`: for each guest PPGTT root known for the vGPU, the guest's walk (guest
    /// tables in guest RAM) beside the shadow walk (the mediator's host tables).
    func ppgtt(vgpu id: Int, gma: GraphicsAddress, root explicit: GuestPPGTTRoot?) -> Result<String, DebuggerError> {
        switch vgpu(id) {
        case .failure(let error): return .failure(error)
        case .success(let vgpu):
            var roots: [GuestPPGTTRoot] = []
            func add(_ root: GuestPPGTTRoot) { if !roots.contains(root.normalized) { roots.append(root.normalized) } }
            if let explicit { add(explicit) }
            for engine in EngineID.allCases {
                if let w = mediator.currentWorkloads[engine.index], w.vgpu == vgpu.id { add(w.guestRoot) }
                for w in vgpu.workloadQueues[engine.index] { add(w.guestRoot) }
            }
            let pdps = (0..<4).map { GuestPhysicalAddress(vgpu.vregs.qword(PVInfo.pdp($0))) }
            if pdps[0].rawValue != 0 {
                add(.fourLevel(pml4: pdps[0]))
                add(.threeLevel(pdps: pdps))
            }
            for root in knownRoots[vgpu.id] ?? [] { add(root) }
            roots = roots.filter { root in root == explicit?.normalized || mediator.findPPGTT(vgpu, root: root) != nil }
            if roots.isEmpty {
                return .failure(.init("vgpu \(id) has no shadow PPGTT here (give a root: ppgtt \(id) GMA root PML4_GPA)"))
            }
            var out: [String] = []
            for root in roots {
                out.append("vgpu \(id) \(root), address \(hex(gma.rawValue, width: 12)):")
                let guest = guestWalk(vgpu, root: root, gma: gma)
                var shadow: [String] = ["(no shadow PPGTT for this root)"]
                if let handle = mediator.findPPGTT(vgpu, root: root) {
                    if mediator.isShadowed(handle) {
                        let walk = Self.quietly(replayer) { PPGTT.walk(gma, root: mediator.shadowRoot(handle), memory: gpu.memory) }
                        shadow = walk.steps.map { "\(levelName($0.level))[\($0.index)] \($0.entry)" }
                        switch walk.result {
                        case .success(let pa): shadow.append("-> host \(pa) (\(hex(UInt64(pa.frame.rawValue), width: 5)) \(replayer.hypervisor.owner(of: pa.frame)))")
                        case .failure(let fault): shadow.append("-> \(fault)")
                        }
                    } else {
                        shadow = ["(shadow reclaimed: not shadowed now)"]
                    }
                }
                let width = max(34, (guest.map(\.count).max() ?? 0) + 2)
                out.append("  " + "guest".padding(toLength: width, withPad: " ", startingAt: 0) + "shadow")
                for k in 0..<max(guest.count, shadow.count) {
                    let left = k < guest.count ? guest[k] : ""
                    out.append("  " + left.padding(toLength: width, withPad: " ", startingAt: 0) + (k < shadow.count ? shadow[k] : ""))
                }
            }
            return .success(out.joined(separator: "\n"))
        }
    }

    func levelName(_ level: Int) -> String { ["PT", "PT", "PD", "PDP", "PML4"][min(max(level, 0), 4)] }

    /// The guest's walk, level by level, read through the MPT port (no records).
    func guestWalk(_ vgpu: VGPU, root: GuestPPGTTRoot, gma: GraphicsAddress) -> [String] {
        let va = gma.rawValue
        var table: UInt64
        var level: Int
        switch root {
        case .fourLevel(let pml4):
            guard va < 1 << 48 else { return ["outside the 48-bit address space"] }
            table = pml4.rawValue & ~0xFFF
            level = 4
        case .threeLevel(let pdps):
            guard va < 1 << 32 else { return ["outside the 32-bit address space"] }
            let index = Int(va >> 30)
            table = index < pdps.count ? pdps[index].rawValue & ~0xFFF : 0
            level = 2
        }
        var lines: [String] = []
        var pages64K = false
        while table != 0 {
            let shift = UInt64(12 + 9 * (level - 1))
            var index = (va >> shift) & 0x1FF
            if level == 1 && pages64K { index &= ~15 }
            let at = GuestPhysicalAddress(table + index * 8)
            let bytes = Self.quietly(replayer) { replayer.hypervisor.readGuest(vgpu.id, at, count: 8) }
            guard let bytes, bytes.count == 8 else {
                lines.append("\(levelName(level))[\(index)] @ gpa \(hex(at.rawValue, width: 9)): outside guest RAM")
                return lines
            }
            let entry = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            lines.append("\(levelName(level))[\(index)] \(PPGTTEntry(rawValue: entry))")
            guard entry & PPGTTEntry.presentBit != 0 else {
                lines.append("-> not present")
                return lines
            }
            let next = entry & PPGTTEntry.addressMask
            var leaf: UInt64 = 0
            switch level {
            case 3 where entry & PPGTTEntry.pageSizeBit != 0: leaf = 1 << 30
            case 2 where entry & PPGTTEntry.pageSizeBit != 0: leaf = 1 << 21
            case 2: pages64K = entry & PPGTTEntry.ipsBit != 0
            case 1: leaf = pages64K ? 1 << 16 : 1 << 12
            default: break
            }
            if leaf != 0 {
                lines.append("-> gpa \(hex(next & ~(leaf - 1) | va & (leaf - 1), width: 9))")
                return lines
            }
            table = next
            level -= 1
        }
        lines.append("-> root pointer not present")
        return lines
    }

    // MARK: sched

    /// `sched`: policy, current and next vGPU, engine owners, the run queue with budgets.
    func sched() -> String {
        let s = mediator.scheduler
        var lines = ["scheduler: policy \(s.policyKind), current \(s.currentVGPU.map { "vgpu \($0.rawValue)" } ?? "none"), "
                     + "next \(s.nextVGPU.map { "vgpu \($0.rawValue)" } ?? "none"), reschedule \(s.needReschedule ? "pending" : "no"), "
                     + "timer \(s.timerArmed ? "armed" : "off")"]
        lines.append("engine owners: " + EngineID.allCases.map { e in
            "\(e.name) \(mediator.engineOwners[e.index].map { "vgpu \($0.rawValue)" } ?? "host")"
                + (mediator.currentWorkloads[e.index].map { " (workload #\($0.id))" } ?? "")
                + (gpu.engine(e).isBusy ? " busy" : " idle")
        }.joined(separator: ", "))
        let queue = s.runQueue { id in mediator.vgpu(id)?.workloadQueues.contains { !$0.isEmpty } ?? false }
        lines.append("run queue:" + (queue.isEmpty ? " empty" : ""))
        for budget in queue { lines.append("  \(budget)") }
        return lines.joined(separator: "\n")
    }

    // MARK: irq

    /// `irq`: every interrupt bank's ISR/IMR/IIR/IER, host and per vGPU, with the master register.
    func irq() -> String {
        var lines: [String] = []
        func bankLines(_ title: String, _ file: RegisterFile) {
            lines.append("\(title): master \(hex(UInt64(file[Reg.masterIRQ]), width: 8))")
            for bank in InterruptBank.allCases {
                let v = (file[bank.isr], file[bank.imr], file[bank.iir], file[bank.ier])
                if v.0 == 0 && v.2 == 0 && v.3 == 0 && (v.1 == 0 || v.1 == 0xFFFF_FFFF) { continue }
                lines.append("  \(String(describing: bank).padding(toLength: 8, withPad: " ", startingAt: 0)) isr \(hex(UInt64(v.0), width: 8)) "
                             + "imr \(hex(UInt64(v.1), width: 8)) iir \(hex(UInt64(v.2), width: 8)) ier \(hex(UInt64(v.3), width: 8))")
            }
        }
        bankLines("host", gpu.registers)
        for vgpu in mediator.vgpus.compactMap({ $0 }) {
            bankLines("vgpu \(vgpu.id.rawValue)" + (mediator.hasPendingVirtualInterrupt(vgpu) ? " (interrupt pending)" : ""), vgpu.vregs)
        }
        lines.append("MSIs injected so far: \(replayer.hypervisor.msiCount)")
        lines.append("(banks with nothing set and everything masked are not shown)")
        return lines.joined(separator: "\n")
    }
}
