import GPUModel
import Journal
import Mediator

extension Debugger {
    /// One command of the help table: its forms and what it does.
    public struct CommandHelp: Sendable {
        /// Usage forms ("step [N]").
        public let usage: String
        /// One line of explanation.
        public let summary: String
    }

    /// Every command, in the order `help` lists them.
    public static let commands: [CommandHelp] = [
        .init(usage: "goto SEQ", summary: "go to the entry holding record SEQ (backwards through checkpoints)"),
        .init(usage: "step [N]", summary: "replay N entries (default 1); stops early at a breakpoint or watchpoint"),
        .init(usage: "next KIND", summary: "replay until an entry with a record of KIND (e.g. workload-dispatched)"),
        .init(usage: "continue", summary: "replay until a breakpoint, watchpoint, divergence or the end"),
        .init(usage: "reverse-step [N]", summary: "go back N entries (default 1)"),
        .init(usage: "reverse-continue", summary: "go back to the latest earlier breakpoint or watchpoint stop"),
        .init(usage: "break [kind] KIND | vgpu N | engine E | register R | address GMA | verdict [KIND]",
              summary: "stop on entries matching; `break` alone lists breakpoints"),
        .init(usage: "watch reg R [vgpu N] | ggtt INDEX|GMA | page VGPU GPA",
              summary: "stop when a host/vGPU register, host GGTT entry or guest page changes; `watch` alone lists"),
        .init(usage: "delete [N ...]", summary: "delete breakpoints/watchpoints N (all without arguments)"),
        .init(usage: "info vgpu N | breakpoints | watchpoints | checkpoints", summary: "a vGPU's state; the lists"),
        .init(usage: "regs [vgpu N] [FILTER]", summary: "registers with names (FILTER: name part, group, engine or offset)"),
        .init(usage: "ggtt RANGE", summary: "host GGTT entries with owners (INDEX, FIRST-LAST, FIRST+COUNT; addresses too)"),
        .init(usage: "ppgtt VGPU GMA [root PML4_GPA]", summary: "guest PPGTT walk and shadow walk side by side"),
        .init(usage: "ring ENGINE", summary: "the engine's ring: head, tail, decoded commands"),
        .init(usage: "batch GMA [ENGINE] [vgpu N | ppgtt] [dwords N]", summary: "decode the batch buffer at GMA"),
        .init(usage: "sched", summary: "scheduler: run queue, budgets, engine owners"),
        .init(usage: "irq", summary: "interrupt registers, host and per vGPU"),
        .init(usage: "display", summary: "pipes and primary planes, host and per vGPU"),
        .init(usage: "display png PATH [vgpu N] [pipe X]", summary: "write the primary plane's image as a PNG"),
        .init(usage: "where", summary: "current position: sequence, entry, time, records"),
        .init(usage: "help", summary: "this list"),
        .init(usage: "quit", summary: "leave the debugger"),
    ]

    /// The prompt shown on a terminal.
    public static let prompt = "(gvtrr) "

    /// Runs one command line and returns its output (never throws: errors are messages).
    public func execute(_ line: String) -> String {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let verb = words.first?.lowercased(), !verb.hasPrefix("#") else { return "" }
        let args = Array(words.dropFirst())
        do {
            return try dispatch(verb, args)
        } catch let error as DebuggerError {
            return "error: \(error.message)"
        } catch let error as ReplayError {
            return "replay error: \(error)"
        } catch {
            return "error: \(error)"
        }
    }

