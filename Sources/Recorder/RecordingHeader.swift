import Foundation
import GPUModel
import Journal
import Mediator

/// Builds the header of a journal recorded on a bench: what was recorded, by which mediator,
/// with which configuration (as data replay rebuilds it from), on which host and when. The
/// wall clock and host name are read here, outside the engine.
public enum RecordingHeader {
    /// Key of the mediator configuration's JSON in `configurationData`.
    public static let configurationKey = "mediator"
    /// Key in `configuration` saying whether the isolation oracle's findings were recorded.
    public static let oracleKey = "oracle"

    /// A header for a capture of `bench` with `parameters`, under `configuration`, of these
    /// VMs (name, vGPU, type), with or without oracle findings among the outputs.
    public static func make(configuration: MediatorConfiguration, bench: String, parameters: [String: String],
                            vms: [JournalHeader.VM], oracle: Bool, gpu: GPUConfiguration = .apolloLake) -> JournalHeader {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(configuration)) ?? Data()
        let now = Date().timeIntervalSince1970
        return JournalHeader(
            mediator: .init(release: MediatorBuild.release, sourceRevision: MediatorBuild.sourceRevision),
            revision: configuration.revision.rawValue,
            configuration: [
                "revision": configuration.revision.rawValue,
                "scheduler": "\(configuration.schedulerPolicy)",
                "vblankPeriod": "\(configuration.vblankPeriod)",
                oracleKey: oracle ? "on" : "off",
            ],
            configurationData: [configurationKey: data],
            gpuDeviceID: gpu.deviceID, vms: vms, bench: bench, benchParameters: parameters,
            host: ProcessInfo.processInfo.hostName, startTimeUnixNanoseconds: Int64(now * 1e9))
    }
}
