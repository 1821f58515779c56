import Foundation
import GPUModel
import Testing

/// `gvtrr gpu-demo`: output, image, and determinism across processes.
@Suite struct GPUDemoCommandTests {
    @Test func digestIsTheSameInTwoProcessesAndInThisOne() throws {
        let first = try runGVTRR(["gpu-demo", "--seed", "5", "--rounds", "2", "--digest-only"])
        let second = try runGVTRR(["gpu-demo", "--seed", "5", "--rounds", "2", "--digest-only"])
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        let gpu = GPU()
        _ = SampleWorkload(seed: 5, rounds: 2).run(on: gpu)
        #expect(first.stdout == gpu.stateDigest() + "\n")
    }

    @Test func reportsEnginesEventsAndPlane() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-demo-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let image = dir.appendingPathComponent("plane.ppm").path
        let result = try runGVTRR(["gpu-demo", "--image", image])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "GPU model: Apollo Lake, device 0x5a84, 8 GiB memory, 1024 MiB aperture")
        #expect(lines.contains { $0.hasPrefix("rcs ") && $0.hasSuffix("idle") })
        #expect(lines.contains("pipe A primary plane: 256x64 XRGB8888 at 0x00100000, 4 colours"))
        let ppm = try Data(contentsOf: URL(fileURLWithPath: image))
        #expect(ppm.starts(with: Array("P6\n256 64\n255\n".utf8)))
        #expect(ppm.count == 14 + 256 * 64 * 3)  // "P6\n256 64\n255\n" is 14 bytes
    }

    @Test func badRoundsIsAUsageError() throws {
        let result = try runGVTRR(["gpu-demo", "--rounds", "0"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--rounds"))
    }

    @Test func unwritableImageExitsTwo() throws {
        let result = try runGVTRR(["gpu-demo", "--image", "/nonexistent-dir/x.ppm"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot write /nonexistent-dir/x.ppm"))
    }
}