    private func dispatch(_ verb: String, _ args: [String]) throws -> String {
        switch verb {
        case "goto", "g":
            let target = try DebuggerArguments.number(args.first, "sequence number")
            guard try travel(toAtLeast: target) else {
                return "the journal ends before #\(target) (last record #\(replayer.result.lastSequence))\n" + whereText(brief: true)
            }
            return whereText(brief: true)
        case "step", "s":
            let n = args.isEmpty ? 1 : try DebuggerArguments.int(args[0], "step count")
            guard n > 0 else { throw DebuggerError("step count must be at least 1") }
            return try run(limit: n)
        case "next", "n":
            guard let name = args.first else { throw DebuggerError("next needs an event kind (e.g. next workload-dispatched)") }
            let kind = try Self.kind(name)
            return try run(honourBreaks: false) { entry in
                ([entry.input] + entry.recorded).contains { $0.event.kindID == kind.rawValue } ? "next \(kind.name)" : nil
            }
        case "continue", "c", "cont":
            return try run()
        case "reverse-step", "rs":
            let n = args.isEmpty ? 1 : try DebuggerArguments.int(args[0], "step count")
            guard n > 0 else { throw DebuggerError("step count must be at least 1") }
            return try reverseStep(n)
        case "reverse-continue", "rc":
            return try reverseContinue()
        case "break", "b":
            if args.isEmpty { return listBreakpoints() }
            let condition = try Self.breakCondition(args)
            breakpoints.append(Breakpoint(number: nextNumber, condition: condition))
            nextNumber += 1
            return "breakpoint \(nextNumber - 1): \(condition)"
        case "watch", "w":
            if args.isEmpty { return listWatchpoints() }
            let target = try watchTarget(args)
            let point = Watchpoint(number: nextNumber, target: target, value: Watchpoint.read(target, replayer))
            watchpoints.append(point)
            nextNumber += 1
            return "watchpoint \(point.number): \(target) = \(point.value)"
        case "delete", "d":
            if args.isEmpty {
                let n = breakpoints.count + watchpoints.count
                breakpoints = []
                watchpoints = []
                return "deleted \(n) breakpoint\(n == 1 ? "" : "s") and watchpoints"
            }
            var out: [String] = []
            for arg in args {
                let n = try DebuggerArguments.int(arg, "breakpoint number")
                if let i = breakpoints.firstIndex(where: { $0.number == n }) {
                    breakpoints.remove(at: i)
                } else if let i = watchpoints.firstIndex(where: { $0.number == n }) {
                    watchpoints.remove(at: i)
                } else {
                    throw DebuggerError("no breakpoint or watchpoint \(n)")
                }
                out.append("deleted \(n)")
            }
            return out.joined(separator: "\n")
        case "info", "i":
            switch args.first?.lowercased() {
            case "vgpu":
                return try inspector.info(vgpu: DebuggerArguments.int(args.dropFirst().first, "vgpu number", max: 255)).get()
            case "breakpoints", "break", "b": return listBreakpoints()
            case "watchpoints", "watch", "w": return listWatchpoints()
            case "checkpoints":
                return "\(checkpoints.all.count) checkpoint(s), every \(checkpoints.interval) inputs: "
                    + checkpoints.all.map { "#\($0.lastSequence)" }.joined(separator: " ")
            default: throw DebuggerError("info what? (info vgpu N, info breakpoints, info watchpoints, info checkpoints)")
            }
        case "regs", "registers":
            var rest = args[...]
            var vgpu: Int?
            if rest.first?.lowercased() == "vgpu" {
                vgpu = try DebuggerArguments.int(rest.dropFirst().first, "vgpu number", max: 255)
                rest = rest.dropFirst(2)
            }
            guard rest.count <= 1 else { throw DebuggerError("regs takes at most one filter") }
            return try inspector.regs(vgpu: vgpu, filter: rest.first).get()
        case "ggtt":
            let (first, count) = try DebuggerArguments.ggttRange(args.first)
            guard count <= 4096 else { throw DebuggerError("at most 4096 entries at a time") }
            return inspector.ggtt(first: first, count: count)
        case "ppgtt":
            let vgpu = try DebuggerArguments.int(args.first, "vgpu number", max: 255)
            let gma = try DebuggerArguments.number(args.dropFirst().first, "graphics address")
            var root: GuestPPGTTRoot?
            if args.count >= 3 {
                guard args[2].lowercased() == "root", args.count == 4 else { throw DebuggerError("usage: ppgtt VGPU GMA [root PML4_GPA]") }
                root = .fourLevel(pml4: GuestPhysicalAddress(try DebuggerArguments.number(args[3], "root address")))
            }
            return try inspector.ppgtt(vgpu: vgpu, gma: GraphicsAddress(gma), root: root).get()
        case "ring":
            return CommandInspector(replayer: replayer).ring(try DebuggerArguments.engine(args.first))
        case "batch":
            return try batch(args)
        case "sched", "scheduler":
            return inspector.sched()
        case "irq", "interrupts":
            return inspector.irq()
        case "display":
            guard args.first?.lowercased() == "png" else {
                guard args.isEmpty else { throw DebuggerError("usage: display | display png PATH [vgpu N] [pipe X]") }
                return DisplayInspector(replayer: replayer).state()
            }
            guard let path = args.dropFirst().first else { throw DebuggerError("display png needs a file path") }
            var vgpu: Int?, pipe: Pipe?
            var rest = args.dropFirst(2)
            while let word = rest.first?.lowercased() {
                switch word {
                case "vgpu": vgpu = try DebuggerArguments.int(rest.dropFirst().first, "vgpu number", max: 255)
                case "pipe": pipe = try DebuggerArguments.pipe(rest.dropFirst().first)
                default: throw DebuggerError("unexpected \"\(word)\" (display png PATH [vgpu N] [pipe X])")
                }
                rest = rest.dropFirst(2)
            }
            return try DisplayInspector(replayer: replayer).writePNG(to: path, vgpu: vgpu, pipe: pipe).get()
        case "where", "w?", "bt":
            return whereText(brief: false)
        case "help", "h", "?":
            let width = Self.commands.map(\.usage.count).max() ?? 0
            return Self.commands.map { "  " + $0.usage.padding(toLength: min(width, 44), withPad: " ", startingAt: 0) + "  " + $0.summary }
                .joined(separator: "\n")
        case "quit", "q", "exit":
            finished = true
            return ""
        default:
            throw DebuggerError("unknown command \"\(verb)\" (help lists the commands)")
        }
    }

