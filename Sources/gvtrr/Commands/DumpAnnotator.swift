import GPUModel
import Hypervisor
import Journal

/// The decorations of `gvtrr dump` that need more than one event or a C library: the
/// trapping instruction's disassembly (capstone, cached per instruction's bytes) and ELSP
/// dwords gathered per vGPU and engine into submissions of two context descriptors (the
/// GPU model's `ExeclistSubmitPort`, so the dump pairs dwords exactly as the hardware does).
struct DumpAnnotator {
    private let capstone: CapstoneX86? = try? CapstoneX86()
    private var disassembly: [[UInt8]: String] = [:]
    /// ELSP ports, keyed by vGPU << 8 | engine index.
    private var ports: [UInt64: ExeclistSubmitPort] = [:]

    /// Extra fields for `event` (call for every event in journal order, printed or not).
    mutating func annotate(_ event: JournalEvent) -> [(String, EventFields.Value)] {
        switch event {
        case let .mmioRead(trap):
            return instruction(trap)
        case let .mmioWrite(trap):
            return instruction(trap) + elsp(trap)
        case let .vgpuReset(vgpu, _, _), let .vgpuDestroyed(vgpu):
            for engine in EngineID.allCases { ports[key(vgpu, engine)] = nil }
            return []
        default:
            return []
        }
    }

    private func key(_ vgpu: UInt32, _ engine: EngineID) -> UInt64 { UInt64(vgpu) << 8 | UInt64(engine.index) }

    /// `asm="mov dword ptr [rax + 0x2030], ecx"` for a trap with instruction bytes.
    private mutating func instruction(_ trap: MMIOTrap) -> [(String, EventFields.Value)] {
        guard !trap.instruction.isEmpty, let capstone else { return [] }
        if let text = disassembly[trap.instruction] { return [("asm", .text(text))] }
        let text = capstone.disassemble(trap.instruction, address: trap.rip) ?? "(undecodable)"
        if disassembly.count < 4096 { disassembly[trap.instruction] = text }
        return [("asm", .text(text))]
    }

    /// `elsp=2/4` for a partial submission, `submit=[…]` with both descriptors on the fourth.
    private mutating func elsp(_ trap: MMIOTrap) -> [(String, EventFields.Value)] {
        guard trap.size == 4,
              let engine = EngineID.allCases.first(where: { $0.mmioBase + RingRegister.elsp.rawValue == trap.offset })
        else { return [] }
        let k = key(trap.vgpu, engine)
        var port = ports[k] ?? ExeclistSubmitPort()
        let submission = port.write(UInt32(truncatingIfNeeded: trap.value))
        ports[k] = port
        guard let submission else { return [("elsp", .text("\(port.writeIndex)/4"))] }
        return [("elsp", .text("4/4")),
                ("submit", .list(submission.elements.map { .text($0.description) }))]
    }
}
