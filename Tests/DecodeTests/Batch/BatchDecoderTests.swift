import GPUModel
import Testing

@testable import Decode

@Suite struct BatchDecoderTests {
    func decode(_ dwords: [UInt32], engine: EngineID = .rcs, base: GraphicsAddress? = nil,
                memory: BatchMemory = .none) -> [BatchEvent] {
        BatchDecoder(options: .init(engine: engine, baseAddress: base, memory: memory)).decodeAll(ContiguousArray(dwords))
    }

    @Test func miBatchWithOffsetsLengthsAndFields() {
        let batch: [UInt32] = [
            0x1100_0003, 0x2358, 0x1, 0x20D8, 0x5,  // LRI, 2 pairs
            0x0000_0000,  // MI_NOOP
            0x1480_0002, 0x2358, 0x1000, 0,  // LRM
            0x0500_0000,
        ]
        let commands = decode(batch, base: 0x10000).compactMap(\.command)
        #expect(commands.map(\.name) == ["MI_LOAD_REGISTER_IMM", "MI_NOOP", "MI_LOAD_REGISTER_MEM", "MI_BATCH_BUFFER_END"])
        #expect(commands.map(\.offset) == [0, 20, 24, 40])
        #expect(commands.map(\.length) == [5, 1, 4, 1])
        #expect(commands[2].address == GraphicsAddress(0x10018))
        #expect(commands[0].dwords == Array(batch[0..<5]))
        let lri = commands[0].fields
        #expect(lri.map(\.name) == ["Register Offset[0]", "Data DWord[0]", "Register Offset[1]", "Data DWord[1]"])
        #expect(lri[0].value == 0x2358)
        #expect(lri[0].text.hasPrefix("0x02358"))
        #expect(lri[0].text.contains("("))  // named by the register catalogue
        let lrm = commands[2].fields
        #expect(lrm.first(where: { $0.name == "Memory Address" })?.text == "0x00001000")
        #expect(lrm.first(where: { $0.name == "Register Address" })?.value == 0x2358)
    }

    @Test func pipeControlPostSyncIsNamed() {
        let commands = decode([0x7A00_0004, 0x0010_4000, 0x1000, 0, 0xAB, 0]).compactMap(\.command)
        #expect(commands.count == 1)
        let fields = commands[0].fields
        #expect(commands[0].commandClass == "3D")
        #expect(fields.first(where: { $0.name == "Post Sync Operation" })?.text == "Write Immediate Data")
        #expect(fields.first(where: { $0.name == "Command Streamer Stall Enable" })?.text == "true")
        #expect(fields.first(where: { $0.name == "Address" })?.value == 0x1000)
        #expect(fields.first(where: { $0.name == "Immediate Data" })?.value == 0xAB)
    }

    /// A batch of each command class, each on its engine.
    @Test(arguments: [
        (EngineID.rcs, ["MI_LOAD_REGISTER_IMM", "PIPE_CONTROL", "3DSTATE_VS", "3DPRIMITIVE"], ["MI", "3D", "3D", "3D"]),
        (EngineID.rcs, ["PIPELINE_SELECT", "MEDIA_VFE_STATE", "MEDIA_OBJECT", "GPGPU_WALKER"], ["3D", "MEDIA", "MEDIA", "MEDIA"]),
        (EngineID.bcs, ["XY_SETUP_CLIP_BLT", "XY_SRC_COPY_BLT", "XY_COLOR_BLT", "MI_FLUSH_DW"], ["2D", "2D", "2D", "MI"]),
        (EngineID.vcs, ["MFX_PIPE_MODE_SELECT", "HCP_PIPE_MODE_SELECT", "MI_FLUSH_DW"], ["MFX", "MFX", "MI"]),
        (EngineID.vecs, ["VEB_SURFACE_STATE", "VEB_STATE", "VEB_DI_IECP", "MI_FLUSH_DW"], ["VEBOX", "VEBOX", "VEBOX", "MI"]),
    ])
    func everyCommandClass(engine: EngineID, names: [String], classes: [String]) {
        var batch: [UInt32] = []
        var offsets: [Int] = []
        for name in names {
            offsets.append(batch.count * 4)
            batch += Encode.command(name)
        }
        batch += Encode.command("MI_BATCH_BUFFER_END")
        let commands = decode(batch, engine: engine).compactMap(\.command)
        #expect(commands.map(\.name) == names + ["MI_BATCH_BUFFER_END"])
        #expect(Array(commands.map(\.commandClass).prefix(names.count)) == classes)
        #expect(Array(commands.map(\.offset).prefix(names.count)) == offsets)
        #expect(commands.allSatisfy { $0.status == .ok })
    }

