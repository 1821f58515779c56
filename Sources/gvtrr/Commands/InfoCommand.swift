import ArgumentParser
import Foundation
import GPUModel
import Journal

/// `gvtrr info FILE [--json]`: what a journal recorded, how much, and whether it is whole.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a journal's header, counts by kind and vGPU, duration, completeness and verdicts."
    )

    @Argument(help: "The journal (.gvtj).")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let reader = try openJournal(file)
        let summary: JournalSummary
        var damage: JournalDamage?
        if reader.completeness.isComplete {
            summary = try journalCall(file) { () throws(JournalError) in try reader.summary() }
        } else {
            let scan = try journalCall(file) { () throws(JournalError) in try reader.scan() }
            summary = scan.summary
            damage = scan.damage
        }
        if json {
            print(String(decoding: try InfoJSON(reader: reader, summary: summary, damage: damage).encoded(), as: UTF8.self))
        } else {
            printText(reader: reader, summary: summary, damage: damage)
        }
        if let damage {
            printError("gvtrr: \(damage.description)\nto keep what is readable: gvtrr verify \(file) --salvage FIXED.gvtj")
            throw ExitCode(1)
        }
    }

    func printText(reader: JournalReader, summary: JournalSummary, damage: JournalDamage?) {
        let h = reader.header
        print("journal: \(file)")
        print("size: \(reader.fileSize) bytes, format version \(h.formatVersion)")
        switch reader.completeness {
        case .complete: print("state: complete")
        case let .incomplete(reason): print("state: incomplete: \(reason)")
        }
        let parameters = h.benchParameters.keys.sorted().map { "\($0)=\(h.benchParameters[$0]!)" }.joined(separator: ", ")
        print("bench: \(h.bench)" + (parameters.isEmpty ? "" : " (\(parameters))"))
        print("revision: \(h.revision)")
        print("mediator: \(h.mediator.release) (\(h.mediator.sourceRevision))")
        print("gpu: device \(hex(h.gpuDeviceID, width: 4))")
        let vms = h.vms.isEmpty ? summary.vms ?? [] : h.vms
        print("vms: " + (vms.isEmpty ? "none" : vms.map { "\($0.name) (vgpu \($0.vgpu), \($0.vgpuType))" }.joined(separator: ", ")))
        print("host: \(h.host)")
        print("started: \(isoTime(h.startTimeUnixNanoseconds))")
        let range = summary.firstSequence.map { " (#\($0)..#\(summary.lastSequence ?? $0))" } ?? ""
        print("events: \(summary.events)\(range), duration \(summary.duration) ns")
        print("frames: \(summary.frames), raw bytes: \(summary.rawBytes), pages: \(summary.pages) (\(summary.pageBytes) bytes)")
        if !summary.byKind.isEmpty {
            print("by kind:")
            let width = summary.byKind.map(\.name.count).max() ?? 0
            for k in summary.byKind { print("  \(k.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(k.count)") }
        }
        if !summary.byVGPU.isEmpty {
            print("by vgpu:")
            for v in summary.byVGPU { print("  vgpu \(v.vgpu)  \(v.count)") }
        }
        print(summary.verdicts.isEmpty ? "verdicts: none" : "verdicts:")
        for v in summary.verdicts { print("  \(v.verdict)  \(v.count) (first #\(v.firstSequence))") }
        if let damage { print("damage: at byte offset \(damage.offset): \(damage.reason)") }
    }

    func isoTime(_ nanoseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(nanoseconds) / 1e9))
    }
}

/// `gvtrr info --json` output.
struct InfoJSON: Encodable {
    struct Damage: Encodable {
        var offset: UInt64
        var reason: String
        var lastGoodSequence: UInt64?
    }

    var file: String
    var bytes: UInt64
    var complete: Bool
    var incompleteReason: String?
    var formatVersion: UInt32
    var bench: String
    var benchParameters: [String: String]
    var revision: String
    var mediator: JournalHeader.MediatorVersion
    var gpuDeviceID: UInt16
    var vms: [JournalHeader.VM]
    var host: String
    var startTimeUnixNanoseconds: Int64
    var events: UInt64
    var firstSequence: UInt64?
    var lastSequence: UInt64?
    var durationNanoseconds: UInt64
    var frames: UInt64
    var pages: UInt64
    var byKind: [String: UInt64]
    var byVGPU: [String: UInt64]
    var verdicts: [String: UInt64]
    var damage: Damage?

    init(reader: JournalReader, summary: JournalSummary, damage: JournalDamage?) {
        let h = reader.header
        file = reader.source.name
        bytes = reader.fileSize
        complete = reader.completeness.isComplete
        if case let .incomplete(reason) = reader.completeness { incompleteReason = reason }
        formatVersion = h.formatVersion
        bench = h.bench
        benchParameters = h.benchParameters
        revision = h.revision
        mediator = h.mediator
        gpuDeviceID = h.gpuDeviceID
        vms = h.vms.isEmpty ? summary.vms ?? [] : h.vms
        host = h.host
        startTimeUnixNanoseconds = h.startTimeUnixNanoseconds
        events = summary.events
        firstSequence = summary.firstSequence
        lastSequence = summary.lastSequence
        durationNanoseconds = summary.duration
        frames = summary.frames
        pages = summary.pages
        byKind = Dictionary(uniqueKeysWithValues: summary.byKind.map { ($0.name, $0.count) })
        byVGPU = Dictionary(uniqueKeysWithValues: summary.byVGPU.map { (String($0.vgpu), $0.count) })
        verdicts = Dictionary(uniqueKeysWithValues: summary.verdicts.map { ($0.verdict, $0.count) })
        self.damage = damage.map { Damage(offset: $0.offset, reason: $0.reason, lastGoodSequence: $0.lastGoodSequence) }
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}

/// Opens a journal for the journal verbs; an unreadable file or a non-journal exits 2 with
/// a message that says what and where.
func openJournal(_ path: String) throws -> JournalReader {
    try journalCall(path) { () throws(JournalError) in try JournalReader(path: path) }
}

/// Runs a journal library call; a `JournalError` is printed and exits 2 (unreadable input).
func journalCall<T>(_ path: String, _ body: () throws(JournalError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError("gvtrr: \(error.description)")
        throw ExitCode(2)
    }
}
