/// The sixteen x86-64 general-purpose registers, in encoding order.
public enum GPR: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
    public var description: String {
        ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"][rawValue]
    }
}

/// A register operand: which GPR, how many bytes of it, and whether it is AH/CH/DH/BH.
public struct RegisterOperand: Hashable, Sendable, Codable, CustomStringConvertible {
    public var gpr: GPR
    /// 1, 2, 4 or 8.
    public var width: Int
    /// AH, CH, DH or BH (bits 15:8).
    public var highByte: Bool

    public init(_ gpr: GPR, width: Int, highByte: Bool = false) {
        precondition([1, 2, 4, 8].contains(width))
        self.gpr = gpr
        self.width = width
        self.highByte = highByte
    }

    public var description: String {
        if highByte { return ["ah", "ch", "dh", "bh"][gpr.rawValue] }
        let legacy = ["a", "c", "d", "b", "sp", "bp", "si", "di"]
        if gpr.rawValue >= 8 {
            return gpr.description + ["b", "w", "d", ""][[1, 2, 4, 8].firstIndex(of: width)!]
        }
        let stem = legacy[gpr.rawValue]
        let isPair = gpr.rawValue < 4
        switch width {
        case 8: return "r" + (isPair ? stem + "x" : stem)
        case 4: return "e" + (isPair ? stem + "x" : stem)
        case 2: return isPair ? stem + "x" : stem
        default: return isPair ? stem + "l" : stem + "l"
        }
    }
}

/// A vCPU's general-purpose registers and instruction pointer, with x86-64 write rules:
/// a 32-bit write zero-extends into the full register, 8- and 16-bit writes merge.
public struct VCPURegisters: Hashable, Sendable, Codable {
    public var gprs: [UInt64] = Array(repeating: 0, count: 16)
    public var rip: UInt64 = 0

    public init() {}

    public subscript(_ gpr: GPR) -> UInt64 {
        get { gprs[gpr.rawValue] }
        set { gprs[gpr.rawValue] = newValue }
    }

    /// The operand's value (zero-extended).
    public func read(_ operand: RegisterOperand) -> UInt64 {
        let full = gprs[operand.gpr.rawValue]
        if operand.highByte { return (full >> 8) & 0xFF }
        return operand.width == 8 ? full : full & ((1 << UInt64(operand.width * 8)) - 1)
    }

    /// Writes the operand with x86-64 semantics.
    public mutating func write(_ operand: RegisterOperand, _ value: UInt64) {
        let i = operand.gpr.rawValue
        switch (operand.width, operand.highByte) {
        case (_, true): gprs[i] = (gprs[i] & ~0xFF00) | ((value & 0xFF) << 8)
        case (8, _): gprs[i] = value
        case (4, _): gprs[i] = value & 0xFFFF_FFFF
        case (2, _): gprs[i] = (gprs[i] & ~0xFFFF) | (value & 0xFFFF)
        default: gprs[i] = (gprs[i] & ~0xFF) | (value & 0xFF)
        }
    }
}
