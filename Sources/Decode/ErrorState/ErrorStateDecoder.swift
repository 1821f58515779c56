import GPUModel

/// Decodes the buffers an error state carries, marking the command at ACTHD (and the ring's
/// HEAD and TAIL, and BBADDR), as Mesa's `aubinator_error_decode` and IGT's
/// `intel_error_decode` do.
public enum ErrorStateDecoder {
    /// What the decode reports, in order.
    public enum Event: Sendable, Equatable {
        /// A buffer begins: the buffer, the engine its commands are decoded for, and the
        /// labels placed in it. `decoded` is false for buffers only listed (not ring, batch or context).
        case buffer(ErrorState.Buffer, engine: EngineID, marks: [BatchMark], decoded: Bool)
        /// A decoder event inside the current buffer.
        case batch(BatchEvent)
        /// The current buffer is done.
        case bufferEnd(BatchSummary)
    }

    /// The warning to show when the dump is not from a Gen9 GPU, or nil.
    public static func generationWarning(_ state: ErrorState) -> String? {
        let id = state.pciID.map { "PCI ID \(hex($0, width: 4))" } ?? "no PCI ID"
        guard let generation = state.generation else {
            return "warning: GPU generation unknown (\(id)); decoding with Gen9 tables"
        }
        if generation == 9 { return nil }
        return "warning: this error state is from a Gen\(generation) GPU (\(id)); decoding with Gen9 tables, names and lengths may be wrong"
    }

    /// Decodes every buffer of `state`, handing events to `visit`.
    ///
    /// `engineOverride` replaces the engine named by each buffer (useful when the name is not
    /// recognised); otherwise unrecognised engines decode as RCS.
    public static func decode(_ state: ErrorState, engineOverride: EngineID? = nil,
                              visit: (Event) throws -> Void) rethrows {
        let memory = BatchMemory.buffers(state.buffers.filter { $0.kind != .ring }.map { ($0.gttOffset, $0.dwords) })
        for buffer in state.buffers {
            let engine = engineOverride ?? buffer.engine ?? .rcs
            let marks = self.marks(for: buffer, in: state)
            let decoded = buffer.kind != .other
            try visit(.buffer(buffer, engine: engine, marks: marks, decoded: decoded))
            guard decoded else { continue }
            var options = BatchDecoder.Options(engine: engine, baseAddress: buffer.gttOffset, marks: marks)
            var dwords = buffer.dwords
            switch buffer.kind {
            case .ring:
                options.isRing = true
                options.followJumps = false
            case .batch:
                options.memory = memory
            case .context:
                // The register state starts on the context image's second page (PPHWSP first).
                options.followJumps = false
                if dwords.count > 1024 {
                    dwords = ContiguousArray(dwords[1024...])
                    options.baseAddress = buffer.gttOffset.advanced(by: 4096)
                }
            case .other:
                break
            }
            let decoder = BatchDecoder(options: options)
            let summary = try decoder.decode(dwords) { try visit(.batch($0)) }
            try visit(.bufferEnd(summary))
        }
    }

    /// The labels for `buffer`: ACTHD where it falls in the buffer; HEAD and TAIL for a ring;
    /// BBADDR for a batch; an ACTHD outside every buffer is taken as a ring offset (old GPUs).
    public static func marks(for buffer: ErrorState.Buffer, in state: ErrorState) -> [BatchMark] {
        guard let section = engineSection(for: buffer, in: state) else { return [] }
        let start = buffer.gttOffset.rawValue
        let size = UInt64(buffer.dwords.count * 4)
        func inside(_ address: UInt64) -> Bool { address >= start && address - start < size }
        var marks: [BatchMark] = []
        if let acthd = section.register("ACTHD") {
            if inside(acthd) {
                marks.append(BatchMark(address: GraphicsAddress(acthd), label: "ACTHD"))
            } else if buffer.kind == .ring, !state.buffers.contains(where: { b in
                acthd >= b.gttOffset.rawValue && acthd - b.gttOffset.rawValue < UInt64(b.dwords.count * 4)
            }) {
                let ringOffset = acthd & 0x1F_FFFC
                if ringOffset < size { marks.append(BatchMark(address: GraphicsAddress(start + ringOffset), label: "ACTHD (ring offset)")) }
            }
        }
        if buffer.kind == .ring {
            if let head = section.register("HEAD"), head & 0x1F_FFFC < size {
                marks.append(BatchMark(address: GraphicsAddress(start + (head & 0x1F_FFFC)), label: "HEAD"))
            }
            if let tail = section.register("TAIL"), tail & 0x1F_FFF8 < size {
                marks.append(BatchMark(address: GraphicsAddress(start + (tail & 0x1F_FFF8)), label: "TAIL"))
            }
        }
        if buffer.kind == .batch, let bbaddr = section.register("BBADDR"), inside(bbaddr) {
            marks.append(BatchMark(address: GraphicsAddress(bbaddr), label: "BBADDR"))
        }
        return marks
    }

    /// The engine section a buffer belongs to: same engine, or same printed name.
    static func engineSection(for buffer: ErrorState.Buffer, in state: ErrorState) -> ErrorState.Engine? {
        var name = buffer.engineName
        if name.hasSuffix(" ring") { name = String(name.dropLast(5)) }
        if let section = state.engines.first(where: { $0.name == name }) { return section }
        if let engine = buffer.engine { return state.engines.first(where: { $0.engine == engine }) }
        return nil
    }
}
