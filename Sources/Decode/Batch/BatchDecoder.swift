import GPUModel

/// A label placed on the command covering a graphics address (ACTHD, HEAD, BBADDR...).
public struct BatchMark: Sendable, Equatable {
    /// The address to mark.
    public var address: GraphicsAddress
    /// The label shown next to the command.
    public var label: String

    /// A mark.
    public init(address: GraphicsAddress, label: String) {
        self.address = address
        self.label = label
    }
}

/// How a decode ended.
public struct BatchSummary: Sendable, Equatable {
    /// Why the top-level buffer's decode stopped.
    public enum End: String, Sendable, Equatable {
        /// MI_BATCH_BUFFER_END in the top-level buffer.
        case batchEnd = "batch-end"
        /// The buffer's dwords ran out between commands.
        case endOfBuffer = "end-of-buffer"
        /// The buffer ended inside a command.
        case truncated
        /// A chained MI_BATCH_BUFFER_START was followed and its batch ended.
        case chained
    }

    /// Commands reported (all depths).
    public var commands = 0
    /// Dwords consumed by those commands (all depths).
    public var dwords = 0
    /// Commands not found in the table.
    public var unknown = 0
    /// Why it stopped.
    public var end: End = .endOfBuffer

    /// An empty summary.
    public init() {}
}

/// The Gen9 command decoder: walks a buffer of dwords and reports each command with its
/// offset, name, length, raw dwords and named fields.
///
/// Mesa's `intel_batch_decode` and IGT's `intel_error_decode` are the counterparts. The walk
/// follows MI_BATCH_BUFFER_START into second-level and chained batches when `memory` can
/// supply them (with a depth limit and loop detection) and stops at MI_BATCH_BUFFER_END.
/// It never reads past a buffer: a header whose length runs past the end gives a
/// `.truncated` command holding only the dwords present.
public struct BatchDecoder: Sendable {
    /// What to decode and how.
    public struct Options: Sendable {
        /// The engine whose command set applies (type-3 opcodes differ between RCS, VCS and VECS).
        public var engine: EngineID
        /// Graphics address of the first dword, when known (enables addresses and marks).
        public var baseAddress: GraphicsAddress?
        /// Memory for following MI_BATCH_BUFFER_START.
        public var memory: BatchMemory
        /// Whether to follow MI_BATCH_BUFFER_START at all (when memory can supply the target).
        public var followJumps: Bool
        /// Whether the top buffer is a ring (its jumps enter first-level batches, and
        /// MI_BATCH_BUFFER_END does not end it) rather than a batch.
        public var isRing: Bool
        /// Most nested batches followed (ring → first level → second level is 2).
        public var maxDepth: Int
        /// Whether MI_BATCH_BUFFER_END in the top buffer ends the decode.
        public var stopAtBatchEnd: Bool
        /// Addresses whose covering commands get a label.
        public var marks: [BatchMark]
        /// Whether to decode named fields (off: names and lengths only, faster).
        public var decodeFields: Bool

        /// Options for `engine`; everything else off or default.
        public init(
            engine: EngineID = .rcs, baseAddress: GraphicsAddress? = nil, memory: BatchMemory = .none,
            followJumps: Bool = true, isRing: Bool = false, maxDepth: Int = 4, stopAtBatchEnd: Bool = true,
            marks: [BatchMark] = [], decodeFields: Bool = true
        ) {
            self.engine = engine
            self.baseAddress = baseAddress
            self.memory = memory
            self.followJumps = followJumps
            self.isRing = isRing
            self.maxDepth = maxDepth
            self.stopAtBatchEnd = stopAtBatchEnd
            self.marks = marks
            self.decodeFields = decodeFields
        }
    }

    /// The command table used.
    public let table: CommandTable
    /// The options.
    public var options: Options

    /// How each command's fields are shown, indexed by command id.
    let plans: FieldDecoder.Plans

    /// A decoder over the Gen9 table.
    public init(options: Options = Options()) {
        self.table = .gen9
        self.plans = .gen9
        self.options = options
    }

    /// A decoder over another table (its field plans are worked out here, once).
    public init(table: CommandTable, options: Options = Options()) {
        self.table = table
        self.plans = FieldDecoder.Plans(table: table)
        self.options = options
    }

    /// Decodes `dwords`, handing each event to `visit` in order; nothing is accumulated.
    @discardableResult
    public func decode(_ dwords: ContiguousArray<UInt32>, visit: (BatchEvent) throws -> Void) rethrows -> BatchSummary {
        var state = WalkState()
        try dwords.withUnsafeBufferPointer { buffer in
            let result = try walk(buffer, firstOffset: 0, base: options.baseAddress, depth: 0,
                                  level: options.isRing ? 0 : 1, isFinal: true, state: &state, visit: visit)
            try finishTop(result, state: &state, visit: visit)
        }
        return state.summary
    }

