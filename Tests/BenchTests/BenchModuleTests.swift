import Testing
@testable import Bench
@Suite struct BenchModuleTests { @Test func exists() { _ = BenchModule.self } }
