import Hypervisor
import Testing
@testable import Bench

/// capstone decodes every instruction form the guest driver emits, with the direction,
/// size and registers the driver relies on.
@Suite struct MMIOFormTests {
    @Test(arguments: MMIOForm.allCases)
    func capstoneDecodesTheForm(_ form: MMIOForm) throws {
        let capstone = try CapstoneX86()
        for disp: Int32 in [0x2030, 0x78000, 0x80_0000] {
            let bytes = form.encode(disp: disp, immediate: 0x8000_8000)
            let decoded = try capstone.decode(bytes)
            #expect(decoded.length == bytes.count)
            #expect(decoded.size == form.size)
            #expect(decoded.direction == (form.isWrite ? .write : .read))
            #expect(decoded.memory.base == form.base)
            #expect(decoded.memory.index == form.index)
            if form.index != nil { #expect(decoded.memory.scale == form.scale) }
            #expect(decoded.memory.displacement == Int64(disp))
            #expect(decoded.text == form.expectedText(disp: disp, immediate: 0x8000_8000))
            if let reg = form.valueRegister {
                #expect(decoded.source == .register(RegisterOperand(reg, width: form.registerWidth)))
            } else if form.isWrite {
                #expect(decoded.source == .immediate(0x8000_8000))
            }
            if let reg = form.destination {
                #expect(decoded.destination == RegisterOperand(reg, width: form.registerWidth))
            }
        }
    }
}
