import Foundation
import Testing

/// Runs the built `gvtrr` binary and checks its exact output and exit status.
@Suite struct CLITests {
    @Test func versionExitsZero() throws {
        let result = try runGVTRR(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("0."))
    }

    @Test func unknownFlagExitsTwo() throws {
        let result = try runGVTRR(["--no-such-flag"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-flag"))
    }
}
