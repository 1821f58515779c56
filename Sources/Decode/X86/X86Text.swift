internal import CCapstone
import Foundation

/// x86-64 instruction text through capstone, for reports (the guest instruction behind a
/// trapped MMIO access). The one funnel for capstone in `Decode`; the hypervisor's decoder
/// (with operand detail) is its own.
public enum X86Text {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handle: csh = 0
    nonisolated(unsafe) private static var opened: Bool?

    /// capstone's text ("mov dword ptr [rax + 0x2230], ecx") of the first instruction of
    /// `bytes` placed at `address`, or nil when capstone is unavailable or the bytes do not
    /// decode. Thread-safe.
    public static func disassemble(_ bytes: [UInt8], address: UInt64 = 0) -> String? {
        guard !bytes.isEmpty else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if opened == nil { opened = cs_open(CS_ARCH_X86, CS_MODE_64, &handle) == CS_ERR_OK }
        guard opened == true else { return nil }
        var insn: UnsafeMutablePointer<cs_insn>?
        let count = bytes.withUnsafeBufferPointer { cs_disasm(handle, $0.baseAddress, $0.count, address, 1, &insn) }
        guard count == 1, let insn else { return nil }
        defer { cs_free(insn, count) }
        let i = insn.pointee
        let mnemonic = withUnsafeBytes(of: i.mnemonic) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let operands = withUnsafeBytes(of: i.op_str) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return operands.isEmpty ? mnemonic : mnemonic + " " + operands
    }
}
