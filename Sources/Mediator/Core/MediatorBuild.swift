/// Which mediator this is, as a journal records it (header `mediator`): the release, and the
/// source revision stamped at build time if the builder set one. Replay compares both with
/// the journal's and says so up front when they differ.
public enum MediatorBuild {
    /// Release of the mediator's behaviour. Bump when a change is meant to alter what the
    /// mediator outputs for the same inputs (golden recordings are re-recorded then).
    public static let release = "0.3.0"
    /// Source revision (e.g. a git commit), or "unknown".
    public static let sourceRevision = "unknown"
}
