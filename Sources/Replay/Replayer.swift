import Foundation
import GPUModel
import Journal
import Mediator
import Recorder

/// Why a journal cannot be replayed by this build.
public enum ReplayError: Error, CustomStringConvertible {
    /// The journal cannot be read.
    case journal(JournalError)
    /// Its configuration cannot be honoured (unknown revision, undecodable configuration, other GPU).
    case configuration(String)
    /// An input record cannot be turned back into an input.
    case badInput(sequence: UInt64, String)
    /// The journal of the replay (`emit`) could not be written.
    case emitFailed(JournalError)

    public var description: String {
        switch self {
        case .journal(let error): "\(error)"
        case .configuration(let why): "cannot replay this journal: \(why)"
        case let .badInput(sequence, why): "cannot replay input #\(sequence): \(why)"
        case .emitFailed(let error): "cannot write the journal of the replay: \(error)"
        }
    }
}

/// What replay is asked to do.
public struct ReplayOptions {
    /// Stop after the input with this sequence number (and its outputs).
    public var until: UInt64?
    /// Go on after a divergence and list them all (else stop at the first).
    public var keepGoing = false
    /// Replay under another mediator revision than the recorded one.
    public var revision: MediatorRevision?
    /// Replace the whole recorded configuration (e.g. another scheduler), applied before `revision`.
    public var configuration: MediatorConfiguration?
    /// Where to write a journal of the replay (same inputs, this build's outputs).
    public var emit: (any JournalAppending)?
    /// Run the isolation oracle after every mediator event (its findings become verdicts).
    public var oracle = true
    /// Called every `progressInterval` inputs with the last sequence replayed.
    public var progress: ((UInt64) -> Void)?
    /// Inputs between two progress calls.
    public var progressInterval: UInt64 = 100_000

    /// Default options: to the end, stop at the first divergence, recorded configuration.
    public init() {}
}

/// Re-drives a journal against a fresh engine (mediator + GPU model), entry by entry: each
/// recorded input is performed through `Engine.perform` at its recorded time, and what the
/// engine gives back and produces is compared with the recorded input and the outputs that
/// follow it. Single-threaded and deterministic.
public final class Replayer {
    /// The journal.
    public let reader: JournalReader
    /// The configuration replayed under.
    public let configuration: MediatorConfiguration
    /// The engine being driven.
    public let engine: Engine
    /// The hypervisor stand-in (guest RAM map, ownership).
    public let hypervisor: ReplayHypervisor
    /// The oracle (nil when switched off).
    public let oracle: IsolationOracle?
    /// What was found so far.
    public internal(set) var result = ReplayResult()

    let options: ReplayOptions
    let capture: CaptureSink
    let recorder: Recorder
    let watcher: ReplayWatcher
    var cursor: JournalCursor {
        didSet { cursor.cachesPages = true }  // every guest page is asked for right after its record
    }
    var lookahead: JournalRecord?
    /// An entry a fast-forward read but left for the next `step()`.
    var pendingEntry: (input: JournalRecord, recorded: [JournalRecord])?
    /// The result of the furthest checked replay so far (what a fast-forward's result is cut from).
    var frontier: ReplayResult?
    var atEnd = false
    /// Checkpoints taken while replaying (nil: none are taken).
    public var checkpoints: CheckpointStore?
    /// The state before the first input (seeking backwards without checkpoints starts here).
    public internal(set) var initialCheckpoint: ReplayCheckpoint?
    /// Whether the recording carries oracle findings among its outputs.
    let recordedOracle: Bool
    /// How live workloads were submitted (for hang reports).
    var submissions = SubmissionTracker()
    /// The last records replayed (context of a divergence), oldest first once full.
    private var recent: [JournalRecord] = []
    private var recentNext = 0
    /// Records kept as context before a divergence.
    static let contextRecords = 6

