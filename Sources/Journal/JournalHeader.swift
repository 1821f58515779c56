import Foundation

/// What a journal recorded: the first section of every journal (JSON in a skippable frame).
///
/// The recorder fills it; the journal only stores it. `formatVersion` is set by the writer.
public struct JournalHeader: Codable, Sendable, Equatable {
    /// The mediator build that produced the journal.
    public struct MediatorVersion: Codable, Sendable, Equatable {
        /// Release ("0.1.0").
        public var release: String
        /// Source revision (a git commit).
        public var sourceRevision: String
        /// A mediator version.
        public init(release: String, sourceRevision: String) {
            self.release = release
            self.sourceRevision = sourceRevision
        }
    }

    /// One VM of the capture and its vGPU.
    public struct VM: Codable, Sendable, Equatable {
        /// VM name.
        public var name: String
        /// The vGPU number used in events.
        public var vgpu: UInt32
        /// vGPU type name ("GVTg_V5_4").
        public var vgpuType: String
        /// A VM.
        public init(name: String, vgpu: UInt32, vgpuType: String) {
            self.name = name
            self.vgpu = vgpu
            self.vgpuType = vgpuType
        }
    }

    /// Format version of the file (written by `JournalWriter`).
    public var formatVersion: UInt32
    /// The mediator's version.
    public var mediator: MediatorVersion
    /// The revision under test (`gvtrr record --revision R`).
    public var revision: String
    /// Mediator configuration as opaque key/value text.
    public var configuration: [String: String]
    /// Opaque configuration blobs (e.g. JSON the recorder provides), base64 in the header JSON.
    public var configurationData: [String: Data]
    /// PCI device id of the GPU model.
    public var gpuDeviceID: UInt16
    /// VMs and their vGPUs.
    public var vms: [VM]
    /// Bench name ("multi-vm").
    public var bench: String
    /// Bench parameters (seed, ops, seconds…).
    public var benchParameters: [String: String]
    /// Host name.
    public var host: String
    /// Capture start, nanoseconds since the Unix epoch (supplied by the caller).
    public var startTimeUnixNanoseconds: Int64

    /// A header; `formatVersion` defaults to the current version.
    public init(mediator: MediatorVersion, revision: String, configuration: [String: String] = [:],
                configurationData: [String: Data] = [:], gpuDeviceID: UInt16, vms: [VM], bench: String,
                benchParameters: [String: String] = [:], host: String, startTimeUnixNanoseconds: Int64,
                formatVersion: UInt32 = JournalFormat.version) {
        self.formatVersion = formatVersion
        self.mediator = mediator
        self.revision = revision
        self.configuration = configuration
        self.configurationData = configurationData
        self.gpuDeviceID = gpuDeviceID
        self.vms = vms
        self.bench = bench
        self.benchParameters = benchParameters
        self.host = host
        self.startTimeUnixNanoseconds = startTimeUnixNanoseconds
    }

    /// The header section's payload: tag, u32 format version, u32 readable-by version, JSON.
    func encodedPayload() -> [UInt8] {
        var w = ByteWriter()
        w.bytes += JournalFormat.Section.header.tag
        w.u32le(formatVersion)
        w.u32le(JournalFormat.readableByVersion)
        w.bytes += Array(JournalJSON.encode(self))
        return w.bytes
    }

    /// Versions read from a header payload before its JSON is trusted.
    struct Versions {
        var format: UInt32
        var readableBy: UInt32
    }

    /// Decodes a header payload; throws a message on malformed input.
    static func decode(payload: [UInt8]) throws(DecodeFailure) -> (JournalHeader, Versions) {
        let prefix = payload.withUnsafeBytes { raw -> Result<Versions, DecodeFailure> in
            var r = ByteReader(raw)
            return Result { () throws(DecodeFailure) -> Versions in
                guard try r.bytes(4) == JournalFormat.Section.header.tag else { throw DecodeFailure(offset: 0, what: "bad header tag") }
                return Versions(format: try r.u32le(), readableBy: try r.u32le())
            }
        }
        let versions = try prefix.get()
        guard let header = try? JSONDecoder().decode(JournalHeader.self, from: Data(payload[12...])) else {
            throw DecodeFailure(offset: 12, what: "header JSON does not decode")
        }
        return (header, versions)
    }
}

/// The one JSON style of the journal's sections: sorted keys, base64 data.
enum JournalJSON {
    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return try encoder.encode(value)
        } catch {
            preconditionFailure("journal JSON section does not encode: \(error)")
        }
    }
}