    /// Every instruction of the table: encode its header from field defaults, decode it on
    /// each of its engines, compare name and length.
    @Test func everyInstructionOfTheTable() {
        let table = CommandTable.gen9
        var checked = 0
        for info in table.commands {
            let header = info.defaultHeader
            let length = info.length(header: header)
            for engine in info.engines.engines {
                let dwords = ContiguousArray([header] + Array(repeating: UInt32(0), count: max(length, 1) - 1))
                let decoder = BatchDecoder(options: .init(engine: engine, stopAtBatchEnd: false))
                let first = decoder.decodeAll(dwords).first?.command
                #expect(first?.name == info.name, "\(info.name) on \(engine)")
                #expect(first?.length == length, "\(info.name) on \(engine)")
                #expect(first?.status == .ok, "\(info.name) on \(engine)")
                checked += 1
            }
        }
        #expect(checked >= table.commands.count)
    }

    @Test func type3OpcodesDependOnTheEngine() {
        let mfx = Encode.command("MFX_PIPE_MODE_SELECT")
        #expect(decode(mfx, engine: .vcs).first?.command?.status == .ok)
        // The same header is MEDIA_VFE_STATE on the render engine.
        let onRender = decode(mfx, engine: .rcs).first?.command
        #expect(onRender?.name == "MEDIA_VFE_STATE")
    }

    @Test func unknownHeaderShownWithRawDwords() {
        let commands = decode([0x7FFF_0001, 0xAAAA_AAAA, 0xBBBB_BBBB, 0x2000_0000, 0x0500_0000]).compactMap(\.command)
        #expect(commands[0].status == .unknown)
        #expect(commands[0].name == "UNKNOWN")
        #expect(commands[0].dwords == [0x7FFF_0001, 0xAAAA_AAAA, 0xBBBB_BBBB])
        #expect(commands[1].status == .unknown)  // reserved type 1: one dword
        #expect(commands[1].length == 1)
        #expect(commands[2].name == "MI_BATCH_BUFFER_END")
    }

    @Test func oversizedLengthIsTruncatedNotReadPastTheEnd() {
        let events = decode([0x0000_0000, 0x7A00_00FF, 1, 2])
        let command = events.compactMap(\.command).last!
        #expect(command.status == .truncated)
        #expect(command.length == 3)
        #expect(command.declaredLength == 0xFF + 2)
        #expect(command.dwords == [0x7A00_00FF, 1, 2])
        #expect(events.contains { if case .note(let n) = $0 { return n.kind == .truncated } else { return false } })
    }

    @Test func truncatedAtEveryLengthNeverCrashes() {
        let full: [UInt32] = [0x7A00_0004, 0x0010_4000, 0x1000, 0, 0xAB, 0, 0x1100_0003, 0x2358, 1, 0x20D8, 5]
        for count in 0...full.count {
            let events = decode(Array(full.prefix(count)))
            let consumed = events.compactMap(\.command).reduce(0) { $0 + $1.length }
            #expect(consumed == count)
        }
    }

