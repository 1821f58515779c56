import Foundation
import Journal
import Mediator
import Recorder
import Replay

/// Replays a journal and writes what the replay did as a new journal (the in-process form of
/// `gvtrr replay A --revision R --emit B`): same inputs, this build's results and outputs.
public enum ReplayEmission {
    /// The header of the emitted journal: the recording's, with the configuration replayed under.
    public static func header(of recorded: JournalHeader, configuration: MediatorConfiguration) -> JournalHeader {
        var header = recorded
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(configuration) { header.configurationData[RecordingHeader.configurationKey] = data }
        header.revision = configuration.revision.rawValue
        header.configuration["revision"] = configuration.revision.rawValue
        header.configuration["scheduler"] = "\(configuration.schedulerPolicy)"
        header.configuration["vblankPeriod"] = "\(configuration.vblankPeriod)"
        return header
    }

    /// Replays `reader`'s journal to the end (going on past divergences) under `options`
    /// (revision, configuration) and writes the replay to `sink`; returns the replay's result.
    public static func emit(_ reader: JournalReader, to sink: any JournalSink, options: ReplayOptions = ReplayOptions())
        throws -> ReplayResult
    {
        var configuration = options.configuration ?? Self.recordedConfiguration(reader.header)
        if let revision = options.revision { configuration.revision = revision }
        let writer = try JournalWriter(sink: sink, header: header(of: reader.header, configuration: configuration))
        var options = options
        options.keepGoing = true
        options.until = nil
        options.emit = writer
        let replayer = try Replayer(reader: reader, options: options)
        let result = try replayer.run()
        _ = try writer.close()
        return result
    }

    /// Replays the journal at `path` and writes the replay to `out`.
    public static func emit(_ path: String, to out: String, options: ReplayOptions = ReplayOptions()) throws -> ReplayResult {
        let reader = try JournalReader(path: path)
        let sink = try FileJournalSink(path: out)
        return try emit(reader, to: sink, options: options)
    }

    /// The configuration a journal was recorded under (defaults when it records none).
    public static func recordedConfiguration(_ header: JournalHeader) -> MediatorConfiguration {
        if let data = header.configurationData[RecordingHeader.configurationKey],
           let configuration = try? JSONDecoder().decode(MediatorConfiguration.self, from: data) {
            return configuration
        }
        var configuration = MediatorConfiguration()
        configuration.revision = MediatorRevision(rawValue: header.revision) ?? .current
        return configuration
    }
}
