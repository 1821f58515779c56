import Decode
import GPUModel
import Journal

/// Which command decoder a hang report uses.
public enum HangDecoder: String, Sendable, CaseIterable {
    /// gvt-rr's decoder over the GPU model's command table.
    case own
    /// libdrm_intel's decoder (`drm_intel_decode`), for a second opinion.
    case libdrm
}

extension HangDiagnosis {
    /// Commands shown on each side of the stuck one.
    static let contextCommands = 6

    /// The stuck command's name, from the innermost buffer (own decoder), if it decodes.
    public var stuckCommand: String? {
        guard let buffer = buffers.last else { return nil }
        return Self.decoded(buffer, engine: engine).first { $0.marks.contains("ACTHD") || $0.marks.contains("HEAD") }?.name
    }

    /// The report, several lines: the facts, the stuck command in its batch, the ring around
    /// HEAD, and the submission with the guest instruction that made it.
    public func text(decoder: HangDecoder = .own) -> String {
        var lines: [String] = []
        let who = vgpu.map { "vgpu \($0)" } ?? "no vGPU workload"
        lines.append("hang: \(EventText.engineName(UInt8(engine.index))) (\(reason)) at #\(sequence), \(who)"
                     + (workload.map { ", workload \($0)" } ?? ""))
        var facts = "  ring \(ringStart) size \(hex(UInt64(ringSize))) head \(hex(UInt64(head))) tail \(hex(UInt64(tail))), "
        facts += "ACTHD \(acthd)"
        if let instruction { facts += " (dword \(hex(UInt64(instruction), width: 8)))" }
        lines.append(facts)
        if let guestContext { lines.append("  guest context \(hex(guestContext, width: 16))" + (hostContext.map { ", host context \(hex($0, width: 16))" } ?? "")) }
        if let semaphore { lines.append("  semaphore: \(semaphore)") }
        if let name = stuckCommand { lines.append("  stuck command: \(name)") }
        for buffer in buffers.reversed() {
            let space = buffer.ppgtt ? "PPGTT" : "GGTT"
            lines.append("  \(buffer.role) at \(buffer.start) (\(space)), \(buffer.role == "ring" ? "HEAD" : "ACTHD") \(buffer.position):")
            switch decoder {
            case .own: lines += Self.ownWindow(buffer, engine: engine).map { "    " + $0 }
            case .libdrm: lines += Self.libdrmWindow(buffer).map { "    " + $0 }
            }
        }
        if buffers.isEmpty { lines.append("  (no context was loaded on the engine: nothing to decode)") }
        if let submission {
            lines.append("  submitted by:")
            for record in submission.elspWrites {
                lines.append("    " + EventText.line(record))
                if case let .mmioWrite(trap) = record.event {
                    let text = X86Text.disassemble(trap.instruction, address: trap.rip) ?? "(instruction bytes do not decode)"
                    let bytes = trap.instruction.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
                    lines.append("      vcpu \(trap.vcpu) rip \(hex(trap.rip)): \(text)   [\(bytes)]")
                }
            }
            if let record = submission.submission { lines.append("    " + EventText.line(record)) }
            if let record = submission.created { lines.append("    " + EventText.line(record)) }
        }
        return lines.joined(separator: "\n")
    }

    static func decoded(_ buffer: CapturedBuffer, engine: EngineID) -> [DecodedCommand] {
        let isRing = buffer.role == "ring"
        let options = BatchDecoder.Options(engine: engine, baseAddress: buffer.start, followJumps: false, isRing: isRing,
                                           stopAtBatchEnd: !isRing,
                                           marks: [BatchMark(address: buffer.position, label: isRing ? "HEAD" : "ACTHD")])
        var commands: [DecodedCommand] = []
        BatchDecoder(options: options).decode(buffer.dwords) { if let command = $0.command { commands.append(command) } }
        return commands
    }

    /// The own decoder's lines for the commands around the marked one.
    static func ownWindow(_ buffer: CapturedBuffer, engine: EngineID) -> [String] {
        let commands = decoded(buffer, engine: engine)
        guard !commands.isEmpty else { return ["(no commands)"] }
        let at = commands.firstIndex { !$0.marks.isEmpty } ?? (commands.count - 1)
        let window = max(0, at - contextCommands)...min(commands.count - 1, at + contextCommands)
        var lines: [String] = []
        if window.lowerBound > 0 { lines.append("… \(window.lowerBound) commands before") }
        for command in commands[window] { lines += CommandFormatter.text(command).split(separator: "\n").map(String.init) }
        if window.upperBound < commands.count - 1 { lines.append("… \(commands.count - 1 - window.upperBound) commands after") }
        return lines
    }

    /// libdrm_intel's lines for the buffer up to a little past the marked position.
    static func libdrmWindow(_ buffer: CapturedBuffer) -> [String] {
        let offset = Int(buffer.position.rawValue &- buffer.start.rawValue) / 4
        let from = max(0, min(offset, buffer.dwords.count) - 64)
        let to = min(buffer.dwords.count, max(offset, 0) + 32)
        guard from < to else { return ["(no dwords)"] }
        let text = LibdrmDecoder.decodeText(Array(buffer.dwords[from..<to]),
                                            address: UInt32(truncatingIfNeeded: buffer.start.rawValue + UInt64(from * 4)))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        return lines.isEmpty ? ["(libdrm printed nothing)"] : lines
    }
}
