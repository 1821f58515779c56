import Foundation
import Testing
@testable import Hypervisor

/// capstone decodes every MMIO move form a driver's accessors compile to. The byte
/// strings were assembled with GNU as (`as` + `objdump -d -M intel`); a second test
/// re-assembles them when `as` is installed.
@Suite struct CapstoneX86Tests {
    struct Case: Sendable {
        let bytes: [UInt8]
        let assembly: String
        let direction: MMIOInstruction.Direction
        let size: Int
    }

    static let cases: [Case] = [
        Case(bytes: [0x8B, 0x07], assembly: "mov eax, dword ptr [rdi]", direction: .read, size: 4),
        Case(bytes: [0x89, 0x37], assembly: "mov dword ptr [rdi], esi", direction: .write, size: 4),
        Case(bytes: [0x48, 0x8B, 0x07], assembly: "mov rax, qword ptr [rdi]", direction: .read, size: 8),
        Case(bytes: [0x48, 0x89, 0x37], assembly: "mov qword ptr [rdi], rsi", direction: .write, size: 8),
        Case(bytes: [0x8A, 0x07], assembly: "mov al, byte ptr [rdi]", direction: .read, size: 1),
        Case(bytes: [0x40, 0x88, 0x37], assembly: "mov byte ptr [rdi], sil", direction: .write, size: 1),
        Case(bytes: [0x0F, 0xB7, 0x07], assembly: "movzx eax, word ptr [rdi]", direction: .read, size: 2),
        Case(bytes: [0x66, 0x89, 0x37], assembly: "mov word ptr [rdi], si", direction: .write, size: 2),
        Case(bytes: [0x0F, 0xB6, 0x07], assembly: "movzx eax, byte ptr [rdi]", direction: .read, size: 1),
        Case(bytes: [0xC7, 0x80, 0x30, 0x20, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12],
             assembly: "mov dword ptr [rax + 0x2030], 0x12345678", direction: .write, size: 4),
        Case(bytes: [0xC6, 0x03, 0x7F], assembly: "mov byte ptr [rbx], 0x7f", direction: .write, size: 1),
        Case(bytes: [0x66, 0xC7, 0x41, 0x08, 0x34, 0x12], assembly: "mov word ptr [rcx + 8], 0x1234", direction: .write, size: 2),
        Case(bytes: [0x48, 0xC7, 0x02, 0xFF, 0xFF, 0xFF, 0xFF], assembly: "mov qword ptr [rdx], -1", direction: .write, size: 8),
        Case(bytes: [0x47, 0x8B, 0x8C, 0xAC, 0x00, 0x01, 0x00, 0x00],
             assembly: "mov r9d, dword ptr [r12 + r13*4 + 0x100]", direction: .read, size: 4),
        Case(bytes: [0x44, 0x89, 0x54, 0xCB, 0xF0], assembly: "mov dword ptr [rbx + rcx*8 - 0x10], r10d", direction: .write, size: 4),
        Case(bytes: [0x4C, 0x8B, 0x9E, 0x00, 0x80, 0x07, 0x00], assembly: "mov r11, qword ptr [rsi + 0x78000]", direction: .read, size: 8),
        Case(bytes: [0x89, 0x05, 0x00, 0x01, 0x00, 0x00], assembly: "mov dword ptr [rip + 0x100], eax", direction: .write, size: 4),
        Case(bytes: [0x48, 0x63, 0x07], assembly: "movsxd rax, dword ptr [rdi]", direction: .read, size: 4),
        Case(bytes: [0x8A, 0x27], assembly: "mov ah, byte ptr [rdi]", direction: .read, size: 1),
    ]

    @Test(arguments: cases)
    func decodesKnownEncodings(_ c: Case) throws {
        let x86 = try CapstoneX86()
        let decoded = try x86.decode(c.bytes + [0x90, 0x90])  // trailing bytes are not part of it
        #expect(decoded.length == c.bytes.count)
        #expect(decoded.direction == c.direction)
        #expect(decoded.size == c.size)
        #expect(decoded.direction == .read ? decoded.destination != nil : decoded.source != nil)
    }

