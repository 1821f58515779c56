import Foundation
import GPUModel
import Journal
import Replay

/// `gvtrr-bench checkpoints JOURNAL [INTERVAL]`: replays a journal taking a checkpoint every
/// INTERVAL inputs (default 2000) and prints what the checkpoints cost, part by part (bytes
/// each holds that the previous one does not share): guest and host memory pages, the rest
/// of the GPU (registers, GGTT), the mediator. Where to look when checkpoints grow.
func checkpointBench(on journal: String, interval: UInt64) {
    do {
        let replayer = try Replayer(reader: JournalReader(path: journal))
        let store = CheckpointStore(interval: interval, limit: 1 << 20, budget: Int.max)
        replayer.checkpoints = store
        let heapBefore = residentBytes()
        let seconds = try measureThrowing { _ = try replayer.run() }
        let heapAfter = residentBytes()
        let all = store.all
        var memory = 0, gpu = 0, mediator = 0, total = 0, pages = 0
        for (k, c) in all.enumerated() {
            let previous = k > 0 ? all[k - 1] : nil
            let m = c.engine.gpu.memory.bytesNotShared(with: previous?.engine.gpu.memory)
            memory += m
            gpu += c.engine.gpu.bytesNotShared(with: previous?.engine.gpu) - m
            mediator += c.engine.mediator.bytesNotShared(with: previous?.engine.mediator)
            total += c.bytesNotShared(with: previous)
            pages = c.engine.gpu.memory.pageBytes / PhysicalMemory.pageSize
        }
        let n = max(1, all.count)
        print(String(format: "%d checkpoints every %llu inputs (replay %.2f s); per checkpoint: %.0f KiB in all, memory pages %.0f KiB, "
                     + "rest of the GPU %.0f KiB, mediator %.0f KiB; %d populated pages at the end",
                     all.count, interval, seconds, Double(total) / Double(n) / 1024, Double(memory) / Double(n) / 1024,
                     Double(gpu) / Double(n) / 1024, Double(mediator) / Double(n) / 1024, pages))
        // What the estimate says against how much the resident set grew (the replay's own
        // state and page cache grow too: compare with a run taking no checkpoints).
        print(String(format: "estimated %.1f MiB for all of them (%d B counted a checkpoint for its small state); resident memory grew %.1f MiB",
                     Double(store.estimatedBytes) / 1_048_576, CheckpointStore.fixedBytesPerCheckpoint,
                     Double(Int(heapAfter) - Int(heapBefore)) / 1_048_576))
    } catch {
        print("checkpoint bench failed: \(error)")
    }
}

/// `gvtrr-bench seek JOURNAL`: replays a journal with the debugger's checkpoint store, then
/// seeks to just before each of the last few checkpoints and one in the middle (the worst
/// case: a whole interval to replay; in the middle, pages are no longer cached) and prints,
/// per seek, the time spent restoring and the time spent replaying forward, checked entry by
/// entry and fast-forwarded, with the page frames decoded. Where to look when figure 5 of
/// the suite misses.
func seekBench(on journal: String) {
    do {
        let replayer = try Replayer(reader: JournalReader(path: journal))
        let store = CheckpointStore()
        replayer.checkpoints = store
        let replaySeconds = try measureThrowing { _ = try replayer.run() }
        let all = store.all
        print(String(format: "replay %.2f s, %d checkpoints every %llu inputs, %.0f MiB est.", replaySeconds, all.count,
                     store.interval, Double(store.estimatedBytes) / 1_048_576))
        // A lookup that misses loads the journal's page index once (a seek's first miss pays it).
        let indexSeconds = measure { _ = try? replayer.reader.page(PageKey(hash: 0, variant: UInt32.max)) }
        print(String(format: "page index loaded in %.1f ms", indexSeconds * 1e3))
        // The last few intervals (pages still in the cache), then one in the middle (cold).
        for k in Array(stride(from: all.count - 1, to: max(0, all.count - 6), by: -1)) + [all.count / 2] where k > 0 {
            let from = all[k - 1], target = all[k].lastSequence - 1
            let events = target - from.lastSequence
            var line = String(format: "  to #%llu (%llu events from the checkpoint):", target, events)
            for checked in [true, false] {
                let misses = replayer.reader.pageFramesDecoded, atHand = replayer.reader.basesFromCandidates
                let restore = try measureThrowing { try replayer.restore(from) }
                let forward = try measureThrowing {
                    if !checked { try replayer.fastForward(before: target) }
                    while replayer.result.lastSequence < target, try replayer.step() != nil {}
                }
                line += String(format: " %@ restore %.1f + %.1f ms (%.0f k events/s, %d page frames decoded, %d bases at hand);",
                               checked ? "checked" : "fast-forward", restore * 1e3, forward * 1e3, Double(events) / forward / 1e3,
                               replayer.reader.pageFramesDecoded - misses, replayer.reader.basesFromCandidates - atHand)
            }
            print(line)
        }
        // The whole journal again, fast-forwarded from the start: the rate a seek replays at.
        if let start = replayer.initialCheckpoint, let end = all.last?.lastSequence {
            try replayer.restore(start)
            let seconds = try measureThrowing { try replayer.fastForward(before: end) }
            print(String(format: "fast-forward from the start to #%llu: %.2f s (%.0f k events/s; checked replay %.0f k events/s)",
                         end, seconds, Double(end) / seconds / 1e3, Double(replayer.frontierSequence) / replaySeconds / 1e3))
        }
    } catch {
        print("seek bench failed: \(error)")
    }
}

/// The process's resident bytes (`/proc/self/statm`), 0 where it cannot be read.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * 4096
}