    /// The configuration `header`'s journal replays under with `options`, and the notes that
    /// say how it differs from the recording (for the emit header and the up-front notes).
    public static func configuration(for header: JournalHeader, options: ReplayOptions) throws(ReplayError)
        -> (configuration: MediatorConfiguration, notes: [String])
    {
        var notes: [String] = []
        var configuration: MediatorConfiguration
        if let given = options.configuration {
            configuration = given
            notes.append("replaying under a configuration given on the command line, not the recorded one")
        } else if let data = header.configurationData[RecordingHeader.configurationKey] {
            do { configuration = try JSONDecoder().decode(MediatorConfiguration.self, from: data) } catch {
                throw .configuration("the recorded mediator configuration does not decode (\(error))")
            }
        } else {
            guard let revision = MediatorRevision(rawValue: header.revision) else {
                throw .configuration("unknown mediator revision \"\(header.revision)\"")
            }
            configuration = MediatorConfiguration()
            configuration.revision = revision
            notes.append("the journal records no configuration data: using the defaults with revision \(revision.rawValue)")
        }
        if let revision = options.revision, revision != configuration.revision {
            notes.append("replaying under revision \(revision.rawValue); recorded under \(configuration.revision.rawValue)")
            configuration.revision = revision
        }
        return (configuration, notes)
    }

    /// A replayer of `reader`'s journal with `options`; refuses a journal this build cannot
    /// honour, and notes up front what differs from the recording.
    public init(reader: JournalReader, options: ReplayOptions = ReplayOptions()) throws(ReplayError) {
        self.reader = reader
        self.options = options
        let header = reader.header
        let (configuration, resolvedNotes) = try Self.configuration(for: header, options: options)
        var notes = resolvedNotes
        let gpu = GPU()
        gpu.memory.snapshotCodec = .lz4  // checkpoints keep memory pages compressed
        guard header.gpuDeviceID == gpu.configuration.deviceID else {
            throw .configuration("recorded on GPU device \(hex(UInt64(header.gpuDeviceID), width: 4)); this build models "
                                 + "\(hex(UInt64(gpu.configuration.deviceID), width: 4))")
        }
        if header.mediator.release != MediatorBuild.release || header.mediator.sourceRevision != MediatorBuild.sourceRevision {
            notes.append("recorded by mediator \(header.mediator.release) (\(header.mediator.sourceRevision)); this is "
                         + "\(MediatorBuild.release) (\(MediatorBuild.sourceRevision)): outputs may differ")
        }
        if case let .incomplete(reason) = reader.completeness {
            notes.append("the capture did not finish cleanly (\(reason)); replaying up to the last complete frame")
        }
        self.configuration = configuration
        hypervisor = ReplayHypervisor(gpu: gpu)
        engine = Engine(configuration: configuration, gpu: gpu, mpt: hypervisor, timeSource: nil)
        recordedOracle = header.configuration[RecordingHeader.oracleKey] == "on"
        capture = CaptureSink(emit: options.emit)
        recorder = Recorder(sink: capture)
        oracle = options.oracle || recordedOracle ? IsolationOracle() : nil
        if let oracle {
            oracle.attach(to: gpu, mediator: engine.mediator, ownership: hypervisor)
            if recordedOracle { recorder.oracle = (oracle, hypervisor, gpu) }
        }
        watcher = ReplayWatcher(recorder: recorder, oracle: recordedOracle ? nil : oracle, ownership: hypervisor, gpu: gpu)
        engine.inputObserver = recorder
        engine.mediator.observer = watcher
        do { cursor = try reader.records() } catch { throw .journal(error) }
        cursor.cachesPages = true
        result.notes = notes
        initialCheckpoint = checkpoint()
    }

    /// Replays to the end (or `until`, or the first divergence unless `keepGoing`).
    @discardableResult
    public func run() throws(ReplayError) -> ReplayResult {
        while try step() != nil {
            if let until = options.until, result.lastSequence >= until {
                if try peek() != nil { result.stoppedEarly = "stopped after #\(until) as asked (--until)" }
                break
            }
            if result.diverged && !options.keepGoing {
                result.stoppedEarly = "stopped at the first divergence (use --keep-going to list them all)"
                break
            }
        }
        return result
    }

