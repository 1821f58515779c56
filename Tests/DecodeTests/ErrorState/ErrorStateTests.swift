import GPUModel
import Testing

@testable import Decode

/// Error states built from known buffers, written both ways (and the old hex form), parsed
/// back and decoded.
@Suite struct ErrorStateTests {
    static let batch: ContiguousArray<UInt32> = [
        0x1100_0001, 0x2358, 0x1,  // LRI
        0x7A00_0004, 0x0010_4000, 0x1000, 0, 0xAB, 0,  // PIPE_CONTROL
        0x0000_0000,
        0x0500_0000,
    ]
    static let ring: ContiguousArray<UInt32> = [0x1880_0101, 0x0040_0000, 0, 0x0100_0000, 0, 0, 0, 0]

    static func state(_ encoding: ErrorState.Encoding) -> ErrorState {
        var state = ErrorState()
        state.header = [
            .init(key: "GPU HANG", text: "ecode 9:0:0x00000000", value: nil),
            .init(key: "Kernel", text: "5.4.0-gvt", value: nil),
            .init(key: "Platform", text: "BROXTON", value: nil),
            .init(key: "PCI ID", text: "0x5a84", value: 0x5A84),
        ]
        state.engines = [.init(name: "rcs0", engine: .rcs, registers: [
            .init(key: "START", text: "0x00010000", value: 0x10000),
            .init(key: "HEAD", text: "0x0000000c", value: 0xC),
            .init(key: "TAIL", text: "0x00000010", value: 0x10),
            .init(key: "ACTHD", text: "0x00000000 0040000c", value: 0x40_000C),
            .init(key: "IPEHR", text: "0x7a000004", value: 0x7A00_0004),
        ])]
        state.buffers = [
            .init(engineName: "rcs0", engine: .rcs, name: "batch", kind: .batch, gttOffset: 0x40_0000,
                  dwords: batch, encoding: encoding, line: 0),
            .init(engineName: "rcs0", engine: .rcs, name: "ring", kind: .ring, gttOffset: 0x1_0000,
                  dwords: ring, encoding: encoding, line: 0),
        ]
        return state
    }

    @Test(arguments: [ErrorState.Encoding.ascii85Zlib, .ascii85, .hexLines])
    func roundTrip(encoding: ErrorState.Encoding) {
        let text = ErrorStateWriter.write(Self.state(encoding))
        let marker: String = switch encoding {
        case .ascii85Zlib: "\n:"
        case .ascii85: "\n~"
        default: "\n00000000 :  11000001\n"
        }
        #expect(text.contains(marker))
        let parsed = ErrorStateParser.parse(Array(text.utf8))
        #expect(parsed.problems.isEmpty)
        #expect(parsed.kernel == "5.4.0-gvt")
        #expect(parsed.pciID == 0x5A84)
        #expect(parsed.generation == 9)
        #expect(ErrorStateDecoder.generationWarning(parsed) == nil)
        #expect(parsed.engines.map(\.name) == ["rcs0"])
        #expect(parsed.engines[0].register("ACTHD") == 0x40_000C)
        #expect(parsed.buffers.map(\.name) == ["batch", "ring"])
        #expect(parsed.buffers.map(\.kind) == [.batch, .ring])
        #expect(parsed.buffers.map(\.gttOffset) == [0x40_0000, 0x1_0000])
        #expect(parsed.buffers.map(\.encoding) == [encoding, encoding])
        #expect(parsed.buffers[0].dwords == Self.batch)
        #expect(parsed.buffers[1].dwords == Self.ring)
    }

    @Test func decodeMarksActhdHeadAndTail() {
        let parsed = ErrorStateParser.parse(Array(ErrorStateWriter.write(Self.state(.ascii85Zlib)).utf8))
        var current = ""
        var byBuffer: [String: [DecodedCommand]] = [:]
        ErrorStateDecoder.decode(parsed) { event in
            switch event {
            case .buffer(let buffer, _, _, _): current = buffer.name
            case .batch(let e): if let c = e.command { byBuffer[current, default: []].append(c) }
            case .bufferEnd: break
            }
        }
        let batch = byBuffer["batch"] ?? []
        #expect(batch.map(\.name) == ["MI_LOAD_REGISTER_IMM", "PIPE_CONTROL", "MI_NOOP", "MI_BATCH_BUFFER_END"])
        #expect(batch[1].marks == ["ACTHD"])  // ACTHD 0x40000c is inside the PIPE_CONTROL
        #expect(batch[1].address == GraphicsAddress(0x40_000C))
        let ring = byBuffer["ring"] ?? []
        #expect(ring.first(where: { $0.offset == 0xC })?.marks == ["HEAD"])
        #expect(ring.first(where: { $0.offset == 0x10 })?.marks == ["TAIL"])
    }

