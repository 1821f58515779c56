import Hypervisor

/// The x86-64 instruction forms the guest's MMIO accessors compile to (Linux `readl`,
/// `writel`, `readq`, `writeq`, `readb`/`readw`, their byte/word stores, immediate-source
/// stores of constants and indexed stores into the GSM). Each form is a fixed encoding
/// with a 32-bit displacement; the guest fills the registers the form names (`base` =
/// BAR0 or a table base, `index`, `value`) and executes the bytes through `VCPU.access`.
public enum MMIOForm: String, CaseIterable, Sendable, Codable {
    /// `mov eax, dword [rdi + disp32]` (readl).
    case readl
    /// `mov dword [rdi + disp32], esi` (writel).
    case writel
    /// `mov rax, qword [rdi + disp32]` (readq).
    case readq
    /// `mov qword [rdi + disp32], rsi` (writeq).
    case writeq
    /// `movzx eax, byte [rdi + disp32]` (readb).
    case readb
    /// `movzx eax, word [rdi + disp32]` (readw).
    case readw
    /// `mov byte [rdi + disp32], sil` (writeb).
    case writeb
    /// `mov word [rdi + disp32], si` (writew).
    case writew
    /// `mov dword [rdi + disp32], imm32` (writel of a constant).
    case writelImmediate
    /// `mov dword [r8 + disp32], r9d` (writel with REX-extended registers, as in ELSP loops).
    case writelR8
    /// `mov qword [rdi + rcx*8 + disp32], rsi` (writeq into an array: GGTT PTEs, page tables).
    case writeqIndexed
    /// `mov rax, qword [rdi + rcx*8 + disp32]` (readq from an array).
    case readqIndexed
    /// `mov eax, dword [rdi + rcx*4 + disp32]` (readl from an array: CSB, fence registers).
    case readlIndexed

    /// Bytes accessed.
    public var size: Int {
        switch self {
        case .readl, .writel, .writelImmediate, .writelR8, .readlIndexed: 4
        case .readq, .writeq, .writeqIndexed, .readqIndexed: 8
        case .readb, .writeb: 1
        case .readw, .writew: 2
        }
    }

    /// True for stores.
    public var isWrite: Bool {
        switch self {
        case .writel, .writeq, .writeb, .writew, .writelImmediate, .writelR8, .writeqIndexed: true
        default: false
        }
    }

    /// The register holding the memory operand's base.
    public var base: GPR { self == .writelR8 ? .r8 : .rdi }
    /// The index register, if the form is indexed.
    public var index: GPR? {
        switch self {
        case .writeqIndexed, .readqIndexed, .readlIndexed: .rcx
        default: nil
        }
    }
    /// Index scale.
    public var scale: Int { self == .readlIndexed ? 4 : (index == nil ? 1 : 8) }
    /// Register a store takes its value from (nil for the immediate form).
    public var valueRegister: GPR? {
        guard isWrite else { return nil }
        switch self {
        case .writelImmediate: return nil
        case .writelR8: return .r9
        default: return .rsi
        }
    }
    /// Register a load writes.
    public var destination: GPR? { isWrite ? nil : .rax }
    /// Register width of the value/destination operand (MOVZX loads write a 32-bit register).
    public var registerWidth: Int {
        switch self {
        case .readb, .readw: 4
        default: size
        }
    }

    /// The instruction bytes for displacement `disp` (and `immediate` for the immediate form).
    public func encode(disp: Int32, immediate: UInt32 = 0) -> [UInt8] {
        let opcode: [UInt8]
        switch self {
        case .readl: opcode = [0x8B, 0x87]
        case .writel: opcode = [0x89, 0xB7]
        case .readq: opcode = [0x48, 0x8B, 0x87]
        case .writeq: opcode = [0x48, 0x89, 0xB7]
        case .readb: opcode = [0x0F, 0xB6, 0x87]
        case .readw: opcode = [0x0F, 0xB7, 0x87]
        case .writeb: opcode = [0x40, 0x88, 0xB7]
        case .writew: opcode = [0x66, 0x89, 0xB7]
        case .writelImmediate: opcode = [0xC7, 0x87]
        case .writelR8: opcode = [0x45, 0x89, 0x88]
        case .writeqIndexed: opcode = [0x48, 0x89, 0xB4, 0xCF]
        case .readqIndexed: opcode = [0x48, 0x8B, 0x84, 0xCF]
        case .readlIndexed: opcode = [0x8B, 0x84, 0x8F]
        }
        var bytes = opcode
        bytes.reserveCapacity(opcode.count + 8)
        let d = UInt32(bitPattern: disp)
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: d >> UInt32(8 * k))) }
        if self == .writelImmediate {
            for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: immediate >> UInt32(8 * k))) }
        }
        return bytes
    }

    /// capstone's expected text for displacement `disp` (for the decode cross-check).
    public func expectedText(disp: Int32, immediate: UInt32 = 0) -> String {
        let d = "0x" + String(disp, radix: 16)
        switch self {
        case .readl: return "mov eax, dword ptr [rdi + \(d)]"
        case .writel: return "mov dword ptr [rdi + \(d)], esi"
        case .readq: return "mov rax, qword ptr [rdi + \(d)]"
        case .writeq: return "mov qword ptr [rdi + \(d)], rsi"
        case .readb: return "movzx eax, byte ptr [rdi + \(d)]"
        case .readw: return "movzx eax, word ptr [rdi + \(d)]"
        case .writeb: return "mov byte ptr [rdi + \(d)], sil"
        case .writew: return "mov word ptr [rdi + \(d)], si"
        case .writelImmediate: return "mov dword ptr [rdi + \(d)], 0x" + String(immediate, radix: 16)
        case .writelR8: return "mov dword ptr [r8 + \(d)], r9d"
        case .writeqIndexed: return "mov qword ptr [rdi + rcx*8 + \(d)], rsi"
        case .readqIndexed: return "mov rax, qword ptr [rdi + rcx*8 + \(d)]"
        case .readlIndexed: return "mov eax, dword ptr [rdi + rcx*4 + \(d)]"
        }
    }
}
