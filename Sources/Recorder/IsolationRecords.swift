import GPUModel
import Journal
import Mediator

/// The journal form of an isolation-oracle finding (`JournalEvent.isolationFinding`): the
/// responsible vGPU (0 = none known), the finding kind code, the graphics address (or the
/// frame's physical address when there is none) and the finding's text.
public enum IsolationRecords {
    static let kinds: [IsolationFinding.Kind] = [.ggttMapping, .ppgttMapping, .engineWrite, .engineRegisterWrite,
                                                 .crossVGPUState, .acceptedRange]

    /// The code of a finding kind: 0 GGTT mapping, 1 PPGTT mapping, 2 engine write,
    /// 3 engine register load, 4 cross-vGPU state, 5 accepted range.
    public static func code(_ kind: IsolationFinding.Kind) -> UInt32 { UInt32(kinds.firstIndex(of: kind) ?? 0xFF) }

    /// The name of a finding kind code.
    public static func kindName(_ code: UInt32) -> String {
        kinds[safe: Int(code)].map { "\($0)" } ?? "code \(code)"
    }

    /// The journal event for a finding.
    public static func record(_ finding: IsolationFinding) -> JournalEvent {
        let address = finding.address?.rawValue ?? finding.frame.map { $0.rawValue << 12 } ?? 0
        return .isolationFinding(vgpu: UInt32(truncatingIfNeeded: finding.responsible?.rawValue ?? 0),
                                 kind: code(finding.kind), address: address, detail: finding.description)
    }
}
