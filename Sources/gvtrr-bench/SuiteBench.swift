import Bench
import Foundation
import Journal
import Replay

// The performance suite (issue 10): `tools/bench` builds release gvtrr and gvtrr-bench and
// runs `gvtrr-bench suite [SECONDS]`. Every figure is measured in this run next to its
// reference (the same bench without the shim, `lz4 -1` on the same bytes, the capture's
// own duration, a replay without checkpoints) and printed in one table with its target.

/// One row of the table.
struct SuiteRow {
    var figure: String
    var measured: String
    var reference: String
    var target: String
    /// nil: no verdict (not measured).
    var met: Bool?
}

/// The peak RSS (MB) of running `gvtrr` with `arguments` (through /usr/bin/time), nil if it
/// cannot be measured.
func peakRSSOfGVTRR(_ gvtrr: String, _ arguments: [String]) -> Int? {
    guard FileManager.default.isExecutableFile(atPath: gvtrr), FileManager.default.isExecutableFile(atPath: "/usr/bin/time")
    else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
    process.arguments = ["-f", "RSS %M", gvtrr] + arguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    guard (try? process.run()) != nil else { return nil }
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 || process.terminationStatus == 1 else { return nil }  // 2: the verb failed
    let text = String(decoding: data, as: UTF8.self)
    guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("RSS ") }), let kb = Int(line.dropFirst(4)) else {
        return nil
    }
    return kb / 1024
}

