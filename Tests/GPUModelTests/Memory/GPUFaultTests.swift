import Foundation
import Testing
@testable import GPUModel

@Suite struct GPUFaultTests {
    @Test func descriptionsNameSpaceAccessAndLevel() {
        #expect(GPUFault(address: 0x1000, space: .ppgtt, reason: .notPresent(level: 2), isWrite: true).description
            == "PPGTT write fault at 0x00001000: PDE not present")
        #expect(GPUFault(address: 0x1_0000_0000, space: .ggtt, reason: .outsideAddressSpace).description
            == "GGTT read fault at 0x100000000: address outside the GGTT address space")
        #expect(GPUFault(address: 0x20, space: .ggtt, reason: .beyondPhysicalMemory(0x4000_0020)).description
            == "GGTT read fault at 0x00000020: physical address 0x040000020 beyond host memory")
        #expect(GPUFault(address: 0, space: .ppgtt, reason: .reservedBitsSet(level: 4)).description
            == "PPGTT read fault at 0x00000000: PML4E has reserved address bits set")
        #expect(GPUFault.levelName(0) == "GGTT PTE")
    }

    @Test func codableRoundTripAndAccessKind() throws {
        let fault = GPUFault(address: 0xABC000, space: .ppgtt, reason: .beyondPhysicalMemory(0x7000_0000))
        let decoded = try JSONDecoder().decode(GPUFault.self, from: JSONEncoder().encode(fault))
        #expect(decoded == fault)
        #expect(fault.asAccess(write: true).isWrite)
        #expect(fault.asAccess(write: true) != fault)
    }
}
