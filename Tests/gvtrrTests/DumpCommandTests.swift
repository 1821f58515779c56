import Foundation
import Testing

@Suite struct DumpCommandTests {
    @Test func printsOneEventPerLineWithRegisterNames() throws {
        let path = try SampleJournal.write()
        let result = try runGVTRR(["dump", path])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 7)
        #expect(lines[0] == "#1 t=100 vgpu-created vgpu=1 type=GVTg_V5_4")
        #expect(lines[1] == "#2 t=200 mmio-write vgpu=1 vcpu=0 reg=RCS_RING_TAIL(0x00002030) size=4 value=0x00000040 "
                + "rip=0xffffffff81001234 insn=8910 asm=\"mov dword ptr [rax], edx\"")
        #expect(lines[3] == "#4 t=400 elsp-submission vgpu=1 engine=rcs dwords=[0x00000000,0x00000000,0x10000019,0x00200000] "
                + "submit=[invalid]")  // element 0's low dword lacks the valid bit
    }

    @Test func filtersByKindVGPUFromAndCount() throws {
        let path = try SampleJournal.write(rounds: 10, eventsPerFrame: 5)
        let writes = try runGVTRR(["dump", path, "--kind", "mmio-write", "--from", "30", "--count", "2"])
        #expect(writes.status == 0)
        #expect(writes.stdout.split(separator: "\n").map { $0.split(separator: " ").first! } == ["#30", "#37"])
        let byID = try runGVTRR(["dump", path, "--kind", "18", "--count", "1"])
        #expect(byID.stdout.hasPrefix("#5 t=500 hang engine=rcs"))
        let vgpu = try runGVTRR(["dump", path, "--vgpu", "2"])
        #expect(vgpu.status == 0 && vgpu.stdout.isEmpty)
    }

    @Test func jsonLinesParse() throws {
        let path = try SampleJournal.write()
        let result = try runGVTRR(["dump", path, "--json"])
        #expect(result.status == 0)
        let objects = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 7)
        #expect(objects[1]["regName"] as? String == "RCS_RING_TAIL")
        #expect(objects[1]["reg"] as? Int == 0x2030)
        #expect(objects[5]["detail"] as? String == "bad \"driver\"")
        #expect(objects[6]["kind"] as? String == "timer-expiry")
    }

    @Test func anUnknownKindIsAUsageError() throws {
        let path = try SampleJournal.write()
        let result = try runGVTRR(["dump", path, "--kind", "nonsense"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown kind 'nonsense'"))
    }

    @Test func aTornJournalPrintsTheReadablePrefixThenExitsOne() throws {
        let path = try SampleJournal.write(rounds: 20, close: false, eventsPerFrame: 70)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 3).write(to: URL(fileURLWithPath: path))
        let result = try runGVTRR(["dump", path])
        #expect(result.status == 1)
        #expect(result.stdout.split(separator: "\n").count == 70)
        #expect(result.stderr.contains("the last good event is #70"))
    }
}
