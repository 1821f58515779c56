import Foundation

/// Whether a journal was closed cleanly.
public enum JournalCompleteness: Sendable, Equatable {
    /// Closed cleanly: the trailer (index, summary) is present and the journal is marked complete.
    case complete
    /// The capture did not finish cleanly (or its trailer is unreadable); the reader rebuilds
    /// the index by scanning. The reason says which.
    case incomplete(reason: String)

    /// Whether the journal is complete.
    public var isComplete: Bool { self == .complete }
}

/// What a full scan of a journal found.
public struct JournalScan: Sendable, Equatable {
    /// Counts of everything readable (up to the damage, if any).
    public var summary: JournalSummary
    /// The frames and pages found.
    public var index: JournalIndex
    /// Where reading stopped early, if it did.
    public var damage: JournalDamage?
    /// Offset just past the last readable event frame.
    public var endOfFrames: UInt64
}

/// Reads a journal: header, completeness, events in order (streaming, one frame in memory),
/// seek by sequence through the index, and pages by key through a small LRU cache.
///
/// Not thread-safe; open one reader per thread.
public final class JournalReader {
    /// Where the bytes come from.
    public let source: any ByteSource
    /// The journal's header.
    public let header: JournalHeader
    /// The oldest reader version able to read this file (from the header).
    public let readableByVersion: UInt32
    /// Whether the journal was closed cleanly.
    public let completeness: JournalCompleteness
    /// Offset of the first event frame (after the header and lifecycle sections).
    let dataStart: UInt64
    /// Offset of the lifecycle section and its state bytes.
    let lifecycleOffset: UInt64
    let lifecycleState: [UInt8]
    /// The trailer's index and summary, when complete.
    /// Its index holds the frames only; the pages section (`pagesAt`) is decoded on the first
    /// page lookup that needs it (`pageIndex()`), so a reader's memory does not grow with the
    /// number of pages a journal stores unless pages are looked up outside the cache.
    private let trailer: (index: JournalIndex, summary: JournalSummary, offset: UInt64, pagesAt: UInt64)?
    private var loadedPages: PageIndex?
    /// The scan's page index, for a journal without a trailer.
    private var scannedPages: PageIndex?
    /// Whether the trailer's pages section has been decoded (tests of bounded memory).
    var pageIndexLoaded: Bool { loadedPages != nil }
    private var scanned: JournalScan?
    /// Pages by key. A replay's cursor fills it as it streams past page records
    /// (`JournalCursor.cachesPages`), so a patch finds its base here rather than by decoding
    /// older frames again; 32 MiB keeps ~8 Ki pages, the working set of a multi-VM bench.
    private var pageCache = LRUCache<PageKey, [UInt8]>(budget: 32 << 20)
    /// Page lookups that missed the cache and decoded a frame (a figure for benchmarks).
    public private(set) var pageFramesDecoded = 0
    /// Patches rebuilt from a base the caller had at hand instead of a decoded frame.
    public private(set) var basesFromCandidates = 0
    /// Patches streamed past while their base was not cached (a seek's first pages).
    private var unresolvedPatches = LRUCache<PageKey, (base: PageKey, runs: [UInt8])>(budget: 1 << 20)
    private let pageWalker: FrameWalker

    /// Opens the journal at `path`.
    public convenience init(path: String) throws(JournalError) {
        let source: FileByteSource
        do { source = try FileByteSource(path: path) } catch { throw .cannotRead(path: path, reason: "\(error)") }
        try self.init(source: source)
    }

