internal import CCapstone

/// The one funnel for capstone (x86-64, detail on): every C call of the hypervisor goes
/// through here; results become Swift values or typed errors.
///
/// Known capstone 4 quirk: the operand `access` flag is wrong for some stores (movdqa,
/// movq to memory, lock cmpxchg, …), so the direction is decided from the instruction id
/// and operand order (operand 0 is the destination), never from `access`.
/// Not thread-safe: one instance per owner.
public final class CapstoneX86 {
    private var handle: csh = 0
    /// capstone register id → our operand (built from capstone's own register names).
    private var registers: [UInt32: RegisterOperand] = [:]

    public init() throws(X86DecodeError) {
        let status = cs_open(CS_ARCH_X86, CS_MODE_64, &handle)
        guard status == CS_ERR_OK else {
            throw .capstoneUnavailable(String(cString: cs_strerror(status)))
        }
        cs_option(handle, CS_OPT_DETAIL, Int(CS_OPT_ON.rawValue))
        for id in 1..<X86_REG_ENDING.rawValue {
            guard let cName = cs_reg_name(handle, id) else { continue }
            if let operand = Self.parseRegister(String(cString: cName)) { registers[id] = operand }
        }
    }

    deinit { cs_close(&handle) }

    /// Decodes the first instruction of `bytes` as an MMIO access.
    public func decode(_ bytes: [UInt8], address: UInt64 = 0) throws(X86DecodeError) -> MMIOInstruction {
        var insn: UnsafeMutablePointer<cs_insn>?
        let count = bytes.withUnsafeBufferPointer { cs_disasm(handle, $0.baseAddress, $0.count, address, 1, &insn) }
        guard count == 1, let insn else { throw .undecodable(bytes: bytes) }
        defer { cs_free(insn, count) }
        let i = insn.pointee
        let length = Int(i.size)
        let text = Self.text(i)
        let used = Array(bytes.prefix(length))
        guard let detail = i.detail?.pointee else { throw .unsupported(text: text, bytes: used) }
        let x86 = detail.x86
        let operands: [cs_x86_op] = withUnsafeBytes(of: x86.operands) { raw in
            (0..<Int(x86.op_count)).map { raw.load(fromByteOffset: $0 * MemoryLayout<cs_x86_op>.stride, as: cs_x86_op.self) }
        }
        guard operands.count == 2 else { throw .unsupported(text: text, bytes: used) }
        let id = x86_insn(rawValue: i.id)
        let isMove = id == X86_INS_MOV || id == X86_INS_MOVABS
        let isZeroExtend = id == X86_INS_MOVZX
        let isSignExtend = id == X86_INS_MOVSX || id == X86_INS_MOVSXD
        guard isMove || isZeroExtend || isSignExtend else { throw .unsupported(text: text, bytes: used) }

        let destination = operands[0]
        let source = operands[1]
        if destination.type == X86_OP_MEM, isMove {
            guard let memory = memoryOperand(destination, instructionAddress: address, length: length) else {
                throw .unsupported(text: text, bytes: used)
            }
            let value: MMIOInstruction.Source
            switch source.type {
            case X86_OP_REG:
                guard let reg = registers[source.reg.rawValue] else { throw .unsupported(text: text, bytes: used) }
                value = .register(reg)
            case X86_OP_IMM:
                value = .immediate(UInt64(bitPattern: source.imm))
            default:
                throw .unsupported(text: text, bytes: used)
            }
            return MMIOInstruction(length: length, size: Int(destination.size), direction: .write, memory: memory,
                                   destination: nil, extension_: .none, source: value, text: text)
        }
        if source.type == X86_OP_MEM, destination.type == X86_OP_REG {
            guard let memory = memoryOperand(source, instructionAddress: address, length: length),
                  let reg = registers[destination.reg.rawValue] else { throw .unsupported(text: text, bytes: used) }
            return MMIOInstruction(length: length, size: Int(source.size), direction: .read, memory: memory,
                                   destination: reg, extension_: isZeroExtend ? .zero : isSignExtend ? .sign : .none,
                                   source: nil, text: text)
        }
        throw .unsupported(text: text, bytes: used)
    }

    /// capstone's text for the first instruction of `bytes`, or nil.
    public func disassemble(_ bytes: [UInt8], address: UInt64 = 0) -> String? {
        var insn: UnsafeMutablePointer<cs_insn>?
        let count = bytes.withUnsafeBufferPointer { cs_disasm(handle, $0.baseAddress, $0.count, address, 1, &insn) }
        guard count == 1, let insn else { return nil }
        defer { cs_free(insn, count) }
        return Self.text(insn.pointee)
    }

    private func memoryOperand(_ op: cs_x86_op, instructionAddress: UInt64, length: Int) -> MMIOInstruction.MemoryOperand? {
        let mem = op.mem
        guard mem.segment == X86_REG_INVALID || mem.segment == X86_REG_DS else { return nil }
        var operand = MMIOInstruction.MemoryOperand(scale: Int(mem.scale), displacement: mem.disp)
        if mem.base == X86_REG_RIP {
            operand.ripRelative = true
        } else if mem.base != X86_REG_INVALID {
            guard let base = registers[mem.base.rawValue], base.width == 8 else { return nil }
            operand.base = base.gpr
        }
        if mem.index != X86_REG_INVALID {
            guard let index = registers[mem.index.rawValue], index.width == 8 else { return nil }
            operand.index = index.gpr
        }
        if operand.base == nil && operand.index == nil && !operand.ripRelative {
            operand.absolute = UInt64(bitPattern: mem.disp)
        }
        return operand
    }

    private static func text(_ i: cs_insn) -> String {
        let mnemonic = withUnsafeBytes(of: i.mnemonic) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let operands = withUnsafeBytes(of: i.op_str) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return operands.isEmpty ? mnemonic : mnemonic + " " + operands
    }

    /// Parses capstone's register name ("eax", "r9w", "ah", "rip") into a GPR operand.
    static func parseRegister(_ name: String) -> RegisterOperand? {
        let legacy: [(String, GPR)] = [("a", .rax), ("c", .rcx), ("d", .rdx), ("b", .rbx)]
        for (stem, gpr) in legacy {
            switch name {
            case "r\(stem)x": return RegisterOperand(gpr, width: 8)
            case "e\(stem)x": return RegisterOperand(gpr, width: 4)
            case "\(stem)x": return RegisterOperand(gpr, width: 2)
            case "\(stem)l": return RegisterOperand(gpr, width: 1)
            case "\(stem)h": return RegisterOperand(gpr, width: 1, highByte: true)
            default: continue
            }
        }
        let pointers: [(String, GPR)] = [("sp", .rsp), ("bp", .rbp), ("si", .rsi), ("di", .rdi)]
        for (stem, gpr) in pointers {
            switch name {
            case "r\(stem)": return RegisterOperand(gpr, width: 8)
            case "e\(stem)": return RegisterOperand(gpr, width: 4)
            case stem: return RegisterOperand(gpr, width: 2)
            case "\(stem)l": return RegisterOperand(gpr, width: 1)
            default: continue
            }
        }
        for n in 8...15 {
            let gpr = GPR(rawValue: n)!
            switch name {
            case "r\(n)": return RegisterOperand(gpr, width: 8)
            case "r\(n)d": return RegisterOperand(gpr, width: 4)
            case "r\(n)w": return RegisterOperand(gpr, width: 2)
            case "r\(n)b": return RegisterOperand(gpr, width: 1)
            default: continue
            }
        }
        return nil
    }
}
