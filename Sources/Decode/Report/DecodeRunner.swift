import GPUModel

/// What `gvtrr decode` was asked to do.
public struct DecodeRequest: Sendable {
    /// Which decoder prints the commands.
    public enum Decoder: String, Sendable, CaseIterable {
        /// Ours, over the Gen9 command table.
        case own
        /// libdrm_intel's `drm_intel_decode`.
        case libdrm
    }

    /// The input format; nil to detect it.
    public var format: InputFormat?
    /// The engine for raw input (error states name their own); nil for RCS.
    public var engine: EngineID?
    /// Graphics address of the first dword of raw input.
    public var address: GraphicsAddress?
    /// Which decoder.
    public var decoder: Decoder
    /// One JSON object per line instead of text.
    public var json: Bool
    /// The input's name for messages ("batch.bin", "stdin").
    public var sourceName: String

    /// A request.
    public init(format: InputFormat? = nil, engine: EngineID? = nil, address: GraphicsAddress? = nil,
                decoder: Decoder = .own, json: Bool = false, sourceName: String = "input") {
        self.format = format
        self.engine = engine
        self.address = address
        self.decoder = decoder
        self.json = json
        self.sourceName = sourceName
    }
}

/// How a decode went, for the exit status.
public enum DecodeOutcome: Sendable, Equatable {
    /// Decoded completely (exit 0).
    case success
    /// An error state was truncated or damaged: decoded as far as possible (exit 1).
    case damaged(problems: [String])
}

/// Input that cannot be decoded at all (exit 2), with what and where.
public struct DecodeInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the input.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// `gvtrr decode`'s work: read, detect, decode, format. The CLI only parses arguments and
/// hands over a chunk reader and two line writers.
public enum DecodeRunner {
    /// Chunk size for streamed raw input.
    public static let chunkBytes = 1 << 20

    /// Runs a decode. `read` returns the next chunk of input bytes (nil at the end); `out` and
    /// `err` each take one line (without newline).
    public static func run(
        request: DecodeRequest, read: () throws -> [UInt8]?, out: @escaping (String) -> Void, err: (String) -> Void
    ) throws -> DecodeOutcome {
        var first: [UInt8] = []
        while first.count < 65_536, let chunk = try read() { first += chunk }
        let format = request.format ?? DecodeInput.detectFormat(first)
        switch format {
        case .errorState:
            var all = first
            while let chunk = try read() { all += chunk }
            return try runErrorState(all, request: request, out: out, err: err)
        case .bin, .hex:
            return try runRaw(first: first, format: format, request: request, read: read, out: out, err: err)
        }
    }

    // MARK: - Raw dwords

    private static func runRaw(
        first: [UInt8], format: InputFormat, request: DecodeRequest, read: () throws -> [UInt8]?,
        out: @escaping (String) -> Void, err: (String) -> Void
    ) throws -> DecodeOutcome {
        let engine = request.engine ?? .rcs
        // Everything in memory when jumps can be followed inside the input (its address is
        // known), for hex text (its offsets give the address) and for libdrm; binary input
        // without an address is streamed in bounded memory.
        let whole = request.address != nil || request.decoder == .libdrm || format == .hex
        var chunks = RawChunker(format: format, pending: first)
        if whole {
            var dwords = ContiguousArray<UInt32>()
            var bytes = first
            while let chunk = try read() { bytes += chunk }
            chunks = RawChunker(format: format, pending: bytes)
            while let part = chunks.next(final: true) { dwords += part }
            try chunks.report(request: request, err: err)
            guard !dwords.isEmpty else { throw DecodeInputError("\(request.sourceName): no dwords found (\(format.rawValue) input)") }
            let base = request.address ?? chunks.firstOffset.map { GraphicsAddress($0) }
            if request.decoder == .libdrm {
                printLibdrm(Array(dwords), address: base, json: request.json, out: out)
                return .success
            }
            var options = BatchDecoder.Options(engine: engine, baseAddress: base)
            if let base { options.memory = .buffers([(base, dwords)]) }
            var printer = EventPrinter(json: request.json, out: out)
            let summary = BatchDecoder(options: options).decode(dwords) { printer.print($0) }
            printer.finish(summary: summary)
            return .success
        }
        var printer = EventPrinter(json: request.json, out: out)
        var sawAny = false
        var finished = false
        let decoder = BatchDecoder(options: .init(engine: engine))
        let summary = try decoder.decodeStream(next: {
            while true {
                if let part = chunks.next(final: finished) {
                    if !part.isEmpty { sawAny = true }
                    return part
                }
                if finished { return nil }
                if let bytes = try read() { chunks.pending += bytes } else { finished = true }
            }
        }, visit: { printer.print($0) })
        try chunks.report(request: request, err: err)
        guard sawAny else { throw DecodeInputError("\(request.sourceName): no dwords found (\(format.rawValue) input)") }
        printer.finish(summary: summary)
        return .success
    }

