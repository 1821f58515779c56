/// Told of every host page frame just before the model reads it.
///
/// Live capture attaches a recorder (it captures the frame's content); replay attaches a
/// server that installs the recorded content (for example with `PhysicalMemory.setPage`)
/// before the read goes ahead. The call happens before the frame is looked up, so content
/// installed from inside `memoryWillRead` is what the read returns.
public protocol MemoryReadObserver: AnyObject {
    /// `frame` is about to be read (once per frame per read call, in ascending order).
    func memoryWillRead(frame: PageFrameNumber)
}

/// Host physical memory: sparse 4 KiB pages that read as zero until written.
///
/// Shared by the GTTs, the engines and the hypervisor, so it is a class (identity matters).
/// Not thread-safe: callers serialise access (the engine lock in live capture, the single
/// replay thread offline). Everything is deterministic: storage slots are handed out in
/// first-touch order, the frame allocator returns the lowest free frame, nothing iterates
/// a hashed collection.
///
/// Layout: a frame → slot table (`ContiguousArray<Int32>`, grown on demand, for the first
/// 64 GiB of frames; a lookup-only dictionary above that) and page storage in chunks of
/// 64 pages (256 KiB) that are never moved, so a slot's bytes stay where they are.
public final class PhysicalMemory: @unchecked Sendable {
    /// Bytes in a page frame.
    public static let pageSize = 4096
    /// Pages in one storage chunk.
    static let pagesPerChunk = 64
    /// Frames covered by the direct slot table (64 GiB); frames above use a dictionary.
    static let directFrameLimit: UInt64 = 1 << 24
    /// log2 of the allocator bitmap's words per copy-on-write leaf.
    static let allocationChunkShift = 6

    /// Size of the memory in bytes (a multiple of 4 KiB).
    public let size: UInt64
    /// Number of 4 KiB frames (`size / 4096`).
    public let frameCount: UInt64
    /// First frame the allocator may hand out (`allocationBase / 4096`).
    public let firstAllocatableFrame: UInt64
    /// Told of each frame before it is read; `nil` costs one branch per read.
    public var readObserver: (any MemoryReadObserver)?

    // Frame → storage slot; -1 = not populated.
    var slotTable = ContiguousArray<Int32>()
    var farSlots: [UInt64: Int32] = [:]
    // Slot → frame (UInt64.max = free slot), page storage, recycled slots (LIFO).
    var frameOfSlot = ContiguousArray<UInt64>()
    var chunks = ContiguousArray<UnsafeMutableRawPointer>()
    var freeSlots = ContiguousArray<Int32>()
    // Checkpoints: one bit per slot written since the last snapshot or restore (one word per
    // chunk), and that snapshot's pages: a slot not written since still holds its page.
    var dirtySlots = ContiguousArray<UInt64>()
    /// How snapshots keep pages (raw unless the owner installs a compressor; replay installs
    /// LZ4). Set it before the first snapshot and keep it: restores expand with it.
    public var snapshotCodec = PageSnapshotCodec.raw
    var syncedPages: ContiguousArray<StoredPage>?
    // Allocator: one bit per frame (1 = allocated), lowest word that may have a free bit.
    // Chunked (4096 frames a leaf), so a checkpoint copies only the leaves an allocation or
    // a free touched since the one before, not the whole bitmap (256 KiB for 8 GiB).
    var allocationBits: ChunkedArray<UInt64>
    var searchWord: Int
    var allocatedCount = 0

    /// Creates `size` bytes of zeroed memory whose frame allocator hands out frames from
    /// `allocationBase` upward (default 1 MiB, so frame 0 and the legacy low megabyte are
    /// never allocated and a zero "address" never names an allocated page). A base above
    /// `size` is clamped to `size` (nothing allocatable).
    public init(size: UInt64, allocationBase: UInt64 = 1 << 20) {
        precondition(size > 0 && size % UInt64(Self.pageSize) == 0, "memory size must be a positive multiple of 4 KiB")
        precondition(allocationBase % UInt64(Self.pageSize) == 0, "allocation base must be 4 KiB aligned")
        let allocationBase = min(allocationBase, size)
        self.size = size
        self.frameCount = size >> 12
        self.firstAllocatableFrame = allocationBase >> 12
        let words = Int((frameCount + 63) >> 6)
        allocationBits = ChunkedArray(repeating: 0, count: words, chunkShift: Self.allocationChunkShift)
        // Frames below the base and past the end (in the last word) count as allocated.
        for frame in 0..<firstAllocatableFrame { allocationBits[Int(frame >> 6)] |= 1 << (frame & 63) }
        if frameCount & 63 != 0 { allocationBits[words - 1] |= ~0 << (frameCount & 63) }
        searchWord = Int(firstAllocatableFrame >> 6)
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
    }

