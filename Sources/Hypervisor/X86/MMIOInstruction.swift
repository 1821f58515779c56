/// A decoded guest instruction that accesses memory the way an MMIO accessor does
/// (`readl`/`writel`/`readq`/`writeq` and their byte/word forms compile to these MOVs).
public struct MMIOInstruction: Hashable, Sendable, Codable {
    public enum Direction: String, Hashable, Sendable, Codable { case read, write }

    /// How a loaded value is widened into the destination (MOVZX/MOVSX).
    public enum Extension: String, Hashable, Sendable, Codable { case none, zero, sign }

    /// Where a store's value comes from.
    public enum Source: Hashable, Sendable, Codable {
        case register(RegisterOperand)
        case immediate(UInt64)
    }

    /// The memory operand: [base + index × scale + displacement], or RIP-relative.
    public struct MemoryOperand: Hashable, Sendable, Codable {
        public var base: GPR?
        public var index: GPR?
        public var scale: Int
        public var displacement: Int64
        public var ripRelative: Bool
        /// An absolute 64-bit address (MOVABS moffs forms).
        public var absolute: UInt64?

        public init(base: GPR? = nil, index: GPR? = nil, scale: Int = 1, displacement: Int64 = 0,
                    ripRelative: Bool = false, absolute: UInt64? = nil) {
            self.base = base
            self.index = index
            self.scale = scale
            self.displacement = displacement
            self.ripRelative = ripRelative
            self.absolute = absolute
        }

        /// The guest-virtual address the operand names, for the given registers.
        public func address(registers: VCPURegisters, instructionLength: Int) -> UInt64 {
            if let absolute { return absolute }
            var sum = UInt64(bitPattern: displacement)
            if ripRelative { sum &+= registers.rip &+ UInt64(instructionLength) }
            if let base { sum &+= registers[base] }
            if let index { sum &+= registers[index] &* UInt64(scale) }
            return sum
        }
    }

    /// Instruction length in bytes.
    public var length: Int
    /// Bytes accessed in memory (1, 2, 4, 8).
    public var size: Int
    public var direction: Direction
    public var memory: MemoryOperand
    /// For reads: the register that receives the value.
    public var destination: RegisterOperand?
    /// For reads: how the value is widened.
    public var extension_: Extension
    /// For writes: the value's source.
    public var source: Source?
    /// capstone's text, e.g. "mov dword ptr [rdi + 0x2030], esi".
    public var text: String
}

/// Why guest instruction bytes could not be turned into an MMIO access.
public enum X86DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// capstone could not open (environment failure).
    case capstoneUnavailable(String)
    /// The bytes are not a valid x86-64 instruction.
    case undecodable(bytes: [UInt8])
    /// A valid instruction that is not one of the MOV forms the trap path emulates.
    case unsupported(text: String, bytes: [UInt8])

    public var description: String {
        func hexBytes(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).leftPadded2 }.joined(separator: " ") }
        switch self {
        case let .capstoneUnavailable(why): return "capstone could not start: \(why)"
        case let .undecodable(bytes): return "guest instruction bytes \(hexBytes(bytes)) do not decode as x86-64"
        case let .unsupported(text, bytes):
            return "guest instruction '\(text)' (\(hexBytes(bytes))) is not an MMIO move the trap path emulates"
        }
    }
}

extension String {
    var leftPadded2: String { count >= 2 ? self : "0" + self }
}
