/// The outcome of checking every frame and record of a journal.
public struct JournalVerification: Sendable, Equatable {
    /// Whether the journal was closed cleanly.
    public var completeness: JournalCompleteness
    /// Counts of what is readable.
    public var summary: JournalSummary
    /// The first damage, if any (including a trailer that disagrees with the frames).
    public var damage: JournalDamage?

    /// True when the journal is complete and nothing is damaged.
    public var isClean: Bool { damage == nil && completeness.isComplete }
}

/// What a salvage copied.
public struct JournalSalvage: Sendable, Equatable {
    /// Events copied.
    public var events: UInt64
    /// Pages copied.
    public var pages: UInt64
    /// Where the source stopped being readable, if it did.
    public var damage: JournalDamage?
    /// The copy's summary.
    public var summary: JournalSummary
}

extension JournalReader {
    /// Checks every frame (checksums), every record (decoding, sequence order, page
    /// references), the lifecycle marker and, for a complete journal, that the trailer's
    /// index and summary agree with the frames.
    public func verify() throws(JournalError) -> JournalVerification {
        let scan = try performScan(checkingPageReferences: true)
        var damage = scan.damage
        let last = scan.summary
        func trailerDamage(_ offset: UInt64, _ reason: String) -> JournalDamage {
            JournalDamage(path: source.name, offset: offset, fileSize: source.size, reason: reason,
                          lastGoodSequence: last.lastSequence, lastGoodTime: last.lastTime, eventsBefore: last.events)
        }
        if damage == nil, lifecycleState != JournalFormat.completeState, lifecycleState != JournalFormat.incompleteState {
            damage = trailerDamage(lifecycleOffset, "the lifecycle marker is damaged")
        }
        if damage == nil, completeness.isComplete, let trailerAt = trailerOffset {
            let index = try index()
            let summary = try summary()
            if scan.endOfFrames != trailerAt {
                damage = trailerDamage(scan.endOfFrames, "the frames end at byte \(scan.endOfFrames) but the trailer starts at \(trailerAt)")
            } else if index != scan.index {
                let bad = zip(index.frames, scan.index.frames).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                damage = trailerDamage(trailerAt, "the trailer's index disagrees with the frames"
                                       + (bad.map { " (frame \($0))" } ?? " (frame or page count)"))
            } else if !summary.agrees(with: scan.summary, formatVersion: header.formatVersion) {
                damage = trailerDamage(trailerAt, "the trailer's summary disagrees with the events")
            }
        }
        if damage == nil, !completeness.isComplete, scan.endOfFrames < source.size {
            damage = trailerDamage(scan.endOfFrames, "the trailer starting here is incomplete or unreadable")
        }
        return JournalVerification(completeness: completeness, summary: scan.summary, damage: damage)
    }

    /// Copies the readable prefix (every event and page before the first damage) into a new,
    /// complete journal on `sink` with the same header.
    public func salvage(to sink: any JournalSink, options: JournalWriterOptions = .init()) throws(JournalError) -> JournalSalvage {
        let writer = try JournalWriter(sink: sink, header: header, options: options)
        let cursor = cursorFromStart()
        var pages: UInt64 = 0
        cursor.onPageContent = { key, content in
            try writer.storePage(key, Array(content))
            pages += 1
        }
        var damage: JournalDamage?
        var events: UInt64 = 0
        do throws(JournalError) {
            while let record = try cursor.next() {
                try writer.append(record)
                events += 1
            }
        } catch {
            guard case let .damaged(d) = error else { throw error }
            damage = d
        }
        let summary = try writer.close()
        return JournalSalvage(events: events, pages: pages, damage: damage, summary: summary)
    }
}