    @Test func randomBuffersNeverCrashAndCoverEveryDword() {
        var rng = SplitMix(seed: 0x5A84)
        for engine in EngineID.allCases {
            for _ in 0..<200 {
                let count = Int(rng.next() % 300)
                let dwords = (0..<count).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
                let decoder = BatchDecoder(options: .init(engine: engine, stopAtBatchEnd: false))
                let commands = decoder.decodeAll(ContiguousArray(dwords)).compactMap(\.command)
                #expect(commands.reduce(0) { $0 + $1.length } == count)
                #expect(commands.allSatisfy { $0.length >= 1 && $0.dwords.count == $0.length })
            }
        }
    }

    @Test func stopsAtBatchEndAndSaysWhatIsLeft() {
        let events = decode([0x0500_0000, 0x0000_0000, 0x0000_0000])
        #expect(Encode.names(events) == ["MI_BATCH_BUFFER_END"])
        let notes = events.compactMap { if case .note(let n) = $0 { return n } else { return nil } }
        #expect(notes.map(\.kind) == [.endedEarly])
        #expect(notes[0].message.contains("2 dwords"))
    }

    @Test func followsSecondLevelBatchAndReturns() {
        let second: ContiguousArray<UInt32> = [0x1100_0001, 0x2358, 7, 0x0500_0000]
        let memory = BatchMemory.buffers([(GraphicsAddress(0x20000), second)])
        // BBS second level (bit 22), GGTT, to 0x20000; then a NOOP and the end.
        let first: [UInt32] = [0x18C0_0001, 0x20000, 0, 0x0000_0000, 0x0500_0000]
        let events = decode(first, base: 0x10000, memory: memory)
        let commands = events.compactMap(\.command)
        #expect(commands.map(\.name) == ["MI_BATCH_BUFFER_START", "MI_LOAD_REGISTER_IMM", "MI_BATCH_BUFFER_END", "MI_NOOP", "MI_BATCH_BUFFER_END"])
        #expect(commands.map(\.depth) == [0, 1, 1, 0, 0])
        #expect(commands[1].address == GraphicsAddress(0x20000))
        let kinds = events.compactMap { if case .note(let n) = $0 { return n.kind } else { return nil } }
        #expect(kinds == [.enterBatch, .leaveBatch])
    }

    @Test func chainedBatchDoesNotReturn() {
        let chained: ContiguousArray<UInt32> = [0x0100_0000, 0x0500_0000]
        let memory = BatchMemory.buffers([(GraphicsAddress(0x30000), chained)])
        let first: [UInt32] = [0x1880_0001, 0x30000, 0, 0x0000_0000, 0x0500_0000]
        let decoder = BatchDecoder(options: .init(baseAddress: 0x10000, memory: memory))
        var events: [BatchEvent] = []
        let summary = decoder.decode(ContiguousArray(first)) { events.append($0) }
        #expect(Encode.names(events) == ["MI_BATCH_BUFFER_START", "MI_USER_INTERRUPT", "MI_BATCH_BUFFER_END"])
        #expect(summary.end == .chained)
        #expect(events.contains { if case .note(let n) = $0 { return n.kind == .enterChained } else { return false } })
    }

    @Test func loopIsDetected() {
        // A batch chaining to itself.
        let batch: ContiguousArray<UInt32> = [0x0000_0000, 0x1880_0001, 0x40000, 0]
        let memory = BatchMemory.buffers([(GraphicsAddress(0x40000), batch)])
        let events = BatchDecoder(options: .init(baseAddress: 0x40000, memory: memory)).decodeAll(batch)
        let kinds = events.compactMap { if case .note(let n) = $0 { return n.kind } else { return nil } }
        #expect(kinds.contains(.loop))
        #expect(events.compactMap(\.command).count < 20)
    }