    /// Turns byte chunks into dword chunks for binary or hex input, carrying partial
    /// dwords and lines over.
    struct RawChunker {
        let format: InputFormat
        var pending: [UInt8]
        var firstOffset: UInt64?
        var trailingBytes = 0
        var skippedLines: [Int] = []
        var linesSeen = 0
        var started = false

        init(format: InputFormat, pending: [UInt8]) {
            self.format = format
            self.pending = pending
        }

        /// The next dwords available (nil when nothing more can be taken from `pending`).
        mutating func next(final: Bool) -> ContiguousArray<UInt32>? {
            switch format {
            case .bin:
                let whole = pending.count & ~3
                if whole == 0 {
                    if final { trailingBytes = pending.count; pending = [] }
                    return nil
                }
                let input = DecodeInput.dwords(fromBinary: pending[0..<whole])
                pending.removeFirst(whole)
                return input.dwords
            default:
                var end = pending.lastIndex(of: 10).map { $0 + 1 } ?? 0
                if final { end = pending.count }
                guard end > 0 else { return nil }
                let text = String(decoding: pending[0..<end], as: UTF8.self)
                pending.removeFirst(end)
                let input = DecodeInput.dwords(fromHex: Substring(text))
                if !started && !input.dwords.isEmpty {
                    started = true
                    firstOffset = input.firstOffset
                }
                for line in input.skippedLines where skippedLines.count < 8 { skippedLines.append(line + linesSeen) }
                linesSeen += text.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
                return input.dwords
            }
        }

        func report(request: DecodeRequest, err: (String) -> Void) throws {
            if trailingBytes > 0 {
                err("warning: \(request.sourceName): \(trailingBytes) bytes at the end do not make a whole dword; ignored")
            }
            if !skippedLines.isEmpty {
                err("warning: \(request.sourceName): lines without hex dwords skipped: " + skippedLines.map(String.init).joined(separator: ", "))
            }
        }
    }

    // MARK: - Error states

    private static func runErrorState(
        _ bytes: [UInt8], request: DecodeRequest, out: @escaping (String) -> Void, err: (String) -> Void
    ) throws -> DecodeOutcome {
        let state = ErrorStateParser.parse(bytes)
        guard !state.engines.isEmpty || !state.buffers.isEmpty || state.pciID != nil else {
            throw DecodeInputError("\(request.sourceName): not an i915 error state (no PCI ID, engine or buffer found)")
        }
        if let warning = ErrorStateDecoder.generationWarning(state) { err(warning) }
        if request.json {
            var object = JSONObject()
            object.add("kind", "error-state")
            if let kernel = state.kernel { object.add("kernel", kernel) }
            if let platform = state.platform { object.add("platform", platform) }
            if let id = state.pciID { object.add("pciID", hex(id, width: 4)) }
            if let generation = state.generation { object.add("generation", generation) }
            out(object.text)
            for engine in state.engines {
                var registers = JSONObject()
                for field in engine.registers { registers.add(field.key, field.text) }
                var e = JSONObject()
                e.add("kind", "engine")
                e.add("engine", engine.name)
                e.add("registers", object: registers)
                out(e.text)
            }
        } else {
            for field in state.header { out("\(field.key): \(field.text)") }
            for engine in state.engines {
                out("\(engine.name) command stream:")
                for field in engine.registers { out("  \(field.key): \(field.text)") }
            }
        }
        var printer = EventPrinter(json: request.json, out: out)
        if request.decoder == .libdrm {
            for buffer in state.buffers where buffer.kind == .ring || buffer.kind == .batch {
                printer.bufferTitle(buffer, engine: buffer.engine ?? .rcs, decoded: true)
                printLibdrm(Array(buffer.dwords), address: buffer.gttOffset, json: request.json, out: out)
            }
        } else {
            ErrorStateDecoder.decode(state, engineOverride: request.engine) { event in
                switch event {
                case .buffer(let buffer, let engine, _, let decoded):
                    printer.bufferTitle(buffer, engine: engine, decoded: decoded)
                case .batch(let batchEvent):
                    printer.print(batchEvent)
                case .bufferEnd(let summary):
                    printer.finish(summary: summary)
                }
            }
        }
        if state.problems.isEmpty { return .success }
        for problem in state.problems { err("error state damaged: \(problem)") }
        let last = state.problems.map(\.line).max() ?? 0
        err("\(request.sourceName): decoded as far as possible; damage stopped the decode at line \(last)")
        return .damaged(problems: state.problems.map(\.description))
    }