    /// One recorded entry: its input record and the outputs that followed it.
    public struct Entry {
        /// The input as recorded.
        public var input: JournalRecord
        /// The outputs as recorded.
        public var recorded: [JournalRecord]
        /// What replay produced (input record first).
        public var produced: [JournalRecord]
        /// Divergences in this entry.
        public var divergences: [Divergence]
    }

    /// Performs the next recorded input and compares; nil at the end of the journal.
    public func step() throws(ReplayError) -> Entry? {
        guard let (input, recorded) = try nextEntry() else { return nil }
        guard input.event.isInput else {
            // Outputs before any input (a journal cut at its start): nothing to compare them with.
            result.events &+= 1
            result.lastSequence = input.sequence
            return Entry(input: input, recorded: [], produced: [], divergences: [])
        }
        var produced: [JournalRecord] = []
        if try perform(input) {
            produced = capture.take()
            result.inputs &+= 1
        }
        if let failure = recorder.failure { throw .emitFailed(failure) }
        // The last entry of a torn journal may have lost outputs with the frame that held them:
        // compare only what the journal still has.
        let cut = atEnd && (!reader.completeness.isComplete || result.torn)
        var divergences = compare(input: input, recorded: recorded,
                                  produced: cut ? Array(produced.prefix(1 + recorded.count)) : produced)
        if cut && !result.torn {
            result.torn = true
            result.stoppedEarly = "the journal ends at #\(recorded.last?.sequence ?? input.sequence) (the capture did not "
                + "finish cleanly): replayed up to its last complete frame"
        }
        for k in divergences.indices {
            let before = [input] + recorded.filter { $0.sequence < divergences[k].sequence }
            divergences[k].context = contextLines(then: divergences[k].sequence == input.sequence ? [] : before)
        }
        result.divergences += divergences
        result.events &+= 1 &+ UInt64(recorded.count)
        result.lastSequence = recorded.last?.sequence ?? input.sequence
        remember(input)
        for record in recorded { remember(record) }
        submissions.noteInput(input)
        let outputs = produced.dropFirst()
        let firstVerdict = result.verdicts.count
        collectVerdicts(outputs, inputSequence: input.sequence)
        let findings = watcher.takeFindings()
        if result.verdicts.count > firstVerdict || !findings.isEmpty {
            // Reports are built only for entries with something to report (text is costly).
            let cause = EventText.line(input)
            let response = IsolationDiagnosis.response(in: outputs)
            for record in outputs {
                if let diagnosis = IsolationDiagnosis.make(record: record, cause: cause, response: response) {
                    result.isolations.append(diagnosis)
                }
            }
            reportFindings(findings, input: input, cause: cause, response: response)
        }
        let hangs = watcher.takeHangs()
        if !hangs.isEmpty { attach(hangs, input: input, outputs: outputs, firstVerdict: firstVerdict) }
        submissions.noteOutputs(recorded)
        if let progress = options.progress, result.inputs % options.progressInterval == 0 { progress(result.lastSequence) }
        checkpoints?.consider(self)
        return Entry(input: input, recorded: recorded, produced: produced, divergences: divergences)
    }

    /// Turns the oracle's findings after an input into isolation verdicts and reports.
    private func reportFindings(_ findings: [IsolationFinding], input: JournalRecord, cause: String, response: String?) {
        for finding in findings {
            result.verdicts.append(Verdict(seq: input.sequence, kind: .isolation, vgpu: finding.responsible.map { UInt32($0.rawValue) },
                                           detail: finding.description))
            result.isolations.append(IsolationDiagnosis.make(finding, sequence: input.sequence, cause: cause, response: response))
        }
    }