    @Test func nestingLimitStopsFollowing() {
        // Each batch jumps (second level) to the next one: 0x1000 -> 0x2000 -> ...
        var buffers: [(address: GraphicsAddress, dwords: ContiguousArray<UInt32>)] = []
        for i in 1...10 {
            buffers.append((GraphicsAddress(UInt64(i) * 0x1000), [0x18C0_0001, UInt32(i + 1) * 0x1000, 0, 0x0500_0000]))
        }
        let decoder = BatchDecoder(options: .init(baseAddress: 0x1000, memory: .buffers(buffers), maxDepth: 3))
        let events = decoder.decodeAll(buffers[0].dwords)
        #expect(events.compactMap(\.command).map(\.depth).max() == 3)
        #expect(events.contains { if case .note(let n) = $0 { return n.kind == .depthLimit } else { return false } })
    }

    @Test func jumpWithoutMemoryIsReportedAndDecodingContinues() {
        let events = decode([0x1880_0101, 0x1234_5000, 0, 0x0100_0000, 0x0500_0000])
        #expect(Encode.names(events) == ["MI_BATCH_BUFFER_START", "MI_USER_INTERRUPT", "MI_BATCH_BUFFER_END"])
        let note = events.compactMap { if case .note(let n) = $0 { return n } else { return nil } }.first
        #expect(note?.kind == .notFollowed)
        #expect(note?.message.contains("0x12345000") == true)
        #expect(note?.message.contains("PPGTT") == true)
    }

    @Test func marksLabelTheCoveringCommand() {
        let options = BatchDecoder.Options(baseAddress: 0x1000, marks: [BatchMark(address: 0x1008, label: "ACTHD")])
        let commands = BatchDecoder(options: options).decodeAll([0, 0x1100_0001, 0x2358, 1, 0x0500_0000]).compactMap(\.command)
        #expect(commands.map(\.marks) == [[], ["ACTHD"], []])
    }

    @Test func ringIsNotEndedByBatchEnd() {
        let options = BatchDecoder.Options(isRing: true)
        let names = Encode.names(BatchDecoder(options: options).decodeAll([0x0500_0000, 0x0100_0000]))
        #expect(names == ["MI_BATCH_BUFFER_END", "MI_USER_INTERRUPT"])
    }

    @Test func streamingGivesTheSameEventsAsWholeBuffer() throws {
        var rng = SplitMix(seed: 9)
        var dwords: [UInt32] = []
        let pieces: [[UInt32]] = [[0x1100_0003, 0x2358, 1, 0x20D8, 5], [0x7A00_0004, 0x0010_4000, 0x1000, 0, 0, 0], [0], [0x1480_0002, 0x2358, 0x1000, 0]]
        for _ in 0..<500 { dwords += pieces[Int(rng.next() % 4)] }
        dwords.append(0x0500_0000)
        let decoder = BatchDecoder(options: .init(stopAtBatchEnd: true))
        let whole = decoder.decodeAll(ContiguousArray(dwords))
        var streamed: [BatchEvent] = []
        var position = 0
        try decoder.decodeStream(next: {
            guard position < dwords.count else { return nil }
            let size = 1 + Int(rng.next() % 7)  // chunks smaller than a command, on purpose
            defer { position += size }
            return ContiguousArray(dwords[position..<min(position + size, dwords.count)])
        }, visit: { streamed.append($0) })
        #expect(streamed.count == whole.count)
        #expect(streamed.elementsEqual(whole))
    }

    @Test func genericLengthRules() {
        #expect(BatchDecoder.genericLength(0x0080_0000) == 1)  // MI opcode < 0x10
        #expect(BatchDecoder.genericLength(0x1FC0_0005) == 7)  // MI opcode >= 0x10
        #expect(BatchDecoder.genericLength(0x5FC0_0003) == 5)  // 2D
        #expect(BatchDecoder.genericLength(0x7FFF_0000) == 2)  // 3D
        #expect(BatchDecoder.genericLength(0xE000_00FF) == 1)  // reserved
    }
}

/// A deterministic pseudo-random source for tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
