import GPUModel

/// The mediator's clock inside an engine entry: one reading per entry, taken when the entry
/// starts (live: from the source clock; replay: the recorded time stamp). Every clock read
/// during the entry returns that reading, so the time stamp of an input record is the only
/// clock input replay needs. Never runs backwards.
public final class EntryClock: MediatorClock {
    /// The current entry's time.
    public private(set) var time: VirtualTime = .zero

    /// A clock at time zero.
    public init() {}

    /// The entry's time.
    public func now() -> VirtualTime { time }

    /// Puts the clock back to `time` (restoring a checkpoint), even backwards.
    public func reset(to time: VirtualTime) { self.time = time }

    /// Starts an entry at `reading` (clamped so that time never runs backwards); returns the
    /// entry's time.
    @discardableResult
    public func enter(at reading: VirtualTime) -> VirtualTime {
        if reading > time { time = reading }
        return time
    }
}
