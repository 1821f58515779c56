import Foundation
import GPUModel
import Hypervisor
import Mediator

extension Scenarios {
    static let isolation: [Scenario] = []
    static let fuzz = Scenario(name: "fuzz", summary: "seeded adversarial guest: random MMIO, PTE, PCI config and command-buffer contents",
                               defaultVMs: 2) { parameters in
        let session = try BenchSession(scenario: "fuzz", parameters: parameters, defaultVMs: 2)
        return session.run { _, _ in }
    }
}