    @Test func operandsAndEffectiveAddress() throws {
        let x86 = try CapstoneX86()
        let load = try x86.decode([0x47, 0x8B, 0x8C, 0xAC, 0x00, 0x01, 0x00, 0x00])
        var regs = VCPURegisters()
        regs[.r12] = 0x1000
        regs[.r13] = 3
        #expect(load.memory.address(registers: regs, instructionLength: load.length) == 0x1000 + 12 + 0x100)
        #expect(load.destination == RegisterOperand(.r9, width: 4))

        let store = try x86.decode([0xC7, 0x80, 0x30, 0x20, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12])
        #expect(store.source == .immediate(0x1234_5678))
        let negative = try x86.decode([0x48, 0xC7, 0x02, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(negative.source == .immediate(UInt64.max))  // imm32 sign-extended to 64 bits

        let ripRelative = try x86.decode([0x89, 0x05, 0x00, 0x01, 0x00, 0x00])
        regs.rip = 0x4000
        #expect(ripRelative.memory.address(registers: regs, instructionLength: 6) == 0x4000 + 6 + 0x100)
        let signExtend = try x86.decode([0x48, 0x63, 0x07])
        #expect(signExtend.extension_ == .sign)
        #expect(try x86.decode([0x0F, 0xB7, 0x07]).extension_ == .zero)
        #expect(try x86.decode([0x8A, 0x27]).destination == RegisterOperand(.rax, width: 1, highByte: true))
    }

    @Test func storesAreWritesEvenWhereCapstonesAccessFlagLies() throws {
        // movnti / movq-to-memory are stores capstone 4 reports as reads; they are not MMIO
        // moves we emulate, so they are refused rather than mis-directed.
        let x86 = try CapstoneX86()
        #expect(throws: X86DecodeError.self) { try x86.decode([0x0F, 0xC3, 0x37]) }  // movnti [rdi], esi
        #expect(throws: X86DecodeError.self) { try x86.decode([0x66, 0x0F, 0xD6, 0x07]) }  // movq [rdi], xmm0
    }

    @Test func garbageIsAClearErrorNotACrash() throws {
        let x86 = try CapstoneX86()
        #expect(throws: X86DecodeError.undecodable(bytes: [0x06])) { try x86.decode([0x06]) }  // push es: invalid in 64-bit mode
        #expect(throws: X86DecodeError.undecodable(bytes: [])) { try x86.decode([]) }
        do {
            _ = try x86.decode([0x01, 0xC3])  // add ebx, eax: valid, not a memory move
            Issue.record("must refuse")
        } catch {
            #expect(error.description.contains("add ebx, eax"))
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...15, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? x86.decode(bytes)
        }
    }

    @Test func vcpuRegisterWriteSemantics() {
        var regs = VCPURegisters()
        regs[.rax] = 0xFFFF_FFFF_FFFF_FFFF
        regs.write(RegisterOperand(.rax, width: 4), 0x1234)
        #expect(regs[.rax] == 0x1234)  // 32-bit writes zero-extend
        regs[.rbx] = 0xFFFF_FFFF_FFFF_FFFF
        regs.write(RegisterOperand(.rbx, width: 2), 0x1234)
        #expect(regs[.rbx] == 0xFFFF_FFFF_FFFF_1234)
        regs.write(RegisterOperand(.rbx, width: 1, highByte: true), 0xAB)
        #expect(regs[.rbx] == 0xFFFF_FFFF_FFFF_AB34)
        #expect(regs.read(RegisterOperand(.rbx, width: 1, highByte: true)) == 0xAB)
    }

    @Test func decodeCacheHitsOnRepeatedInstructions() throws {
        let cache = try InstructionDecodeCache()
        for _ in 0..<10 { _ = try cache.decode([0x89, 0x37, 0x90]) }
        _ = try cache.decode([0x8B, 0x07])
        #expect(cache.misses == 2)
        #expect(cache.hits == 9)
    }

    @Test func registerNamesRoundTrip() {
        for name in ["eax", "r9w", "ah", "sil", "r15", "bp", "rdi", "r8b", "ecx", "dl"] {
            #expect(CapstoneX86.parseRegister(name)?.description == name)
        }
        #expect(CapstoneX86.parseRegister("rip") == nil)
        #expect(CapstoneX86.parseRegister("xmm0") == nil)
    }

    /// Re-assembles every case with GNU as when it is installed, so the table cannot drift.
    @Test func tableMatchesGNUAssembler() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/as"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/objcopy") else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-as-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (k, c) in Self.cases.enumerated() {
            let source = dir.appendingPathComponent("\(k).s")
            let object = dir.appendingPathComponent("\(k).o")
            let binary = dir.appendingPathComponent("\(k).bin")
            let gas = c.assembly.replacingOccurrences(of: " + ", with: "+").replacingOccurrences(of: " - ", with: "-")
            try ".intel_syntax noprefix\n\(gas)\n".write(to: source, atomically: true, encoding: .utf8)
            #expect(try run("/usr/bin/as", ["-o", object.path, source.path]) == 0)
            #expect(try run("/usr/bin/objcopy", ["-O", "binary", "-j", ".text", object.path, binary.path]) == 0)
            #expect(Array(try Data(contentsOf: binary)) == c.bytes, "\(c.assembly)")
        }
    }

    func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