    /// Opens a journal from `source`: checks the first frame, the header and its version,
    /// the lifecycle marker, and the trailer.
    public init(source: any ByteSource) throws(JournalError) {
        self.source = source
        let name = source.name
        let walker = FrameWalker(source: source, from: 0)
        pageWalker = FrameWalker(source: source, from: 0)
        guard source.size > 0 else { throw .notAJournal(path: name, reason: "the file is empty") }
        switch try walker.next() {
        case let .frame(_, _, content) where content.isEmpty:
            break
        case let .damage(_, reason):
            throw .notAJournal(path: name, reason: "byte offset 0: \(reason)")
        default:
            throw .notAJournal(path: name, reason: "byte offset 0: it does not start with an empty LZ4 frame")
        }
        let headerAt = walker.offset
        guard let payload = try walker.section(.header, at: headerAt) else {
            throw .notAJournal(path: name, reason: "byte offset \(headerAt): no readable header section")
        }
        let decoded: (JournalHeader, JournalHeader.Versions)
        do { decoded = try JournalHeader.decode(payload: payload) } catch {
            throw .notAJournal(path: name, reason: "byte offset \(headerAt): the header section is damaged (\(error))")
        }
        let versions = decoded.1
        let readable = (JournalFormat.minimumReadableVersion...JournalFormat.version).contains(versions.format)
            || (versions.format > JournalFormat.version && versions.readableBy <= JournalFormat.version)
        guard readable else {
            throw .unsupportedVersion(path: name, found: versions.format, minimumReadable: JournalFormat.minimumReadableVersion,
                                      current: JournalFormat.version)
        }
        header = decoded.0
        readableByVersion = versions.readableBy
        lifecycleOffset = headerAt + 8 + UInt64(payload.count + JournalFormat.sectionChecksumSize)
        guard let lifecycle = try walker.section(.lifecycle, at: lifecycleOffset),
              lifecycle.count == JournalFormat.lifecyclePayloadSize else {
            throw .notAJournal(path: name, reason: "byte offset \(lifecycleOffset): no readable lifecycle section")
        }
        lifecycleState = Array(lifecycle[4..<12])
        dataStart = lifecycleOffset + 8 + UInt64(lifecycle.count + JournalFormat.sectionChecksumSize)
        let endOffset = lifecycle[12..<20].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let found = try Self.readTrailer(walker: walker, size: source.size, dataStart: dataStart)
        switch (lifecycleState, found) {
        case (JournalFormat.completeState, .success(let t)) where endOffset == source.size - UInt64(JournalFormat.endFrameSize):
            trailer = t
            completeness = .complete
        case (JournalFormat.completeState, .success):
            trailer = nil
            completeness = .incomplete(reason: "the lifecycle marker points at byte \(endOffset), not at the end section")
        case (JournalFormat.completeState, .failure(let problem)):
            trailer = nil
            completeness = .incomplete(reason: "marked complete but \(problem.what) (the file was cut or damaged after a clean close)")
        case (JournalFormat.incompleteState, _):
            trailer = nil
            completeness = .incomplete(reason: "the capture did not finish cleanly (no trailer); the index was rebuilt by scanning")
        default:
            trailer = nil
            completeness = .incomplete(reason: "the lifecycle marker at byte \(lifecycleOffset) is damaged")
        }
    }

    /// Reads and decodes the trailer sections named by the end section at the end of the file.
    private static func readTrailer(walker: FrameWalker, size: UInt64, dataStart: UInt64)
        throws(JournalError) -> Result<(index: JournalIndex, summary: JournalSummary, offset: UInt64, pagesAt: UInt64), DecodeFailure>
    {
        let endSize = UInt64(JournalFormat.endFrameSize)
        guard size >= dataStart + endSize, let end = try walker.section(.end, at: size - endSize),
              end.count == JournalFormat.endPayloadSize else {
            return .failure(DecodeFailure(offset: Int(size), what: "the end section is missing"))
        }
        let fields = end.withUnsafeBytes { raw -> [UInt64] in
            var r = ByteReader(raw, from: 4)
            return (0..<4).map { _ in (try? r.u64le()) ?? 0 }
        }
        let (indexAt, pagesAt, summaryAt) = (fields[0], fields[1], fields[2])
        guard indexAt >= dataStart, let index = try walker.section(.index, at: indexAt),
              let pages = try walker.section(.pages, at: pagesAt),
              let summaryPayload = try walker.section(.summary, at: summaryAt) else {
            return .failure(DecodeFailure(offset: Int(size - endSize), what: "the trailer sections are unreadable"))
        }
        // The pages section is checked here (it decodes) but kept only as its offset.
        guard let decodedIndex = try? JournalIndex.decode(index: index),
              (try? JournalIndex.forEachPage(in: pages, frameCount: decodedIndex.frames.count) { _, _ in }) != nil,
              let summary = try? JSONDecoder().decode(JournalSummary.self, from: Data(summaryPayload[4...])) else {
            return .failure(DecodeFailure(offset: Int(indexAt), what: "the trailer's index or summary does not decode"))
        }
        return .success((decodedIndex, summary, indexAt, pagesAt))
    }

