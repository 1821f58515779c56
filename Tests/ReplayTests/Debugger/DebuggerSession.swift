import Foundation
import GPUModel
import Journal
@testable import Replay

/// A debugger over a freshly recorded `smoke` journal, driven by script lines.
final class DebuggerSession {
    let path: String
    let debugger: Debugger

    /// Records a smoke journal and opens a debugger on it (checkpoints every `interval` inputs,
    /// at most `limit` of them).
    init(interval: UInt64 = 40, limit: Int = 8, ops: Int = 4) throws {
        path = try LiveRecordReplayTests.record("smoke", ops: ops).path
        debugger = try Debugger(reader: JournalReader(path: path), checkpointInterval: interval, checkpointLimit: limit)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Runs one command line.
    @discardableResult
    func run(_ line: String) -> String { debugger.execute(line) }

    /// Runs every line of `script`, returning the outputs in order.
    func script(_ script: String) -> [String] {
        script.split(separator: "\n").map { debugger.execute(String($0)) }
    }

    /// Every record of the journal.
    func records() throws -> [JournalRecord] {
        let cursor = try JournalReader(path: path).records()
        var all: [JournalRecord] = []
        while let record = try cursor.next() { all.append(record) }
        return all
    }

    /// The last sequence replayed.
    var position: UInt64 { debugger.replayer.result.lastSequence }
}
