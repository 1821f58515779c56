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
        let seconds = try measureThrowing { _ = try replayer.run() }
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
    } catch {
        print("checkpoint bench failed: \(error)")
    }
}