    /// The file's size.
    public var fileSize: UInt64 { source.size }

    /// The summary: the trailer's for a complete journal, otherwise rebuilt by a scan.
    public func summary() throws(JournalError) -> JournalSummary {
        if let trailer { return trailer.summary }
        return try scan().summary
    }

    /// The index: the trailer's for a complete journal, otherwise rebuilt by a scan.
    public func index() throws(JournalError) -> JournalIndex {
        guard let trailer else { return try scan().index }
        var index = trailer.index
        index.pages = try pageIndex().dictionary
        return index
    }

    /// The frames of the index (without loading the pages section).
    public func frames() throws(JournalError) -> [JournalIndex.Frame] {
        if let trailer { return trailer.index.frames }
        return try scan().index.frames
    }

    /// Which frame stores each page: the trailer's pages section, decoded once when first
    /// needed, or the scan's for an incomplete journal.
    func pageIndex() throws(JournalError) -> PageIndex {
        guard let trailer else {
            if let scannedPages { return scannedPages }
            let pages = PageIndex(try scan().index.pages)
            scannedPages = pages
            return pages
        }
        if let loadedPages { return loadedPages }
        let walker = FrameWalker(source: source, from: trailer.pagesAt)
        guard let payload = try walker.section(.pages, at: trailer.pagesAt),
              let pages = try? PageIndex(payload: payload, frameCount: trailer.index.frames.count) else {
            throw .damaged(JournalDamage(path: source.name, offset: trailer.pagesAt, fileSize: source.size,
                                         reason: "the trailer's pages section no longer reads", lastGoodSequence: nil,
                                         lastGoodTime: nil, eventsBefore: 0))
        }
        loadedPages = pages
        return pages
    }

    /// Where the trailer starts (complete journals only).
    var trailerOffset: UInt64? { trailer?.offset }

    /// Reads every frame and record once (cached): counts, index, and the first damage.
    public func scan() throws(JournalError) -> JournalScan {
        if let scanned { return scanned }
        let result = try performScan(checkingPageReferences: false)
        scanned = result
        return result
    }

    /// The scan; with `checkingPageReferences`, an event whose page was not stored before it is damage.
    func performScan(checkingPageReferences: Bool) throws(JournalError) -> JournalScan {
        var stored = Set<PageKey>()
        var builder = SummaryBuilder()
        var index = JournalIndex()
        let cursor = JournalCursor(reader: self, from: dataStart, firstSequence: 0)
        var endOfFrames = dataStart
        var damage: JournalDamage?
        cursor.onFrame = { offset, length, raw in
            index.frames.append(JournalIndex.Frame(offset: offset, length: length, rawLength: UInt64(raw), events: 0,
                                                   firstSequence: index.frames.last?.lastSequence ?? 0,
                                                   lastSequence: index.frames.last?.lastSequence ?? 0,
                                                   firstTime: 0))
            builder.addFrame(rawBytes: raw)
            endOfFrames = offset + length
        }
        cursor.onPage = { key, bytes in
            index.pages[key] = index.frames.count - 1
            builder.addPage(bytes: bytes)
            if checkingPageReferences { stored.insert(key) }
        }
        do throws(JournalError) {
            while let record = try cursor.next() {
                if checkingPageReferences, case let .guestMemoryRead(_, _, _, content) = record.event,
                   !stored.contains(content.page) {
                    throw cursor.damage("event #\(record.sequence) references \(content.page), which is not stored before it")
                }
                builder.add(record)
                let i = index.frames.count - 1
                if index.frames[i].events == 0 {
                    index.frames[i].firstSequence = record.sequence
                    index.frames[i].firstTime = record.time
                }
                index.frames[i].events += 1
                index.frames[i].lastSequence = record.sequence
            }
        } catch {
            guard case let .damaged(d) = error else { throw error }
            damage = d
        }
        return JournalScan(summary: builder.finished(), index: index, damage: damage, endOfFrames: endOfFrames)
    }