func suiteBench(seconds: Double) {
    print("gvtrr-bench suite (release build; long capture \(seconds) s of multi-vm)")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-suite-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let gvtrr = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("gvtrr").path
    var rows: [SuiteRow] = []
    do {
        // 1. Recording overhead.
        let (with, without) = try shimOverhead(rounds: 3, seconds: 2, in: dir)
        let slowdown = 1 - mean(with) / max(1, mean(without))
        rows.append(SuiteRow(figure: "1 recording overhead (live multi-vm)",
                             measured: String(format: "%.0f guest ops/s with the shim", mean(with)),
                             reference: String(format: "%.0f without (3 alternating runs each)", mean(without)),
                             target: "<= 3% slower", met: slowdown <= 0.03))
        rows[rows.count - 1].measured += String(format: " (%.1f%% slower)", slowdown * 100)

        // The long journal and a quarter-length one.
        let long = dir.appendingPathComponent("long.gvtj").path, short = dir.appendingPathComponent("short.gvtj").path
        var captureSeconds = 0.0
        captureSeconds = try measureThrowing { _ = try recordBench("multi-vm", seconds: seconds, seed: 5, to: long) }
        _ = try recordBench("multi-vm", seconds: max(1, seconds / 4), seed: 5, to: short)
        let longReader = try JournalReader(path: long)
        let longEvents = try longReader.summary().events
        let shortEvents = try JournalReader(path: short).summary().events

        // 2. Writer against lz4 -1.
        let writers = try compareWriters(on: short, in: dir)
        let ours = writers.rawMB / writers.syncSeconds
        if let lz4 = writers.lz4Seconds {
            let limit = writers.rawMB / lz4
            rows.append(SuiteRow(figure: "2 journal writer vs lz4 -1", measured: String(format: "%.0f MB/s raw (%.2f of lz4)", ours, ours / limit),
                                 reference: String(format: "lz4 -1 %.0f MB/s on the same stream", limit),
                                 target: ">= 0.9 of lz4 -1", met: ours / limit >= 0.9))
        } else {
            rows.append(SuiteRow(figure: "2 journal writer vs lz4 -1", measured: String(format: "%.0f MB/s raw", ours),
                                 reference: "lz4 missing", target: ">= 0.9 of lz4 -1", met: nil))
        }

        // 3. Density.
        let density = Double(longReader.fileSize) / Double(max(1, longEvents))
        rows.append(SuiteRow(figure: "3 journal density (multi-vm)", measured: String(format: "%.2f bytes/event", density),
                             reference: String(format: "%llu events, %llu bytes, pages counted", longEvents, longReader.fileSize),
                             target: "<= 3 bytes/event", met: density <= 3))

        // 4. Replay speed, oracle on, full verification.
        var replayed: ReplayResult?
        let replaySeconds = try measureThrowing { replayed = try Replayer(reader: JournalReader(path: long)).run() }
        guard let result = replayed else { return }
        let rate = Double(result.events) / replaySeconds
        rows.append(SuiteRow(figure: "4 replay speed (oracle on)",
                             measured: String(format: "%.0f k events/s, %.1fx faster than capture%@", rate / 1e3,
                                              captureSeconds / replaySeconds, result.diverged ? ", DIVERGED" : ""),
                             reference: String(format: "capture %.1f s, replay %.2f s", captureSeconds, replaySeconds),
                             target: ">= 5 M events/s and >= 20x", met: rate >= 5e6 && captureSeconds / replaySeconds >= 20))

        // 5. Seek near the end with checkpoints as the debugger keeps them (its default
        // store: interval, limit and memory budget), against replaying from the start.
        let replayer = try Replayer(reader: JournalReader(path: long))
        let store = CheckpointStore()
        replayer.checkpoints = store
        try replayer.run()
        // The worst case near the end: just before the last checkpoint, so the seek restores
        // the one before it and replays a whole interval.
        let checkpoints = store.all
        let lastCheckpoint = checkpoints.last(where: { $0.lastSequence < result.lastSequence })?.lastSequence ?? result.lastSequence
        let target = max(1, lastCheckpoint &- 1)
        _ = try replayer.seek(to: 1)
        let seekSeconds = try measureThrowing { _ = try replayer.seek(to: target) }
        let fromStart = replaySeconds * Double(target) / Double(max(1, result.lastSequence))
        let estimated = Double(store.estimatedBytes) / 1_048_576
        let interval = store.interval
        rows.append(SuiteRow(figure: "5 seek to #\(target) of \(result.lastSequence) (worst)",
                             measured: String(format: "%.1f ms, %d checkpoints, %.0f MiB est.", seekSeconds * 1e3, checkpoints.count, estimated),
                             reference: String(format: "%.0f ms from start; every %llu inputs", fromStart * 1e3, interval),
                             target: "< 100 ms", met: seekSeconds < 0.1))

        // 6. Memory of the CLI on two lengths.
        for (verb, args) in [("replay", ["replay"]), ("dump", ["dump"]), ("diff", ["diff"])] {
            let extra = verb == "diff" ? [short] : []
            let a = peakRSSOfGVTRR(gvtrr, args + [short] + extra)
            let extraLong = verb == "diff" ? [long] : []
            let b = peakRSSOfGVTRR(gvtrr, args + [long] + extraLong)
            if let a, let b {
                rows.append(SuiteRow(figure: "6 peak RSS of gvtrr \(verb)",
                                     measured: "\(b) MB on \(longEvents) events", reference: "\(a) MB on \(shortEvents) events",
                                     target: "< 256 MiB, flat", met: max(a, b) < 256 && Double(b) < Double(a) * 1.5 + 16))
            } else {
                rows.append(SuiteRow(figure: "6 peak RSS of gvtrr \(verb)", measured: "not measured",
                                     reference: "needs \(gvtrr) and /usr/bin/time", target: "< 256 MiB, flat", met: nil))
            }
        }

        // 7. Trap path.
        let (engine, hypervisor, vcpus) = TrapBench.machine(vms: 1)
        defer { withExtendedLifetime(engine) {} }
        let lock = NSLock()
        _ = TrapBench.drive(vcpus[0], rounds: 1_000, lock: lock)
        var traps = 0
        let trapSeconds = measure { traps = TrapBench.drive(vcpus[0], rounds: 100_000, lock: lock) }
        rows.append(SuiteRow(figure: "7 trap path (decode -> mediator)",
                             measured: String(format: "%.2f M traps/s", Double(traps) / trapSeconds / 1e6),
                             reference: String(format: "decode cache hit rate %.3f%%", hypervisor.decoder.hitRate * 100),
                             target: "(reported)", met: nil))
    } catch {
        print("suite failed: \(error)")
    }
    let widths = [38, 52, 46, 28]
    print(pad("figure", widths[0]) + pad("measured", widths[1]) + pad("reference (same run)", widths[2]) + pad("target", widths[3]) + "status")
    for row in rows {
        let status = row.met.map { $0 ? "met" : "MISSED" } ?? "-"
        print(pad(row.figure, widths[0]) + pad(row.measured, widths[1]) + pad(row.reference, widths[2]) + pad(row.target, widths[3]) + status)
    }
}
