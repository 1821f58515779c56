import GPUModel
import Journal

/// Remembers how each live workload was submitted: the last ELSP writes per vGPU and engine,
/// and, once a workload is created from them, the trace under its id until it completes.
/// Bounded: a trace is dropped when its workload completes.
struct SubmissionTracker {
    /// ELSP port offset of each engine (index = engine index).
    static let elspOffsets: [UInt32] = EngineID.allCases.map { MMIOOffset.ring(.elsp, $0).rawValue }

    /// Last ELSP writes per (vGPU, engine) key.
    private var writes: [UInt64: [JournalRecord]] = [:]
    /// Traces of workloads not yet completed.
    private var traces: [UInt64: SubmissionTrace] = [:]

    /// Notes an input record (cheap unless it is an ELSP write).
    mutating func noteInput(_ record: JournalRecord) {
        guard case let .mmioWrite(trap) = record.event, let engine = Self.elspOffsets.firstIndex(of: trap.offset) else { return }
        let key = UInt64(trap.vgpu) << 8 | UInt64(engine)
        var list = writes[key, default: []]
        if list.count == 4 { list.removeFirst() }
        list.append(record)
        writes[key] = list
    }

    /// Notes the outputs of an entry: created workloads get a trace, completed ones lose it.
    mutating func noteOutputs(_ records: [JournalRecord]) {
        for record in records {
            switch record.event {
            case let .workloadCreated(w):
                let key = UInt64(w.vgpu) << 8 | UInt64(w.engine)
                let submission = records.last { if case .elspSubmission = $0.event { true } else { false } }
                traces[w.workload] = SubmissionTrace(elspWrites: writes[key] ?? [], submission: submission, created: record)
            case let .workloadCompleted(_, _, workload, _):
                traces[workload] = nil
            default:
                continue
            }
        }
    }

    /// The trace of a workload still running.
    func trace(of workload: UInt64) -> SubmissionTrace? { traces[workload] }
}