    // MARK: - Bounds

    /// Whether `[address, address + count)` lies inside this memory.
    @inlinable
    public func contains(_ address: PhysicalAddress, count: Int) -> Bool {
        count >= 0 && address.rawValue <= size && UInt64(count) <= size - address.rawValue
    }

    // MARK: - Slot funnel (the only code touching raw page storage)

    @inline(__always)
    private func slot(of frame: UInt64) -> Int32 {
        if frame < UInt64(slotTable.count) { return slotTable[Int(frame)] }
        if frame < Self.directFrameLimit { return -1 }
        return farSlots[frame] ?? -1
    }

    @inline(__always)
    func markWritten(_ slot: Int32) {
        dirtySlots[Int(slot) >> 6] |= 1 << UInt64(slot & 63)
    }

    @inline(__always)
    func storage(ofSlot slot: Int32) -> UnsafeMutableRawPointer {
        let s = Int(slot)
        return chunks[s / Self.pagesPerChunk] + (s % Self.pagesPerChunk) * Self.pageSize
    }

    /// The bytes of `frame`, or nil when it was never written (reads as zero).
    @inline(__always)
    private func existingPage(_ frame: UInt64) -> UnsafeMutableRawPointer? {
        let s = slot(of: frame)
        return s < 0 ? nil : storage(ofSlot: s)
    }