    /// Completes captured hangs (sequence, submission) and gives their verdicts the vGPU.
    private func attach(_ hangs: [HangDiagnosis], input: JournalRecord, outputs: ArraySlice<JournalRecord>, firstVerdict: Int) {
        let hangRecords = outputs.filter { if case .hang = $0.event { true } else { false } }
        for (k, var hang) in hangs.enumerated() {
            hang.inputSequence = input.sequence
            hang.sequence = k < hangRecords.count ? hangRecords[k].sequence : input.sequence
            if let workload = hang.workload { hang.submission = submissions.trace(of: workload) }
            result.hangs.append(hang)
            if let v = result.verdicts[firstVerdict...].firstIndex(where: { $0.kind == .hang && $0.seq == hang.sequence }) {
                result.verdicts[v].vgpu = hang.vgpu
                var extra: [String] = []
                if let workload = hang.workload { extra.append("workload \(workload)") }
                if let vgpu = hang.vgpu { extra.append("vgpu \(vgpu)") }
                if let command = hang.stuckCommand { extra.append("stuck on \(command)") }
                if !extra.isEmpty { result.verdicts[v].detail += "; " + extra.joined(separator: ", ") }
            }
        }
    }

    // MARK: Context

    func remember(_ record: JournalRecord) {
        if recent.count < Self.contextRecords {
            recent.append(record)
        } else {
            recent[recentNext] = record
            recentNext = (recentNext + 1) % Self.contextRecords
        }
    }

    /// The remembered records, oldest first, then `more`, as the last few dump lines.
    private func contextLines(then more: [JournalRecord]) -> [String] {
        let ordered = recent.count < Self.contextRecords ? recent : Array(recent[recentNext...] + recent[..<recentNext])
        return (ordered + more).suffix(Self.contextRecords).map(EventText.line)
    }

    /// Performs the input `input` records through the engine (and keeps the hypervisor's
    /// map of guests in step); false when the record stands for nothing to perform.
    func perform(_ input: JournalRecord) throws(ReplayError) -> Bool {
        let engineInput: EngineInput?
        do {
            engineInput = try InputRecords.input(from: input.event) { key throws(JournalError) in
                guard case let .guestPageWritten(_, frame, _) = input.event else { return try reader.page(key) }
                // A patch's base is the frame's previous recorded content, which the frame
                // usually still holds: after a seek this saves decoding the frame that stored it.
                return try reader.page(key) { currentContent(ofFrame: frame) }
            }
        } catch {
            throw .badInput(sequence: input.sequence, "\(error)")
        }
        guard let engineInput else { return false }
        let outcome = engine.perform(engineInput, at: VirtualTime(nanoseconds: input.time))
        switch (engineInput, outcome) {
        case let (.createVGPU, .created(id, frames)): hypervisor.addVM(id, frames: frames)
        case let (.destroyVGPU(id), _): hypervisor.removeVM(id)
        default: break
        }
        return true
    }

    /// The bytes host frame `frame` holds now (nil outside memory), read without telling
    /// the memory's read observer (this is replay's read, not the GPU's).
    private func currentContent(ofFrame frame: UInt64) -> [UInt8]? {
        let memory = engine.gpu.memory
        guard frame < memory.frameCount else { return nil }
        let saved = memory.readObserver
        memory.readObserver = nil
        defer { memory.readObserver = saved }
        return memory.page(PageFrameNumber(frame))
    }

    // MARK: Reading

    /// The next entry: an input record and the outputs recorded after it (or a lone output
    /// record at the start of a cut journal); an entry read ahead by a fast-forward comes first.
    func nextEntry() throws(ReplayError) -> (input: JournalRecord, recorded: [JournalRecord])? {
        if let entry = pendingEntry {
            pendingEntry = nil
            return entry
        }
        guard let input = try nextRecord() else { return nil }
        guard input.event.isInput else { return (input, []) }
        var recorded: [JournalRecord] = []
        while let next = try peek(), !next.event.isInput {
            recorded.append(next)
            lookahead = nil
        }
        return (input, recorded)
    }

    private func peek() throws(ReplayError) -> JournalRecord? {
        if lookahead == nil && !atEnd { lookahead = try readOne() }
        return lookahead
    }

    private func nextRecord() throws(ReplayError) -> JournalRecord? {
        if let record = try peek() {
            lookahead = nil
            return record
        }
        return nil
    }

