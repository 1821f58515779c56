import GPUModel
import Journal

extension PageSnapshotCodec {
    /// Checkpoint pages compressed with LZ4 blocks: rings, batches, page tables and filled
    /// frame buffers are mostly zeros or repeats (`gvtrr-bench checkpoints J` shows the share).
    public static let lz4 = PageSnapshotCodec(compress: { LZ4Block.compress($0) },
                                              expand: { LZ4Block.expand($0, into: $1) })
}