    /// The bytes of `frame`, giving it zeroed storage first if needed.
    private func populatedPage(_ frame: UInt64) -> UnsafeMutableRawPointer {
        let existing = slot(of: frame)
        if existing >= 0 {
            markWritten(existing)
            return storage(ofSlot: existing)
        }
        let newSlot: Int32
        if let recycled = freeSlots.popLast() {
            newSlot = recycled
            frameOfSlot[Int(recycled)] = frame
        } else {
            if frameOfSlot.count == chunks.count * Self.pagesPerChunk {
                let bytes = Self.pagesPerChunk * Self.pageSize
                let chunk = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Self.pageSize)
                chunk.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
                chunks.append(chunk)
                dirtySlots.append(0)
            }
            precondition(frameOfSlot.count < Int(Int32.max), "physical memory: too many populated pages")
            newSlot = Int32(frameOfSlot.count)
            frameOfSlot.append(frame)
        }
        if frame < Self.directFrameLimit {
            if frame >= UInt64(slotTable.count) {
                let wanted = max(Int(frame) + 1, min(slotTable.count * 2, Int(min(frameCount, Self.directFrameLimit))))
                slotTable.append(contentsOf: repeatElement(-1, count: wanted - slotTable.count))
            }
            slotTable[Int(frame)] = newSlot
        } else {
            farSlots[frame] = newSlot
        }
        markWritten(newSlot)
        return storage(ofSlot: newSlot)
    }

    /// Gives `frame`'s storage back (its content becomes zero).
    private func releasePage(_ frame: UInt64) {
        let s = slot(of: frame)
        guard s >= 0 else { return }
        markWritten(s)
        storage(ofSlot: s).initializeMemory(as: UInt8.self, repeating: 0, count: Self.pageSize)
        frameOfSlot[Int(s)] = .max
        freeSlots.append(s)
        if frame < Self.directFrameLimit { slotTable[Int(frame)] = -1 } else { farSlots[frame] = nil }
    }

    @inline(__always)
    private func willRead(_ frame: UInt64) {
        if let observer = readObserver { observer.memoryWillRead(frame: PageFrameNumber(frame)) }
    }

    // MARK: - Scalar access

    /// Reads a little-endian dword; it may straddle two pages.
    public func read32(_ address: PhysicalAddress) -> UInt32 {
        precondition(contains(address, count: 4), "physical read32 outside memory at \(address)")
        let offset = Int(address.rawValue & 0xFFF)
        if offset <= Self.pageSize - 4 {
            let frame = address.rawValue >> 12
            willRead(frame)
            guard let page = existingPage(frame) else { return 0 }
            return UInt32(littleEndian: page.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        }
        return UInt32(truncatingIfNeeded: readSlow(address, count: 4))
    }

    /// Reads a little-endian qword; it may straddle two pages.
    public func read64(_ address: PhysicalAddress) -> UInt64 {
        precondition(contains(address, count: 8), "physical read64 outside memory at \(address)")
        let offset = Int(address.rawValue & 0xFFF)
        if offset <= Self.pageSize - 8 {
            let frame = address.rawValue >> 12
            willRead(frame)
            guard let page = existingPage(frame) else { return 0 }
            return UInt64(littleEndian: page.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        return readSlow(address, count: 8)
    }

    /// Writes a little-endian dword; it may straddle two pages.
    public func write32(_ address: PhysicalAddress, _ value: UInt32) {
        precondition(contains(address, count: 4), "physical write32 outside memory at \(address)")
        let offset = Int(address.rawValue & 0xFFF)
        if offset <= Self.pageSize - 4 {
            populatedPage(address.rawValue >> 12).storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
        } else {
            writeSlow(address, value: UInt64(value), count: 4)
        }
    }

    /// Writes a little-endian qword; it may straddle two pages.
    public func write64(_ address: PhysicalAddress, _ value: UInt64) {
        precondition(contains(address, count: 8), "physical write64 outside memory at \(address)")
        let offset = Int(address.rawValue & 0xFFF)
        if offset <= Self.pageSize - 8 {
            populatedPage(address.rawValue >> 12).storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
        } else {
            writeSlow(address, value: value, count: 8)
        }
    }

    private func readSlow(_ address: PhysicalAddress, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for (i, byte) in read(address, count: count).enumerated() { value |= UInt64(byte) << (8 * i) }
        return value
    }

    private func writeSlow(_ address: PhysicalAddress, value: UInt64, count: Int) {
        write(address, bytes: (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) })
    }

    // MARK: - Bulk access

    /// Calls `body(frame, offsetInPage, bytesInPage, offsetInRange)` for each page piece of
    /// `[address, address + count)`, in ascending order.
    @inline(__always)
    private func forEachPiece(_ address: PhysicalAddress, count: Int, _ body: (UInt64, Int, Int, Int) -> Void) {
        var done = 0
        var cursor = address.rawValue
        while done < count {
            let offset = Int(cursor & 0xFFF)
            let length = min(Self.pageSize - offset, count - done)
            body(cursor >> 12, offset, length, done)
            done += length
            cursor += UInt64(length)
        }
    }

    /// Reads `count` bytes; the observer hears of every frame touched.
    public func read(_ address: PhysicalAddress, count: Int) -> [UInt8] {
        precondition(contains(address, count: count), "physical read outside memory at \(address)")
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBytes { out in
            forEachPiece(address, count: count) { frame, offset, length, done in
                willRead(frame)
                if let page = existingPage(frame) {
                    (out.baseAddress! + done).copyMemory(from: page + offset, byteCount: length)
                }
            }
        }
        return result
    }

    /// Reads `count` little-endian dwords starting at `address` (any alignment).
    public func readDwords(_ address: PhysicalAddress, count: Int) -> [UInt32] {
        precondition(count >= 0 && contains(address, count: count * 4), "physical readDwords outside memory at \(address)")
        var result = [UInt32](repeating: 0, count: count)
        result.withUnsafeMutableBytes { out in
            forEachPiece(address, count: count * 4) { frame, offset, length, done in
                willRead(frame)
                if let page = existingPage(frame) {
                    (out.baseAddress! + done).copyMemory(from: page + offset, byteCount: length)
                }
            }
        }
        #if _endian(big)
        for i in result.indices { result[i] = UInt32(littleEndian: result[i]) }
        #endif
        return result
    }

    /// Writes `dwords` little-endian starting at `address` (any alignment), without an
    /// intermediate byte array.
    public func writeDwords(_ address: PhysicalAddress, _ dwords: ArraySlice<UInt32>) {
        precondition(contains(address, count: dwords.count * 4), "physical writeDwords outside memory at \(address)")
        #if _endian(big)
        write(address, bytes: dwords.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) })
        #else
        dwords.withUnsafeBytes { source in
            forEachPiece(address, count: source.count) { frame, offset, length, done in
                (populatedPage(frame) + offset).copyMemory(from: source.baseAddress! + done, byteCount: length)
            }
        }
        #endif
    }

    /// Writes `bytes` starting at `address`.
    public func write(_ address: PhysicalAddress, bytes: some Collection<UInt8>) {
        precondition(contains(address, count: bytes.count), "physical write outside memory at \(address)")
        let done: Void? = bytes.withContiguousStorageIfAvailable { source in
            forEachPiece(address, count: source.count) { frame, offset, length, done in
                (populatedPage(frame) + offset).copyMemory(from: source.baseAddress! + done, byteCount: length)
            }
        }
        if done == nil { write(address, bytes: Array(bytes)) }
    }

    /// Sets `count` bytes to `byte`. Filling with zero leaves never-written pages unpopulated.
    public func fill(_ address: PhysicalAddress, count: Int, byte: UInt8) {
        precondition(contains(address, count: count), "physical fill outside memory at \(address)")
        forEachPiece(address, count: count) { frame, offset, length, _ in
            if byte == 0 {
                guard let page = existingPage(frame) else { return }
                if length == Self.pageSize { releasePage(frame); return }
                markWritten(slot(of: frame))
                (page + offset).initializeMemory(as: UInt8.self, repeating: 0, count: length)
            } else {
                (populatedPage(frame) + offset).initializeMemory(as: UInt8.self, repeating: byte, count: length)
            }
        }
    }

    // MARK: - Whole pages

    /// Calls `body` with the bytes of `frame` in place (no copy; all zero for a page never
    /// written); the read observer hears of the read as for `page(_:)`. `body` must not keep
    /// the pointer nor write memory.
    public func withPageBytes<R>(_ frame: PageFrameNumber, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        precondition(frame.rawValue < frameCount, "frame \(frame) outside memory")
        willRead(frame.rawValue)
        if let page = existingPage(frame.rawValue) {
            return body(UnsafeRawBufferPointer(start: page, count: Self.pageSize))
        }
        return Self.zeroPage.withUnsafeBytes(body)
    }

    private static let zeroPage = [UInt8](repeating: 0, count: pageSize)

    /// The 4096 bytes of `frame` (zeros if never written). The observer hears of the read.
    public func page(_ frame: PageFrameNumber) -> [UInt8] {
        precondition(frame.rawValue < frameCount, "frame \(frame) outside memory")
        return read(frame.address, count: Self.pageSize)
    }

    /// Replaces the content of `frame` with exactly 4096 `bytes`.
    public func setPage(_ frame: PageFrameNumber, _ bytes: [UInt8]) {
        precondition(frame.rawValue < frameCount, "frame \(frame) outside memory")
        precondition(bytes.count == Self.pageSize, "a page is 4096 bytes, got \(bytes.count)")
        write(frame.address, bytes: bytes)
    }

    /// Makes `frame` read as zero again and gives its storage back.
    public func discardPage(_ frame: PageFrameNumber) {
        precondition(frame.rawValue < frameCount, "frame \(frame) outside memory")
        releasePage(frame.rawValue)
    }

    /// Whether `frame` has storage (was written since it was last zeroed by free/discard).
    public func isPopulated(_ frame: PageFrameNumber) -> Bool {
        frame.rawValue < frameCount && slot(of: frame.rawValue) >= 0
    }

    /// Frames that have storage, ascending.
    public var populatedFrames: [PageFrameNumber] {
        frameOfSlot.filter { $0 != .max }.sorted().map(PageFrameNumber.init(rawValue:))
    }

    /// Number of frames that have storage.
    public var populatedFrameCount: Int { frameOfSlot.count - freeSlots.count }

    // MARK: - Frame allocator

    /// Whether the allocator considers `frame` in use (frames below the allocation base
    /// always are).
    public func isAllocated(_ frame: PageFrameNumber) -> Bool {
        precondition(frame.rawValue < frameCount, "frame \(frame) outside memory")
        return allocationBits[Int(frame.rawValue >> 6)] & (1 << (frame.rawValue & 63)) != 0
    }

    /// Frames the allocator can still hand out.
    public var freeFrameCount: Int { Int(frameCount - firstAllocatableFrame) - allocatedCount }

    /// Allocates the lowest free frame at or above the allocation base; its content is
    /// zero. Nil when memory is exhausted.
    public func allocateFrame() -> PageFrameNumber? {
        var word = searchWord
        while word < allocationBits.count, allocationBits[word] == ~0 { word += 1 }
        searchWord = word
        guard word < allocationBits.count else { return nil }
        let frame = UInt64(word) << 6 | UInt64((~allocationBits[word]).trailingZeroBitCount)
        markAllocated(frame)
        return PageFrameNumber(frame)
    }

    /// Allocates `count` contiguous frames, the lowest run that fits; their content is
    /// zero. Nil (and nothing allocated) when no run is long enough.
    public func allocateFrames(count: Int) -> [PageFrameNumber]? {
        precondition(count > 0, "allocate at least one frame")
        var runStart = UInt64(searchWord) << 6
        var frame = runStart
        while frame < frameCount {
            if allocationBits[Int(frame >> 6)] == ~0 {
                frame = (frame | 63) + 1
                runStart = frame
                continue
            }
            if isAllocated(PageFrameNumber(frame)) {
                frame += 1
                runStart = frame
                continue
            }
            frame += 1
            if frame - runStart == UInt64(count) {
                for f in runStart..<frame { markAllocated(f) }
                return (runStart..<frame).map(PageFrameNumber.init(rawValue:))
            }
        }
        return nil
    }

    /// Returns `frame` to the allocator and zeroes its content. Freeing a frame that is
    /// not allocated (or lies below the allocation base) is a programmer error.
    public func freeFrame(_ frame: PageFrameNumber) {
        precondition(frame.rawValue >= firstAllocatableFrame && frame.rawValue < frameCount,
                     "free of frame \(frame) outside the allocatable range")
        precondition(isAllocated(frame), "double free of frame \(frame)")
        allocationBits[Int(frame.rawValue >> 6)] &= ~(1 << (frame.rawValue & 63))
        allocatedCount -= 1
        searchWord = min(searchWord, Int(frame.rawValue >> 6))
        releasePage(frame.rawValue)
    }

    /// Marks `frames` as in use without zeroing them (e.g. stolen memory, firmware tables).
    /// Frames already allocated stay allocated.
    public func reserve(_ frames: Range<PageFrameNumber>) {
        precondition(frames.upperBound.rawValue <= frameCount, "reserved range outside memory")
        for raw in frames.lowerBound.rawValue..<frames.upperBound.rawValue where !isAllocated(PageFrameNumber(raw)) {
            allocationBits[Int(raw >> 6)] |= 1 << (raw & 63)
            if raw >= firstAllocatableFrame { allocatedCount += 1 }
        }
    }

    private func markAllocated(_ frame: UInt64) {
        allocationBits[Int(frame >> 6)] |= 1 << (frame & 63)
        allocatedCount += 1
        releasePage(frame)
    }

    // MARK: - Checkpoints

    /// A checkpoint of a `PhysicalMemory`: its populated pages and its allocator.
    public struct State: Codable, Hashable, Sendable {
        /// Memory size in bytes.
        public var size: UInt64
        /// First allocatable byte.
        public var allocationBase: UInt64
        /// Allocator bitmap, one bit per frame.
        public var allocationBits: [UInt64]
        /// Populated frames, ascending.
        public var frames: [PageFrameNumber]
        /// The content of each of `frames`, 4096 bytes each.
        public var pages: [[UInt8]]
    }

    /// Captures the memory's state (the read observer is not told).
    public func save() -> State {
        let frames = populatedFrames
        let pages = frames.map { frame in
            [UInt8](UnsafeRawBufferPointer(start: existingPage(frame.rawValue)!, count: Self.pageSize))
        }
        return State(size: size, allocationBase: firstAllocatableFrame << 12, allocationBits: Array(allocationBits),
                     frames: frames, pages: pages)
    }

    /// Returns to a state captured by `save()` from a memory of the same size and base.
    public func restore(_ state: State) {
        precondition(state.size == size && min(state.allocationBase, size) == firstAllocatableFrame << 12,
                     "restoring a checkpoint of a differently sized memory")
        precondition(state.allocationBits.count == allocationBits.count && state.frames.count == state.pages.count,
                     "malformed memory checkpoint")
        for frame in populatedFrames { releasePage(frame.rawValue) }
        for (frame, bytes) in zip(state.frames, state.pages) { setPage(frame, bytes) }
        allocationBits = ChunkedArray(state.allocationBits, chunkShift: Self.allocationChunkShift)
        let reservedBelowBase = Int(firstAllocatableFrame)
        let padding = frameCount & 63 == 0 ? 0 : 64 - Int(frameCount & 63)
        allocatedCount = allocationBits.reduce(0) { $0 + $1.nonzeroBitCount } - reservedBelowBase - padding
        searchWord = Int(firstAllocatableFrame >> 6)
    }
}
