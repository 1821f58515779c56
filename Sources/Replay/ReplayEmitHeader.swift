import Foundation
import Journal
import Mediator
import Recorder

/// The header of a journal emitted by replay (`gvtrr replay --emit`): the recorded header,
/// with this build as the mediator and the configuration replayed under. Nothing in it
/// depends on when or where the replay ran, so two replays of one journal emit the same bytes.
public enum ReplayEmitHeader {
    /// Key in `configuration` naming the mediator build whose recording this is a replay of.
    public static let replayOfKey = "replay-of"

    /// `recorded` rewritten for a replay under `configuration` by this build.
    public static func make(from recorded: JournalHeader, configuration: MediatorConfiguration) -> JournalHeader {
        var header = recorded
        header.formatVersion = JournalFormat.version
        header.mediator = .init(release: MediatorBuild.release, sourceRevision: MediatorBuild.sourceRevision)
        header.revision = configuration.revision.rawValue
        header.configuration["revision"] = configuration.revision.rawValue
        header.configuration["scheduler"] = "\(configuration.schedulerPolicy)"
        header.configuration["vblankPeriod"] = "\(configuration.vblankPeriod)"
        header.configuration[replayOfKey] = "\(recorded.mediator.release) (\(recorded.mediator.sourceRevision)), "
            + "revision \(recorded.revision)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(configuration) { header.configurationData[RecordingHeader.configurationKey] = data }
        return header
    }
}
