/// Iterates a journal's events in order, one frame in memory at a time.
///
/// `next()` returns events until the end; at damage it throws `JournalError.damaged` once
/// (naming the offset and the last good event), then returns nil. Events of a frame are
/// released only after the whole frame verified (checksum).
public final class JournalCursor {
    private let reader: JournalReader
    private let walker: FrameWalker
    private var frame: [UInt8] = []
    private var position = 0
    private var decoder: RecordDecoder
    private var finished = false
    private let firstSequence: UInt64
    private var frameOffset: UInt64 = 0
    /// Sequence and time of the last event returned, and of the one before it (damage
    /// reports name the last good event; only numbers are kept, not the events).
    private var last: (sequence: UInt64, time: UInt64)?
    private var prior: (sequence: UInt64, time: UInt64)?
    /// Events returned so far.
    public private(set) var eventsRead: UInt64 = 0
    /// Called for each verified frame (offset, length, raw bytes) before its records.
    var onFrame: ((UInt64, UInt64, Int) -> Void)?
    /// Called for each page record (key, content size).
    var onPage: ((PageKey, Int) -> Void)?
    /// Whether page records streamed past go into the reader's page cache (a replay asks
    /// for every page shortly after its record, so it should not decode the frame again).
    public var cachesPages = false
    /// Called for each page record with its content (salvage).
    var onPageContent: ((PageKey, UnsafeRawBufferPointer) throws -> Void)?

    init(reader: JournalReader, from offset: UInt64, firstSequence: UInt64) {
        self.reader = reader
        walker = FrameWalker(source: reader.source, from: offset)
        self.firstSequence = firstSequence
        decoder = RecordDecoder(version: reader.header.formatVersion)
    }

    /// Largest frame buffer used so far (for bounded-memory checks).
    var peakFrameBytes: Int { walker.peakContentBytes }

    /// The next event, nil at the end; throws `.damaged` at the first damage.
    public func next() throws(JournalError) -> JournalRecord? {
        while !finished {
            if position < frame.count {
                if let record = try decodeOne() {
                    if record.sequence < firstSequence { continue }
                    prior = last
                    last = (record.sequence, record.time)
                    eventsRead += 1
                    return record
                }
                continue
            }
            switch try walker.next() {
            case let .frame(offset, length, content):
                frame = content
                position = 0
                frameOffset = offset
                decoder = RecordDecoder(version: reader.header.formatVersion)
                onFrame?(offset, length, content.count)
            case .end, .trailer:
                finished = true
            case let .damage(offset, reason):
                throw fail(at: offset, reason)
            }
        }
        return nil
    }

    /// Decodes the record at `position`: an event, or nil after a page record.
    private func decodeOne() throws(JournalError) -> JournalRecord? {
        let result = frame.withUnsafeBytes { raw -> Result<(DecodedItem?, Int), DecodeFailure> in
            var r = ByteReader(raw, from: position)
            return Result { () throws(DecodeFailure) in (try decoder.next(&r), r.position) }
        }
        switch result {
        case let .failure(failure):
            throw fail(at: frameOffset, "record at raw byte \(failure.offset) of this frame does not decode (\(failure.what))")
        case let .success((item, next)):
            let start = position
            position = next
            switch item {
            case nil:
                return nil
            case let .pagePatch(key, base, range):
                onPage?(key, range.count)
                if cachesPages {
                    frame.withUnsafeBytes { reader.cacheStreamedPatch(key, base: base, UnsafeRawBufferPointer(rebasing: $0[range])) }
                }
                if let onPageContent {
                    // Salvage copies pages whole: rebuild this one from its base.
                    let content = try reader.page(key)
                    do {
                        try content.withUnsafeBytes { try onPageContent(key, $0) }
                    } catch let error as JournalError {
                        throw error
                    } catch {
                        throw .cannotRead(path: reader.source.name, reason: "\(error)")
                    }
                }
                return nil
            case let .page(key, range):
                onPage?(key, range.count)
                if cachesPages {
                    frame.withUnsafeBytes { reader.cacheStreamedPage(key, UnsafeRawBufferPointer(rebasing: $0[range])) }
                }
                if let onPageContent {
                    do {
                        try frame.withUnsafeBytes { try onPageContent(key, UnsafeRawBufferPointer(rebasing: $0[range])) }
                    } catch let error as JournalError {
                        throw error
                    } catch {
                        throw .cannotRead(path: reader.source.name, reason: "\(error)")
                    }
                }
                return nil
            case let .event(record):
                if let last, record.sequence <= last.sequence, eventsRead > 0 {
                    throw fail(at: frameOffset, "event at raw byte \(start) has sequence \(record.sequence), not after \(last.sequence)")
                }
                return record
            }
        }
    }

    /// Damage in the current frame, found by the caller (the last event returned stays good).
    /// Damage found by the caller in the event just returned: the event before it is the last good one.
    func damage(_ reason: String) -> JournalError {
        if last != nil {
            eventsRead -= 1
            last = prior
        }
        return fail(at: frameOffset, reason)
    }

    private func fail(at offset: UInt64, _ reason: String) -> JournalError {
        finished = true
        frame = []
        return .damaged(JournalDamage(path: reader.source.name, offset: offset, fileSize: reader.source.size, reason: reason,
                                      lastGoodSequence: last?.sequence, lastGoodTime: last?.time,
                                      eventsBefore: eventsRead))
    }
}