    @Test func otherGenerationWarns() {
        var state = Self.state(.ascii85)
        state.header = [.init(key: "PCI ID", text: "0x0046", value: 0x46)]
        let parsed = ErrorStateParser.parse(Array(ErrorStateWriter.write(state).utf8))
        #expect(parsed.generation == 5)
        #expect(ErrorStateDecoder.generationWarning(parsed)?.contains("Gen5") == true)
    }

    @Test func truncatedCompressedDataSaysWhere() {
        let text = ErrorStateWriter.write(Self.state(.ascii85Zlib))
        // Cut the file in the middle of the first buffer's data line.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let dataLine = lines.firstIndex(where: { $0.hasPrefix(":") })!
        let cut = lines[..<dataLine].joined(separator: "\n") + "\n" + lines[dataLine].prefix(lines[dataLine].count / 2)
        let parsed = ErrorStateParser.parse(Array(cut.utf8))
        #expect(!parsed.problems.isEmpty)
        #expect(parsed.problems.allSatisfy { $0.line == dataLine + 1 })
        #expect(parsed.buffers.count == 1)
    }

    @Test func damagedAscii85KeepsWhatCameBefore() {
        var text = ErrorStateWriter.write(Self.state(.ascii85))
        let marker = text.firstRange(of: "\n~")!
        // Replace the 6th dword's first character with a character outside ascii85.
        var chars = Array(text.utf8)
        let start = text.utf8.distance(from: text.startIndex, to: marker.upperBound)
        var index = start
        var dwords = 0
        while dwords < 5 { index += chars[index] == UInt8(ascii: "z") ? 1 : 5; dwords += 1 }
        chars[index] = UInt8(ascii: "{")
        text = String(decoding: chars, as: UTF8.self)
        let parsed = ErrorStateParser.parse(Array(text.utf8))
        #expect(parsed.problems.count == 1)
        #expect(parsed.problems[0].message.contains("bad character"))
        #expect(parsed.buffers[0].dwords == ContiguousArray(Self.batch.prefix(5)))
        #expect(parsed.buffers[1].dwords == Self.ring)  // later buffers still read
    }

    @Test func headerWithoutDataAtEndIsTruncation() {
        let text = "PCI ID: 0x5a84\nrcs0 command stream:\n  ACTHD: 0x00000000 00001000\nrcs0 --- batch = 0x00000000 00001000\n"
        let parsed = ErrorStateParser.parse(Array(text.utf8))
        #expect(parsed.problems.count == 1)
        #expect(parsed.problems[0].line == 4)
        #expect(parsed.problems[0].message.contains("truncated"))
    }

    @Test func oldHexLinesWithGapAreReported() {
        let text = "PCI ID: 0x0046\nrender ring --- gtt_offset = 0x00439000\n00000000 :  00000000\n00000008 :  05000000\n"
        let parsed = ErrorStateParser.parse(Array(text.utf8))
        #expect(parsed.buffers.count == 1)
        #expect(parsed.buffers[0].engine == .rcs)
        #expect(parsed.buffers[0].dwords == [0])
        #expect(parsed.problems.map(\.line) == [4])
    }

    @Test func registerValuesOfEveryShape() {
        let text = """
            rcs0 command stream:
              HEAD:  0x00000010 [0x00000008]
              ACTHD: 0x00000001 00002000
              BBADDR: 0x00000002_00003000
              waiting: yes
              fence[0] = f6fc0000f6f800d
            """
        let parsed = ErrorStateParser.parse(Array(text.utf8))
        let engine = parsed.engines[0]
        #expect(engine.register("HEAD") == 0x10)
        #expect(engine.register("ACTHD") == 0x1_0000_2000)
        #expect(engine.register("BBADDR") == 0x2_0000_3000)
        #expect(engine.register("waiting") == nil)
        #expect(engine.register("fence[0]") == 0xF6F_C000_0F6F_800D)
    }
}