    /// Decodes `dwords` and returns every event (for small buffers and tests).
    public func decodeAll(_ dwords: ContiguousArray<UInt32>) -> [BatchEvent] {
        var events: [BatchEvent] = []
        decode(dwords) { events.append($0) }
        return events
    }

    /// Decodes a stream of dwords arriving in chunks, in bounded memory.
    ///
    /// `next` returns the next chunk or nil at the end. Only a window of about one chunk plus
    /// the longest command is kept; events go to `visit` as they are found.
    @discardableResult
    public func decodeStream(
        next: () throws -> ContiguousArray<UInt32>?, visit: (BatchEvent) throws -> Void
    ) throws -> BatchSummary {
        var state = WalkState()
        var window = ContiguousArray<UInt32>()
        var windowOffset = 0  // byte offset of window[0] in the stream
        var finished = false
        while true {
            if !finished {
                if let chunk = try next() { window.append(contentsOf: chunk) } else { finished = true }
            }
            let base = options.baseAddress.map { $0.advanced(by: UInt64(windowOffset)) }
            let result = try window.withUnsafeBufferPointer { buffer in
                try walk(buffer, firstOffset: windowOffset, base: base, depth: 0,
                         level: options.isRing ? 0 : 1, isFinal: finished, state: &state, visit: visit)
            }
            if case .needMore(let consumed) = result {
                window.removeFirst(consumed)
                windowOffset += consumed * 4
                continue
            }
            try finishTop(result, state: &state, visit: visit)
            return state.summary
        }
    }

    // MARK: - The walk

    /// Where a walk over one buffer stopped.
    enum WalkResult {
        /// Not final and the next command does not fit: `consumed` dwords were decoded.
        case needMore(consumed: Int)
        /// MI_BATCH_BUFFER_END at dword `index`.
        case batchEnd(index: Int)
        /// Ran out of dwords between commands.
        case endOfBuffer
        /// Ran out inside a command.
        case truncated
        /// A chained batch was followed (the rest of this buffer is not executed).
        case chained
    }

    struct WalkState {
        var summary = BatchSummary()
        /// Start addresses of batches on the current path (loop detection).
        var path: [UInt64] = []
    }

    private func finishTop(_ result: WalkResult, state: inout WalkState, visit: (BatchEvent) throws -> Void) rethrows {
        switch result {
        case .batchEnd: state.summary.end = .batchEnd
        case .endOfBuffer, .needMore: state.summary.end = .endOfBuffer
        case .truncated: state.summary.end = .truncated
        case .chained: state.summary.end = .chained
        }
    }

    /// Walks `buffer` from its start; `firstOffset` is the byte offset of `buffer[0]`.
    private func walk(
        _ buffer: UnsafeBufferPointer<UInt32>, firstOffset: Int, base: GraphicsAddress?, depth: Int, level: Int,
        isFinal: Bool, state: inout WalkState, visit: (BatchEvent) throws -> Void
    ) rethrows -> WalkResult {
        var index = 0
        let count = buffer.count
        while index < count {
            let header = buffer[index]
            let offset = firstOffset + index * 4
            let address = base.map { $0.advanced(by: UInt64(index * 4)) }
            var info = table.lookup(header, engine: options.engine)
            var status = DecodedCommand.Status.ok
            if info == nil, let other = table.lookupAnyEngine(header) {
                info = other
                status = .wrongEngine
            }
            var declared = info.map { $0.length(header: header) } ?? Self.genericLength(header)
            if declared < 1 { declared = 1 }
            if info == nil { status = .unknown }
            var length = declared
            if index + declared > count {
                if !isFinal { return .needMore(consumed: index) }
                length = count - index
                status = .truncated
            }
            let dwords = UnsafeBufferPointer(rebasing: buffer[index..<(index + length)])
            var command = DecodedCommand(
                offset: offset, address: address, depth: depth, name: info?.name ?? "UNKNOWN",
                commandClass: info.map { Self.className($0, header: header, engine: options.engine) } ?? "", status: status, length: length, declaredLength: declared,
                dwords: Array(dwords),
                fields: (options.decodeFields && info != nil) ? FieldDecoder.fields(plans.commands[info!.id], dwords: dwords) : [])
            if !options.marks.isEmpty, let address {
                let end = address.rawValue &+ UInt64(length * 4)
                for mark in options.marks where mark.address.rawValue >= address.rawValue && mark.address.rawValue < end {
                    command.marks.append(mark.label)
                }
            }
            state.summary.commands += 1
            state.summary.dwords += length
            if status == .unknown { state.summary.unknown += 1 }
            let name = command.name
            try visit(.command(command))
            index += length
            if status == .truncated {
                try visit(.note(BatchNote(kind: .truncated, offset: offset, address: address, depth: depth,
                                          message: "\(name) needs \(declared) dwords, only \(length) left in the buffer")))
                return .truncated
            }
            if name == "MI_BATCH_BUFFER_END", level > 0 {
                if depth == 0 && !options.stopAtBatchEnd { continue }
                let left = count - index
                if left > 0 && depth == 0 && isFinal {
                    try visit(.note(BatchNote(kind: .endedEarly, offset: offset, address: address, depth: depth,
                                              message: "\(left) dwords after MI_BATCH_BUFFER_END not decoded")))
                }
                return .batchEnd(index: index - length)
            }
            if name == "MI_BATCH_BUFFER_START", status != .truncated, length >= 2 {
                let outcome = try follow(dwords, offset: offset, address: address, depth: depth, level: level,
                                         state: &state, visit: visit)
                if outcome == .chained { return .chained }
            }
        }
        return isFinal ? .endOfBuffer : .needMore(consumed: count)
    }

