import Foundation
import Testing

/// `gvtrr decode`: exact output lines, JSON and exit status of the built binary.
@Suite struct DecodeCommandTests {
    static func bytes(_ dwords: [UInt32]) -> Data {
        var data = Data()
        for word in dwords { withUnsafeBytes(of: word.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    @Test func binaryFromStdinExactLines() throws {
        let result = try runGVTRR(["decode", "-"], stdin: Self.bytes([0x1100_0001, 0x2358, 0x1, 0x0500_0000]))
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "0x00000000: MI_LOAD_REGISTER_IMM (3 dwords)")
        #expect(lines[1] == "    11000001 00002358 00000001")
        #expect(lines[2].hasPrefix("    Register Offset[0]: 0x02358"))
        #expect(lines[3] == "    Data DWord[0]: 0x00000001")
        #expect(lines[4] == "0x0000000c: MI_BATCH_BUFFER_END (1 dword)")
        #expect(lines.last == "--- 2 commands, 4 dwords; ended: batch-end")
    }

    @Test func hexWithOffsetsGivesAddressesAndJSON() throws {
        let text = "0x00401000: 0x7a000004 0x00104000 0x00001000 0 0xab 0\n0x00401018: 0x05000000\n"
        let result = try runGVTRR(["decode", "--json", "--format", "hex"], stdin: Data(text.utf8))
        #expect(result.status == 0)
        let objects = try result.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(objects.count == 2)
        #expect(objects[0]["name"] as? String == "PIPE_CONTROL")
        #expect(objects[0]["offset"] as? Int == 0)
        #expect(objects[0]["address"] as? String == "0x00401000")
        #expect(objects[0]["length"] as? Int == 6)
        let fields = objects[0]["fields"] as? [String: String]
        #expect(fields?["Post Sync Operation"] == "Write Immediate Data")
        #expect(fields?["Immediate Data"] == "171")
        #expect(objects[1]["name"] as? String == "MI_BATCH_BUFFER_END")
        #expect(objects[1]["offset"] as? Int == 24)
    }

    @Test func engineSelectsType3Commands() throws {
        let input = Self.bytes([0x7000_0000 | 4, 0, 0, 0, 0, 0])  // MFX_PIPE_MODE_SELECT / MEDIA_VFE_STATE
        let vcs = try runGVTRR(["decode", "--engine", "vcs", "--json"], stdin: input)
        let rcs = try runGVTRR(["decode", "--engine", "rcs", "--json"], stdin: input)
        #expect(vcs.stdout.contains("\"name\":\"MFX_PIPE_MODE_SELECT\""))
        #expect(rcs.stdout.contains("\"name\":\"MEDIA_VFE_STATE\""))
    }

    @Test func addressLetsJumpsInsideTheInputBeFollowed() throws {
        // At 0x1000: BBS second level to 0x1010; NOOP; BBE; at 0x1010: MI_USER_INTERRUPT, BBE.
        let input = Self.bytes([0x18C0_0001, 0x1010, 0, 0x0500_0000, 0x0100_0000, 0x0500_0000])
        let result = try runGVTRR(["decode", "--address", "0x1000", "--json"], stdin: input)
        #expect(result.status == 0)
        let names = result.stdout.split(separator: "\n").compactMap { line -> String? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["name"] as? String
        }
        #expect(names == ["MI_BATCH_BUFFER_START", "MI_USER_INTERRUPT", "MI_BATCH_BUFFER_END", "MI_BATCH_BUFFER_END"])
    }

    @Test func truncatedCommandIsMarked() throws {
        let result = try runGVTRR(["decode"], stdin: Self.bytes([0x7A00_0004, 0x0010_4000]))
        #expect(result.status == 0)
        #expect(result.stdout.contains("0x00000000: PIPE_CONTROL (2 of 6 dwords) TRUNCATED at end of buffer"))
    }

    static let errorState = """
        Kernel: 5.4.0-gvt
        PCI ID: 0x5a84
        rcs0 command stream:
          HEAD: 0x00000000
          ACTHD: 0x00000000 00400004
        rcs0 --- batch = 0x00000000 00400000

        """

    @Test func errorStateWithRawAscii85() throws {
        // "~": LRI(0x2358 := 1), BBE encoded dword by dword.
        let data = "~" + Self.ascii85([0x1100_0001, 0x2358, 1, 0x0500_0000]) + "\n"
        let result = try runGVTRR(["decode"], stdin: Data((Self.errorState + data).utf8))
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.prefix(5) == ["Kernel: 5.4.0-gvt", "PCI ID: 0x5a84", "rcs0 command stream:", "  HEAD: 0x00000000", "  ACTHD: 0x00000000 00400004"])
        #expect(lines.contains("--- rcs0 batch at 0x00400000: 4 dwords (ascii85), decoded for rcs"))
        #expect(lines.contains("0x00400000: MI_LOAD_REGISTER_IMM (3 dwords)  <== ACTHD"))
        #expect(!result.stderr.contains("warning"))
    }

    @Test func truncatedErrorStateExitsOneAndSaysWhere() throws {
        let data = "~" + Self.ascii85([0x1100_0001, 0x2358, 1, 0x0500_0000]).dropLast(3)
        let result = try runGVTRR(["decode", "--format", "error-state"], stdin: Data((Self.errorState + data).utf8))
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 7"))
        #expect(result.stderr.contains("truncated"))
        #expect(result.stdout.contains("MI_LOAD_REGISTER_IMM"))  // decoded as far as possible
    }

    @Test func otherGenerationWarns() throws {
        let text = Self.errorState.replacingOccurrences(of: "0x5a84", with: "0x0046") + "~z\n"
        let result = try runGVTRR(["decode"], stdin: Data(text.utf8))
        #expect(result.status == 0)
        #expect(result.stderr.contains("Gen5"))
    }

    @Test func libdrmDecoderOption() throws {
        let result = try runGVTRR(["decode", "--decoder", "libdrm"], stdin: Self.bytes([0x1100_0001, 0x2358, 1, 0x0500_0000]))
        #expect(result.status == 0)
        #expect(result.stdout.contains("0x00000000:      0x11000001: MI_LOAD_REGISTER_IMM"))
        #expect(result.stdout.contains("0x0000000c:      0x05000000: MI_BATCH_BUFFER_END"))
    }

    @Test func missingFileExitsTwoNamingIt() throws {
        let result = try runGVTRR(["decode", "/no/such/batch.bin"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/no/such/batch.bin"))
    }

    @Test func emptyInputExitsTwo() throws {
        let result = try runGVTRR(["decode"], stdin: Data())
        #expect(result.status == 2)
        #expect(result.stderr.contains("stdin"))
    }

    @Test func badOptionValueExitsTwo() throws {
        #expect(try runGVTRR(["decode", "--engine", "gpu0"], stdin: Data()).status == 2)
        #expect(try runGVTRR(["decode", "--address", "zz"], stdin: Data()).status == 2)
    }

    /// i915's ascii85 (kept here so the test does not depend on the code under test).
    static func ascii85(_ dwords: [UInt32]) -> String {
        var out = ""
        for var value in dwords {
            if value == 0 { out += "z"; continue }
            var group = [Character](repeating: " ", count: 5)
            for i in stride(from: 4, through: 0, by: -1) {
                group[i] = Character(UnicodeScalar(UInt8(33 + value % 85)))
                value /= 85
            }
            out += String(group)
        }
        return out
    }
}
