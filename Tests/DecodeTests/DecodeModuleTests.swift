import Testing
@testable import Decode

@Suite struct DecodeModuleTests {
    @Test func knowsGen9() { #expect(DecodeModule.generation == 9) }
}