    /// Events in order from the first one whose sequence is ≥ `sequence` (through the index).
    public func records(from sequence: UInt64 = 0) throws(JournalError) -> JournalCursor {
        guard sequence > 0 else { return JournalCursor(reader: self, from: dataStart, firstSequence: 0) }
        var index = JournalIndex()
        index.frames = try frames()  // seeking needs the frames, not the pages
        let i = index.frameIndex(forSequence: sequence)
        let start = i < index.frames.count ? index.frames[i].offset : (try scanEnd(index))
        return JournalCursor(reader: self, from: start, firstSequence: sequence)
    }

    private func scanEnd(_ index: JournalIndex) throws(JournalError) -> UInt64 {
        guard let last = index.frames.last else { return dataStart }
        return last.offset + last.length
    }

    /// A cursor over every frame from the first event frame (events and pages).
    func cursorFromStart() -> JournalCursor { JournalCursor(reader: self, from: dataStart, firstSequence: 0) }

    /// The content of a stored page (read on demand from its frame, cached; a page stored as
    /// a patch is rebuilt from its base).
    public func page(_ key: PageKey) throws(JournalError) -> [UInt8] { try page(key, depth: 0) }

    private func page(_ key: PageKey, depth: Int) throws(JournalError) -> [UInt8] {
        if let cached = pageCache.value(for: key) { return cached }
        guard depth <= Int(FrameBuilder.maxPatchChain) else {
            throw .damaged(JournalDamage(path: source.name, offset: 0, fileSize: source.size,
                                         reason: "\(key) is a patch chain longer than \(FrameBuilder.maxPatchChain) (or a loop)",
                                         lastGoodSequence: nil, lastGoodTime: nil, eventsBefore: 0))
        }
        guard let frameIndex = try pageIndex().frame(of: key) else { throw .pageNotFound(key) }
        pageFramesDecoded += 1
        let frame = try frames()[frameIndex]
        pageWalker.seek(to: frame.offset)
        guard case let .frame(_, _, content) = try pageWalker.next() else {
            throw .damaged(JournalDamage(path: source.name, offset: frame.offset, fileSize: source.size,
                                         reason: "the frame holding \(key) does not verify", lastGoodSequence: nil,
                                         lastGoodTime: nil, eventsBefore: 0))
        }
        var found: [UInt8]?
        var patch: (base: PageKey, runs: [UInt8])?
        var patches: [(key: PageKey, base: PageKey, runs: [UInt8])] = []
        content.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var decoder = RecordDecoder(version: header.formatVersion)
            while let item = try? decoder.next(&r) {
                switch item {
                case let .page(k, range):
                    let bytes = Array(raw[range])
                    pageCache.insert(bytes, for: k, cost: bytes.count + 64)
                    if k == key { found = bytes }
                case let .pagePatch(k, base, range):
                    if k == key { patch = (base, Array(raw[range])) } else { patches.append((k, base, Array(raw[range]))) }
                default:
                    break
                }
            }
        }
        var result = found
        if result == nil {
            guard let patch else { throw .pageNotFound(key) }
            let base = try page(patch.base, depth: depth + 1)
            let applied = patch.runs.withUnsafeBytes { raw in
                Result { () throws(DecodeFailure) in try PagePatch.apply(raw, to: base) }
            }
            guard case let .success(rebuilt) = applied else {
                let what = if case let .failure(failure) = applied { failure.what } else { "" }
                throw .damaged(JournalDamage(path: source.name, offset: frame.offset, fileSize: source.size,
                                             reason: "the patch of \(key) does not fit its base \(patch.base): \(what)",
                                             lastGoodSequence: nil, lastGoodTime: nil, eventsBefore: 0))
            }
            pageCache.insert(rebuilt, for: key, cost: rebuilt.count + 64)
            result = rebuilt
        }
        // Rebuild the frame's other patches whose base is at hand, in order, so that the
        // pages a replay asks for next do not decode this frame again.
        for other in patches where pageCache.value(for: other.key) == nil {
            guard let base = pageCache.value(for: other.base),
                  case let .success(rebuilt) = other.runs.withUnsafeBytes({ raw in
                      Result { () throws(DecodeFailure) in try PagePatch.apply(raw, to: base) }
                  }) else { continue }
            pageCache.insert(rebuilt, for: other.key, cost: rebuilt.count + 64)
        }
        return result!
    }

    /// Caches a whole page a cursor streamed past (`JournalCursor.cachesPages`).
    func cacheStreamedPage(_ key: PageKey, _ content: UnsafeRawBufferPointer) {
        guard !pageCache.contains(key) else { return }
        pageCache.insert(Array(content), for: key, cost: content.count + 64)
    }

    /// Rebuilds and caches a page stored as a patch that a cursor streamed past, when its base
    /// is cached (otherwise `page(_:)` rebuilds it on demand). A patch that does not fit its
    /// base is left for `page(_:)`, which reports the damage.
    func cacheStreamedPatch(_ key: PageKey, base: PageKey, _ runs: UnsafeRawBufferPointer) {
        guard !pageCache.contains(key) else { return }
        guard let content = pageCache.value(for: base) else {
            // Kept so that `page(_:candidateBase:)` can rebuild it from a base its caller has at hand.
            unresolvedPatches.insert((base, Array(runs)), for: key, cost: runs.count + 64)
            return
        }
        guard case let .success(rebuilt) = Result(catching: { () throws(DecodeFailure) in try PagePatch.apply(runs, to: content) })
        else { return }
        pageCache.insert(rebuilt, for: key, cost: rebuilt.count + 64)
    }

    /// The content of a stored page, like `page(_:)`; when it is a patch a cursor streamed
    /// past whose base is no longer cached, `candidateBase` is tried as that base first (a
    /// replay passes the guest frame's current content, which is the base unless something
    /// else wrote the frame since). The candidate is taken only if its xxHash64 is the base's
    /// key, so a wrong candidate costs a hash and then the frame decode it saves otherwise.
    public func page(_ key: PageKey, candidateBase: () -> [UInt8]?) throws(JournalError) -> [UInt8] {
        if let cached = pageCache.value(for: key) { return cached }  // the usual case: streamed just before
        if let patch = unresolvedPatches.value(for: key), patch.base.variant == 0,
           let candidate = candidateBase(), !candidate.isEmpty,
           XXHash64.hash(candidate) == patch.base.hash,
           case let .success(rebuilt) = patch.runs.withUnsafeBytes({ raw in
               Result { () throws(DecodeFailure) in try PagePatch.apply(raw, to: candidate) }
           }) {
            basesFromCandidates += 1
            pageCache.insert(candidate, for: patch.base, cost: candidate.count + 64)
            pageCache.insert(rebuilt, for: key, cost: rebuilt.count + 64)
            return rebuilt
        }
        return try page(key)
    }

    /// The guest memory a reference names: `length` bytes at its offset in its page.
    public func content(of reference: PageReference, length: UInt32) throws(JournalError) -> [UInt8] {
        let page = try page(reference.page)
        let start = Int(reference.offset)
        guard start <= page.count, Int(length) <= page.count - start else {
            throw .damaged(JournalDamage(path: source.name, offset: 0, fileSize: source.size,
                                         reason: "\(reference.page) holds \(page.count) bytes, not \(length) at offset \(start)",
                                         lastGoodSequence: nil, lastGoodTime: nil, eventsBefore: 0))
        }
        return Array(page[start..<start + Int(length)])
    }

    /// Calls `body` with the raw content of every LZ4 frame in order (what `lz4 -d` prints),
    /// stopping at damage (returned).
    public func forEachRawFrame(_ body: ([UInt8]) throws -> Void) throws -> JournalDamage? {
        let walker = FrameWalker(source: source, from: 0)
        while true {
            switch try walker.next() {
            case let .frame(_, _, content):
                try body(content)
            case .end, .trailer:
                return nil
            case let .damage(offset, reason):
                return JournalDamage(path: source.name, offset: offset, fileSize: source.size, reason: reason,
                                     lastGoodSequence: nil, lastGoodTime: nil, eventsBefore: 0)
            }
        }
    }
}