    private enum FollowOutcome { case notFollowed, returned, chained }

    /// Follows one MI_BATCH_BUFFER_START, if memory allows.
    private func follow(
        _ command: UnsafeBufferPointer<UInt32>, offset: Int, address: GraphicsAddress?, depth: Int, level: Int,
        state: inout WalkState, visit: (BatchEvent) throws -> Void
    ) rethrows -> FollowOutcome {
        let low = UInt64(command[1] & 0xFFFF_FFFC)
        let high = command.count > 2 ? UInt64(command[2] & 0xFFFF) : 0
        let target = GraphicsAddress(high << 32 | low)
        let ppgtt = command[0] & (1 << 8) != 0
        let secondLevel = command[0] & (1 << 22) != 0
        // From a ring: enters a first-level batch (returns to the ring). From a batch: a
        // second-level batch returns; a first-level jump chains (never returns).
        let returns = level == 0 || secondLevel
        let newLevel = level == 0 ? 1 : (secondLevel ? level + 1 : level)
        let where_ = "to \(target) (\(ppgtt ? "PPGTT" : "GGTT"), \(returns ? (level == 0 ? "first level" : "second level") : "chained"))"
        func note(_ kind: BatchNote.Kind, _ message: String) -> BatchEvent {
            .note(BatchNote(kind: kind, offset: offset, address: address, depth: depth, message: message))
        }
        guard options.followJumps else { return .notFollowed }
        if state.path.contains(target.rawValue) {
            try visit(note(.loop, "MI_BATCH_BUFFER_START \(where_): loop, already being decoded"))
            return .notFollowed
        }
        if depth + 1 > options.maxDepth {
            try visit(note(.depthLimit, "MI_BATCH_BUFFER_START \(where_): not followed, nesting limit \(options.maxDepth)"))
            return .notFollowed
        }
        guard let target_dwords = options.memory.read(target, ppgtt) else {
            try visit(note(.notFollowed, "MI_BATCH_BUFFER_START \(where_): not followed, memory not available"))
            return .notFollowed
        }
        try visit(note(returns ? .enterBatch : .enterChained, "MI_BATCH_BUFFER_START \(where_)"))
        state.path.append(target.rawValue)
        let result = try target_dwords.withUnsafeBufferPointer { buffer in
            try walk(buffer, firstOffset: 0, base: target, depth: depth + 1, level: newLevel, isFinal: true,
                     state: &state, visit: visit)
        }
        state.path.removeLast()
        let how: String
        switch result {
        case .batchEnd: how = "MI_BATCH_BUFFER_END"
        case .chained: how = "chained batch ended"
        case .truncated: how = "truncated"
        case .endOfBuffer, .needMore: how = "end of available memory, no MI_BATCH_BUFFER_END"
        }
        try visit(note(.leaveBatch, "back from \(target) (\(how))"))
        return returns ? .returned : .chained
    }

    /// The command's class for people: MI, 2D, 3D, MEDIA (GPGPU), MFX (video) or VEBOX.
    public static func className(_ info: CommandInfo, header: UInt32, engine: EngineID) -> String {
        switch info.commandClass {
        case .mi: return "MI"
        case .blitter: return "2D"
        case .render:
            let engines = info.engines
            if engines.contains(.rcs) && (engine == .rcs || !engines.contains(engine)) {
                return (header >> 27) & 3 == 2 ? "MEDIA" : "3D"
            }
            if engines.contains(.vcs) { return "MFX" }
            if engines.contains(.vecs) { return "VEBOX" }
            return "3D"
        }
    }

    /// Length of a header the table does not know, from the generic header rules.
    ///
    /// MI opcodes below 0x10 are one dword; other MI, 2D and 3D/media headers carry
    /// `DWord Length` in bits 7:0 with bias 2; reserved types are one dword.
    public static func genericLength(_ header: UInt32) -> Int {
        switch header >> 29 {
        case 0: return (header >> 23) & 0x3F < 0x10 ? 1 : Int(header & 0xFF) + 2
        case 2, 3: return Int(header & 0xFF) + 2
        default: return 1
        }
    }
}
