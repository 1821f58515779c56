import Foundation
import Journal
import Mediator
import Recorder
import Replay

/// What `gvtrr minimize` keeps.
public enum MinimizeTarget: String, Sendable, CaseIterable, Codable {
    /// A hang verdict (the GPU's hangcheck declared an engine hung).
    case hang
    /// An isolation verdict (the oracle saw a write or mapping outside the attacker).
    case isolation
    /// A failsafe verdict (a vGPU entered failsafe mode).
    case failsafe
    /// A divergence between the recorded configuration and `MinimizeOptions.revision`/`configuration`.
    case divergence
}

/// What `gvtrr minimize` is asked to do.
public struct MinimizeOptions {
    /// The verdict to keep.
    public var keep: MinimizeTarget
    /// Replay under this revision (for `divergence`: the revision compared with the recorded one).
    public var revision: MediatorRevision?
    /// Replay under this configuration (for `divergence`: the one compared with the recorded one).
    public var configuration: MediatorConfiguration?
    /// Stop looking for smaller candidates after this many seconds (the best so far is kept).
    public var budget: Double?
    /// Called with a line of progress.
    public var progress: ((String) -> Void)?

    /// Options keeping `keep`.
    public init(keep: MinimizeTarget) { self.keep = keep }
}

/// The size of a journal, as `gvtrr minimize` reports it.
public struct JournalSize: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Records.
    public var events: UInt64
    /// Input records.
    public var inputs: UInt64
    /// Guest operations (runs of a guest's inputs ending with an ELSP submission).
    public var guestOperations: Int
    /// File size.
    public var bytes: UInt64

    /// "1234 events (456 inputs), 12 guest operations, 34567 bytes".
    public var description: String {
        "\(events) events (\(inputs) inputs), \(guestOperations) guest operations, \(bytes) bytes"
    }
}

/// The outcome of a minimisation.
public struct MinimizeResult: Sendable {
    /// Size of the original journal.
    public var before: JournalSize
    /// Size of the minimised journal.
    public var after: JournalSize
    /// The kept verdict, as found in the minimised journal's replay.
    public var verdict: String
    /// Candidates replayed.
    public var candidates: Int
    /// Seconds spent.
    public var seconds: Double
    /// Whether the budget ran out before ddmin finished.
    public var budgetExhausted: Bool
    /// Units (boot prefixes, guest operations, timer runs) kept out of how many.
    public var unitsKept: Int, unitsTotal: Int
}

/// Why a journal cannot be minimised.
public enum MinimizeError: Error, CustomStringConvertible {
    /// The original journal does not show the verdict asked for.
    case doesNotReproduce(String)
    /// Reading, writing or replaying failed.
    case failed(String)

    public var description: String {
        switch self {
        case .doesNotReproduce(let what): "the journal does not reproduce: \(what)"
        case .failed(let why): why
        }
    }
}

/// Delta debugging (Zeller's ddmin) over a journal's guest-side inputs: candidates are the
/// journal without some units (`GuestOperations`), each replayed against a fresh engine
/// with the kept verdict as the oracle (outputs are not compared: they change with the
/// inputs). The result is written by a final replay with `--emit`, so it is an ordinary
/// journal that replays with zero divergence.
public final class Minimizer {
    /// The journal being minimised.
    public let reader: JournalReader
    /// The options.
    public let options: MinimizeOptions
    private var inputs: [JournalRecord] = []
    private var operations: GuestOperations
    private var candidates = 0
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var verdictText = ""
    /// The vGPU the last reproducing verdict names (the attacker of an isolation finding).
    private var verdictVGPU: UInt32?

    /// A minimiser of `reader`'s journal; reads its inputs (outputs are not kept).
    public init(reader: JournalReader, options: MinimizeOptions) throws {
        self.reader = reader
        self.options = options
        start = clock.now
        let cursor = try reader.records()
        while let record = try cursor.next() { if record.event.isInput { inputs.append(record) } }
        operations = GuestOperations(inputs.map(\.event))
    }