    private func readOne() throws(ReplayError) -> JournalRecord? {
        do {
            if let record = try cursor.next() { return record }
        } catch {
            if case let .damaged(damage) = error {
                result.torn = true
                result.stoppedEarly = "the journal is damaged at byte \(damage.offset) (\(damage.reason)); replayed up to "
                    + "#\(damage.lastGoodSequence.map(String.init) ?? "nothing")"
            } else {
                throw .journal(error)
            }
        }
        atEnd = true
        return nil
    }

    // MARK: Comparing

    func compare(input: JournalRecord, recorded: [JournalRecord], produced: [JournalRecord]) -> [Divergence] {
        guard let mine = produced.first else { return [] }
        func divergence(_ sequence: UInt64, _ a: JournalEvent?, _ b: JournalEvent?) -> Divergence {
            let event = a ?? b!
            // Text only when there is something to report: formatting every entry costs more
            // than replaying it.
            return Divergence(sequence: sequence, inputSequence: input.sequence, input: EventText.line(input.event),
                              kind: JournalEventKind.name(of: event.kindID), vgpu: event.vgpu, engine: Self.engine(of: event),
                              recorded: a.map(EventText.line), replayed: b.map(EventText.line))
        }
        if !Self.sameInput(input.event, mine.event) {
            return [divergence(input.sequence, input.event, mine.event)]
        }
        let outputs = produced.dropFirst()
        for k in 0..<max(recorded.count, outputs.count) {
            let a = k < recorded.count ? recorded[k].event : nil
            let b = k < outputs.count ? outputs[outputs.startIndex + k].event : nil
            if a != b { return [divergence(k < recorded.count ? recorded[k].sequence : input.sequence, a, b)] }
        }
        return []
    }

    /// Inputs compare equal when everything but a page's key (the content is the recorded
    /// one by construction) matches, results included.
    static func sameInput(_ a: JournalEvent, _ b: JournalEvent) -> Bool {
        if case let .guestPageWritten(v1, f1, _) = a, case let .guestPageWritten(v2, f2, _) = b { return v1 == v2 && f1 == f2 }
        return a == b
    }

    static func engine(of event: JournalEvent) -> UInt8? {
        switch event {
        case let .elspSubmission(_, e, _), let .workloadDispatched(_, e, _), let .workloadCompleted(_, e, _, _),
             let .contextStatus(e, _, _), let .completion(e, _), let .hang(e, _, _, _, _, _), let .engineStall(e, _),
             let .privilegeViolation(_, e, _, _), let .mmioContextSwitch(e, _, _, _), let .guestContextStatus(_, e, _, _, _):
            return e
        case let .workloadCreated(w): return w.engine
        case let .note(_, e, _, _): return e
        default: return nil
        }
    }

    private func collectVerdicts(_ outputs: ArraySlice<JournalRecord>, inputSequence: UInt64) {
        for record in outputs {
            switch record.event {
            case let .hang(engine, reason, acthd, instruction, head, tail):
                result.verdicts.append(Verdict(seq: record.sequence, kind: .hang, vgpu: nil, detail:
                    "\(EventText.engineName(engine)) hung (\(HardwareRecords.hangReasonName(reason))) at ACTHD \(hex(acthd)), "
                    + "instruction \(hex(UInt64(instruction), width: 8)), ring head \(hex(UInt64(head))) tail \(hex(UInt64(tail)))"))
            case let .failsafe(vgpu, reason, detail):
                result.verdicts.append(Verdict(seq: record.sequence, kind: .failsafe, vgpu: vgpu,
                                               detail: "\(FailsafeCode.name(reason)): \(detail)"))
            case let .isolationFinding(vgpu, _, _, detail):
                result.verdicts.append(Verdict(seq: record.sequence, kind: .isolation, vgpu: vgpu == 0 ? nil : vgpu, detail: detail))
            case let .vgpuReset(vgpu, dmlr, engines):
                result.verdicts.append(Verdict(seq: record.sequence, kind: .reset, vgpu: vgpu,
                                               detail: dmlr ? "device-model-level reset" : "engine reset, mask \(hex(UInt64(engines), width: 1))"))
            default:
                break
            }
        }
    }
}