    // MARK: - libdrm

    private static func printLibdrm(_ dwords: [UInt32], address: GraphicsAddress?, json: Bool, out: (String) -> Void) {
        let low = UInt32(truncatingIfNeeded: address?.rawValue ?? 0)
        let text = LibdrmDecoder.decodeText(dwords, address: low)
        if json {
            for command in LibdrmDecoder.parse(text, address: low, totalDwords: dwords.count) {
                var object = JSONObject()
                object.add("offset", command.offset)
                object.add("name", command.name)
                object.add("length", command.length)
                object.add("fields", object: JSONObject())
                out(object.text)
            }
        } else {
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
                out(String(line))
            }
        }
    }
}

/// Prints decoder events as text (runs of MI_NOOP folded) or JSON lines.
struct EventPrinter {
    let json: Bool
    let out: (String) -> Void
    var bufferLabel: String?
    /// MI_NOOPs folded after the first of a run, and the depth of that run.
    var foldedNoops = 0
    var noopDepth = -1
    var lastWasNoop = false

    init(json: Bool, out: @escaping (String) -> Void) {
        self.json = json
        self.out = out
    }

    mutating func bufferTitle(_ buffer: ErrorState.Buffer, engine: EngineID, decoded: Bool) {
        flushNoops()
        bufferLabel = "\(buffer.engineName) \(buffer.name)"
        if json {
            var object = JSONObject()
            object.add("kind", "buffer")
            object.add("engine", buffer.engineName)
            object.add("buffer", buffer.name)
            object.add("address", hex(buffer.gttOffset.rawValue, width: 8))
            object.add("dwordCount", buffer.dwords.count)
            object.add("encoding", buffer.encoding.rawValue)
            out(object.text)
        } else {
            let what = decoded ? "decoded for \(engine.name)" : "not decoded"
            out("--- \(buffer.engineName) \(buffer.name) at \(hex(buffer.gttOffset.rawValue, width: 8)): \(buffer.dwords.count) dwords (\(buffer.encoding.rawValue)), \(what)")
        }
    }

    mutating func print(_ event: BatchEvent) {
        if json {
            out(CommandFormatter.json(event, extra: bufferLabel.map { [("buffer", $0)] } ?? []))
            return
        }
        if case .command(let command) = event, command.name == "MI_NOOP", command.status == .ok, command.marks.isEmpty {
            if lastWasNoop && noopDepth == command.depth {
                foldedNoops += 1
                return
            }
            flushNoops()
            lastWasNoop = true
            noopDepth = command.depth
            out(CommandFormatter.text(event))
            return
        }
        flushNoops()
        out(CommandFormatter.text(event))
    }

    mutating func flushNoops() {
        if foldedNoops > 0 {
            out(String(repeating: "  ", count: max(noopDepth, 0)) + "    ... \(foldedNoops) more MI_NOOP")
        }
        foldedNoops = 0
        lastWasNoop = false
        noopDepth = -1
    }

    mutating func finish(summary: BatchSummary) {
        flushNoops()
        guard !json else { return }
        var line = "--- \(summary.commands) commands, \(summary.dwords) dwords"
        if summary.unknown > 0 { line += ", \(summary.unknown) unknown" }
        line += "; ended: \(summary.end.rawValue)"
        out(line)
    }
}