    private var elapsed: Double {
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private var outOfBudget: Bool { options.budget.map { elapsed >= $0 } ?? false }

    private func say(_ line: String) { options.progress?(line) }

    /// Minimises and writes the result to `sink`.
    public func run(to sink: any JournalSink) throws -> MinimizeResult {
        let before = try size(of: reader, operations: operations.operationCount)
        // 1. The whole journal must reproduce; cut it after the entry where the verdict appears.
        guard let firstAt = try test(kept: nil, limit: inputs.count) else {
            throw MinimizeError.doesNotReproduce("no \(options.keep.rawValue) verdict in a replay of its inputs")
        }
        let cut = firstAt + 1
        say("reproduces: \(verdictText) (at input \(cut) of \(inputs.count)); keeping inputs up to it")
        var limit = cut
        let unitsInPrefix = operations.units.indices.filter { operations.units[$0].inputs.first! < limit }
        var kept = Set(unitsInPrefix)
        // 2. Whole guests (all their units, boot included): all but the one the verdict names
        // at once, then one at a time.
        var guests = Set(unitsInPrefix.map { operations.units[$0].vgpu }).subtracting([0]).sorted()
        if let named = verdictVGPU, guests.count > 1, guests.contains(named) {
            let without = kept.filter { [0, named].contains(operations.units[$0].vgpu) }
            if let at = try test(kept: without, limit: limit) {
                kept = without
                limit = at + 1
                guests = [named]
                say("without every guest but vgpu \(named): reproduces (\(kept.count) units)")
            }
        }
        for guest in guests where !outOfBudget {
            let without = kept.filter { operations.units[$0].vgpu != guest }
            if without.count < kept.count, let at = try test(kept: without, limit: limit) {
                kept = without
                limit = at + 1
                say("without vgpu \(guest): reproduces (\(kept.count) units)")
            }
        }
        // 3. ddmin over guest operations, tails and timer runs (boot prefixes stay).
        let removable = kept.filter { operations.units[$0].kind != .boot }.sorted()
        let fixed = kept.subtracting(removable)
        let reduced = try ddmin(removable, fixed: fixed, limit: &limit)
        kept = fixed.union(reduced)
        // 4. Boot prefixes, one at a time (a guest whose every operation went may not need its boot).
        for u in fixed.sorted() where !outOfBudget {
            let without = kept.subtracting([u])
            if let at = try test(kept: without, limit: limit) {
                kept = without
                limit = at + 1
                say("without the boot of vgpu \(operations.units[u].vgpu): reproduces")
            }
        }
        // 5. The result, written by a replay so that it replays without divergence.
        let candidate = try build(kept: kept, limit: limit)
        let candidateReader = try JournalReader(source: MemoryByteSource(candidate, name: "candidate"))
        var replay = ReplayOptions()
        if options.keep != .divergence {
            replay.revision = options.revision
            replay.configuration = options.configuration
        }
        let counting = CountingSink(sink)
        let final = try ReplayEmission.emit(candidateReader, to: counting, options: replay)
        let resultReader = try JournalReader(source: MemoryByteSource(counting.bytes, name: "result"))
        let keptOperations = kept.filter { operations.units[$0].kind == .operation }.count
        var after = try size(of: resultReader, operations: keptOperations)
        after.bytes = UInt64(counting.bytes.count)
        let verdict = options.keep == .divergence ? verdictText : (final.verdicts.first { matches($0) }.map(Self.text) ?? verdictText)
        return MinimizeResult(before: before, after: after, verdict: verdict, candidates: candidates, seconds: elapsed,
                              budgetExhausted: outOfBudget, unitsKept: kept.count, unitsTotal: operations.units.count)
    }

    /// ddmin over `units`: returns a subset that still reproduces and from which no chunk
    /// at the finest granularity tried can be removed.
    private func ddmin(_ units: [Int], fixed: Set<Int>, limit: inout Int) throws -> [Int] {
        var current = units
        var n = 2
        while current.count >= 2 && !outOfBudget {
            let chunks = Self.split(current, into: n)
            var reduced = false
            for (k, chunk) in chunks.enumerated() where !outOfBudget {
                let complement = chunks.enumerated().filter { $0.offset != k }.flatMap(\.element)
                if let at = try test(kept: fixed.union(complement), limit: limit) {
                    say("removed \(chunk.count) of \(current.count) units: reproduces (\(complement.count) left)")
                    current = complement
                    limit = at + 1
                    n = max(n - 1, 2)
                    reduced = true
                    break
                }
            }
            if !reduced {
                if n >= current.count { break }
                n = min(current.count, 2 * n)
                say("granularity \(n) (\(current.count) units)")
            }
        }
        if current.count == 1, !outOfBudget, let at = try test(kept: fixed, limit: limit) {
            limit = at + 1
            return []
        }
        return current
    }

    private static func split(_ units: [Int], into n: Int) -> [[Int]] {
        var chunks: [[Int]] = []
        var start = 0
        for k in 0..<n {
            let end = units.count * (k + 1) / n
            if end > start { chunks.append(Array(units[start..<end])) }
            start = end
        }
        return chunks
    }

    // MARK: Candidates

    /// The inputs kept: fixed inputs and those of `kept` units (all when nil), before `limit`.
    private func build(kept: Set<Int>?, limit: Int) throws -> [UInt8] {
        let sink = MemoryJournalSink(destination: "candidate")
        let writer = try JournalWriter(sink: sink, header: reader.header)
        var sequence: UInt64 = 0
        for index in 0..<min(limit, inputs.count) {
            let unit = operations.unitOf[index]
            if unit >= 0, let kept, !kept.contains(Int(unit)) { continue }
            var event = inputs[index].event
            if case let .guestPageWritten(v, frame, key) = event {
                event = .guestPageWritten(vgpu: v, frame: frame, page: try writer.storePage(try reader.page(key)))
            }
            sequence += 1
            try writer.append(JournalRecord(sequence: sequence, time: inputs[index].time, event: event))
        }
        _ = try writer.close()
        return sink.bytes
    }

    /// Replays the candidate; the index (in the original inputs) of the input whose entry
    /// showed the kept verdict, or nil when it does not reproduce.
    private func test(kept: Set<Int>?, limit: Int) throws -> Int? {
        candidates += 1
        let bytes = try build(kept: kept, limit: limit)
        // Candidate input k → original input index.
        var original: [Int] = []
        original.reserveCapacity(limit)
        for index in 0..<min(limit, inputs.count) {
            let unit = operations.unitOf[index]
            if unit >= 0, let kept, !kept.contains(Int(unit)) { continue }
            original.append(index)
        }
        let source = MemoryByteSource(bytes, name: "candidate \(candidates)")
        var replay = ReplayOptions()
        replay.keepGoing = true
        replay.oracle = options.keep == .isolation  // the oracle costs; only isolation needs it
        if options.keep == .divergence {
            let baseline = try Replayer(reader: JournalReader(source: source), options: ReplayOptions())
            replay.revision = options.revision
            replay.configuration = options.configuration
            let other = try Replayer(reader: JournalReader(source: source), options: replay)
            var k = 0
            while let a = try baseline.step() {
                guard let b = try other.step() else { break }
                if a.produced.map(\.event) != b.produced.map(\.event) {
                    let first = zip(a.produced, b.produced).first { $0.event != $1.event }
                    verdictText = "divergence in the entry of " + EventDetail.line(a.input.event)
                        + (first.map { ": \(EventDetail.line($0.0.event)) / \(EventDetail.line($0.1.event))" } ?? "")
                    return k < original.count ? original[k] : nil
                }
                k += 1
            }
            return nil
        }
        replay.revision = options.revision
        replay.configuration = options.configuration
        let replayer = try Replayer(reader: JournalReader(source: source), options: replay)
        var k = 0
        while try replayer.step() != nil {
            if let verdict = replayer.result.verdicts.first(where: matches) {
                verdictText = Self.text(verdict)
                verdictVGPU = verdict.vgpu
                return k < original.count ? original[k] : nil
            }
            k += 1
        }
        return nil
    }

    private func matches(_ verdict: Verdict) -> Bool {
        switch options.keep {
        case .hang: verdict.kind == .hang
        case .isolation: verdict.kind == .isolation
        case .failsafe: verdict.kind == .failsafe
        case .divergence: false
        }
    }

    private static func text(_ verdict: Verdict) -> String {
        "\(verdict.kind.rawValue)" + (verdict.vgpu.map { " (vgpu \($0))" } ?? "") + ": \(verdict.detail)"
    }

    private func size(of reader: JournalReader, operations: Int) throws -> JournalSize {
        let summary = try reader.summary()
        let inputs = summary.byKind.filter { JournalEventKind(rawValue: $0.kind).map { k in Self.isInputKind(k) } ?? false }
            .reduce(UInt64(0)) { $0 + $1.count }
        return JournalSize(events: summary.events, inputs: inputs, guestOperations: operations, bytes: reader.fileSize)
    }

    private static func isInputKind(_ kind: JournalEventKind) -> Bool {
        switch kind {
        case .mmioRead, .mmioWrite, .pciConfigRead, .pciConfigWrite, .protectedPageWrite, .guestMemoryRead, .clockReading,
             .timerExpiry, .guestPageWritten, .vgpuCreateRequest, .vgpuDestroyRequest, .vgpuResetRequest:
            true
        default:
            false
        }
    }
}

/// A sink that forwards to another and keeps a copy of the bytes (to size the result).
final class CountingSink: JournalSink, @unchecked Sendable {
    let inner: any JournalSink
    private(set) var bytes: [UInt8] = []
    init(_ inner: any JournalSink) { self.inner = inner }
    var destination: String { inner.destination }
    func append(_ bytes: [UInt8]) throws {
        try inner.append(bytes)
        self.bytes += bytes
    }
    func overwrite(_ bytes: [UInt8], at offset: UInt64) throws {
        try inner.overwrite(bytes, at: offset)
        self.bytes.replaceSubrange(Int(offset)..<Int(offset) + bytes.count, with: bytes)
    }
    func synchronize() throws { try inner.synchronize() }
    func close() throws { try inner.close() }
}