    private func listBreakpoints() -> String {
        breakpoints.isEmpty ? "no breakpoints" : breakpoints.map(\.description).joined(separator: "\n")
    }

    private func listWatchpoints() -> String {
        watchpoints.isEmpty ? "no watchpoints" : watchpoints.map(\.description).joined(separator: "\n")
    }

    static func kind(_ name: String) throws(DebuggerError) -> JournalEventKind {
        guard let kind = JournalEventKind(name: name.lowercased()) else {
            throw DebuggerError("unknown event kind \"\(name)\" (e.g. mmio-write, elsp-submission, workload-completed, hang)")
        }
        return kind
    }

    static func breakCondition(_ args: [String]) throws(DebuggerError) -> BreakCondition {
        let value = args.count > 1 ? args[1] : nil
        guard args.count <= 2 else { throw DebuggerError("break takes one condition") }
        switch args[0].lowercased() {
        case "kind": return .kind(try kind(value ?? ""))
        case "vgpu": return .vgpu(UInt32(try DebuggerArguments.int(value, "vgpu number", max: 255)))
        case "engine": return .engine(try DebuggerArguments.engine(value))
        case "register", "reg": return .register(try DebuggerArguments.register(value))
        case "address", "addr", "gma": return .address(GraphicsAddress(try DebuggerArguments.number(value, "graphics address")))
        case "verdict":
            guard let value else { return .verdict(nil) }
            if value.lowercased() == "any" { return .verdict(nil) }
            guard let kind = Verdict.Kind(rawValue: value.lowercased()), kind != .clean else {
                throw DebuggerError("unknown verdict \"\(value)\" (hang, isolation, failsafe, reset, any)")
            }
            return .verdict(kind)
        default:
            if value == nil, let kind = JournalEventKind(name: args[0].lowercased()) { return .kind(kind) }
            throw DebuggerError("break on what? (kind K, vgpu N, engine E, register R, address GMA, verdict [V])")
        }
    }

    private func watchTarget(_ args: [String]) throws(DebuggerError) -> WatchTarget {
        switch args[0].lowercased() {
        case "reg", "register":
            let offset = try DebuggerArguments.register(args.count > 1 ? args[1] : nil)
            guard RegisterFile.contains(offset) else { throw DebuggerError("register \(offset) is outside the register file") }
            if args.count == 2 { return .hostRegister(offset) }
            guard args.count == 4, args[2].lowercased() == "vgpu" else { throw DebuggerError("usage: watch reg R [vgpu N]") }
            let id = try DebuggerArguments.int(args[3], "vgpu number", max: 255)
            _ = try inspector.vgpu(id).get()
            return .vgpuRegister(VGPUID(id), offset)
        case "ggtt":
            let (first, count) = try DebuggerArguments.ggttRange(args.count > 1 ? args[1] : nil)
            guard count == 1, args.count == 2 else { throw DebuggerError("watch ggtt takes one entry (index or address)") }
            return .ggttEntry(first)
        case "page":
            guard args.count == 3 else { throw DebuggerError("usage: watch page VGPU GPA") }
            let id = try DebuggerArguments.int(args[1], "vgpu number", max: 255)
            let gpa = try DebuggerArguments.number(args[2], "guest physical address")
            _ = try inspector.vgpu(id).get()
            guard replayer.hypervisor.hostFrame(VGPUID(id), for: GuestFrameNumber(gpa >> 12)) != nil else {
                throw DebuggerError("guest address \(hex(gpa, width: 9)) is outside vgpu \(id)'s RAM")
            }
            return .guestPage(VGPUID(id), gpa >> 12)
        default:
            throw DebuggerError("watch what? (reg R [vgpu N], ggtt INDEX, page VGPU GPA)")
        }
    }

    private func batch(_ args: [String]) throws -> String {
        let address = try DebuggerArguments.number(args.first, "batch address")
        var engine = EngineID.rcs
        var space: CommandInspector.Space = .host(.ggtt)
        var dwords = 1024
        var rest = args.dropFirst()
        while let word = rest.first?.lowercased() {
            rest = rest.dropFirst()
            switch word {
            case "vgpu":
                let id = try DebuggerArguments.int(rest.first, "vgpu number", max: 255)
                space = .guest(try inspector.vgpu(id).get())
                rest = rest.dropFirst()
            case "ppgtt":
                guard let context = replayer.engine.gpu.engine(engine).context else {
                    throw DebuggerError("\(engine.name) has no context loaded, so no PPGTT (name the engine before ppgtt)")
                }
                space = .host(context.ppgtt)
            case "dwords":
                dwords = try DebuggerArguments.int(rest.first, "dword count", max: 1 << 16)
                rest = rest.dropFirst()
            default:
                engine = try DebuggerArguments.engine(word)
            }
        }
        return CommandInspector(replayer: replayer).batch(GraphicsAddress(address), engine: engine, space: space, dwords: dwords)
    }
}
