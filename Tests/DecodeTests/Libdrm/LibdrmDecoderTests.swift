import GPUModel
import Testing

@testable import Decode

/// libdrm_intel's decoder as a second opinion. This suite is also the GPU model's check that
/// "our command encodings are identified with the same names and lengths by libdrm_intel's
/// decoder for the MI commands it knows".
@Suite struct LibdrmDecoderTests {
    /// libdrm's names for the commands it calls differently.
    static func normalised(_ libdrmName: String) -> String {
        switch libdrmName {
        case "MI_DISPLAY_BUFFER_INFO": "MI_DISPLAY_FLIP"
        default: libdrmName
        }
    }

    /// Realistic Gen9 encodings of every MI command libdrm knows that exists on Gen9, for
    /// `engine`: (name, dwords).
    static func miBatch(for engine: EngineID) -> [(String, [UInt32])] {
        var batch: [(String, [UInt32])] = [
            ("MI_NOOP", [0x0000_0000]),
            ("MI_USER_INTERRUPT", [0x0100_0000]),
            ("MI_FLUSH", [0x0200_0000]),
            ("MI_REPORT_HEAD", [0x0380_0000]),
            ("MI_ARB_ON_OFF", [0x0400_0001]),
            ("MI_SUSPEND_FLUSH", [0x0580_0001]),
            ("MI_SEMAPHORE_MBOX", [0x0B00_0001, 0, 0]),
            ("MI_STORE_DATA_IMM", [0x1040_0002, 0x0000_1000, 0, 0xCAFE]),  // GGTT, one dword
            ("MI_STORE_DATA_INDEX", [0x1080_0001, 0x40, 0xBEEF]),
            ("MI_LOAD_REGISTER_IMM", [0x1100_0003, engine.mmioBase + 0x34, 0x10, engine.mmioBase + 0x30, 0x20]),
            ("MI_STORE_REGISTER_MEM", [0x1240_0002, engine.mmioBase + 0x358, 0x0000_2000, 0]),
            ("MI_LOAD_REGISTER_MEM", [0x1480_0002, engine.mmioBase + 0x358, 0x0000_2000, 0]),
            ("MI_BATCH_BUFFER_START", [0x1880_0101, 0x0040_0000, 0]),  // PPGTT first level (not followed)
        ]
        if engine == .rcs || engine == .bcs {
            batch += [
                ("MI_WAIT_FOR_EVENT", [0x0180_0000]),
                ("MI_LOAD_SCAN_LINES_INCL", [0x0900_0000, 0x0010_0020]),
                ("MI_LOAD_SCAN_LINES_EXCL", [0x0980_0000, 0x0010_0020]),
                ("MI_DISPLAY_FLIP", [0x0A00_0001, 0x0000_2000, 0x0010_0000]),
            ]
        }
        if engine == .rcs {
            batch.append(("MI_REPORT_PERF_COUNT", [0x1400_0002, 0x0000_3000, 0x1]))
            batch[batch.count - 1].1.append(0)
        } else {
            batch.append(("MI_FLUSH_DW", [0x1300_4003, 0x0000_4004, 0, 0x1234, 0]))  // post-sync write, GGTT
        }
        batch.append(("MI_BATCH_BUFFER_END", [0x0500_0000]))
        return batch
    }

    @Test(arguments: [EngineID.rcs, .bcs, .vcs, .vecs])
    func agreesWithOurDecoderOnMICommands(engine: EngineID) {
        let batch = Self.miBatch(for: engine)
        let dwords = batch.flatMap(\.1)
        let ours = BatchDecoder(options: .init(engine: engine)).decodeAll(ContiguousArray(dwords)).compactMap(\.command)
        let theirs = LibdrmDecoder.decode(dwords, address: 0x10000)
        // Our encodings decode to what we meant...
        #expect(ours.map(\.name) == batch.map(\.0))
        #expect(ours.map(\.length) == batch.map { $0.1.count })
        #expect(ours.allSatisfy { $0.status == .ok })
        // ...and libdrm sees the same commands, at the same offsets, with the same lengths.
        #expect(theirs.map { Self.normalised($0.name) } == ours.map(\.name))
        #expect(theirs.map(\.offset) == ours.map(\.offset))
        #expect(theirs.map(\.length) == ours.map(\.length))
    }

    @Test func knownDisagreementMIArbCheckIsUnknownToLibdrm() {
        let theirs = LibdrmDecoder.decode([0x0280_0000, 0x0500_0000])
        #expect(theirs.map(\.name) == ["MI UNKNOWN", "MI_BATCH_BUFFER_END"])
        let ours = BatchDecoder().decodeAll([0x0280_0000, 0x0500_0000]).compactMap(\.command)
        #expect(ours.map(\.name) == ["MI_ARB_CHECK", "MI_BATCH_BUFFER_END"])
    }

    @Test func parsesLibdrmText() {
        let text = """
            Bad length (4) in MI_LOAD_REGISTER_MEM, [3, 3]
            0x00001000:      0x14800002: MI_LOAD_REGISTER_MEM
            0x00001004:      0x00002358:    dword 1
            0x00001008:      0x00001000:    dword 2
            0x0000100c:      0x00000000:    dword 3
            0x00001010:      0x13000002: MI_FLUSH_DW post_sync_op='no write'
            0x00001014:      0x7a000004: PIPE_CONTROL: no write, no depth stall
            0x0000102c:      0x05000000: MI_BATCH_BUFFER_END
            """
        let commands = LibdrmDecoder.parse(text, address: 0x1000, totalDwords: 12)
        #expect(commands.map(\.name) == ["MI_LOAD_REGISTER_MEM", "MI_FLUSH_DW", "PIPE_CONTROL", "MI_BATCH_BUFFER_END"])
        #expect(commands.map(\.offset) == [0, 16, 20, 44])
        #expect(commands.map(\.length) == [4, 1, 6, 1])
    }

    @Test func concurrentCallsAreSerialised() async {
        let dwords = Self.miBatch(for: .rcs).flatMap(\.1)
        let expected = LibdrmDecoder.decode(dwords)
        await withTaskGroup(of: [LibdrmCommand].self) { group in
            for _ in 0..<16 { group.addTask { LibdrmDecoder.decode(dwords) } }
            for await result in group { #expect(result == expected) }
        }
    }
}
