import Testing
@testable import Analysis

/// The shortest edit script.
@Suite struct SequenceAlignmentTests {
    static func script(_ a: String, _ b: String, maxEdits: Int = .max) -> [SequenceAlignment.Step]? {
        let x = Array(a), y = Array(b)
        return SequenceAlignment.align(x.count, y.count, maxEdits: maxEdits) { x[$0] == y[$1] }
    }

    @Test func findsALongestCommonSubsequence() throws {
        let steps = try #require(Self.script("ABCABBA", "CBABAC"))
        let matches = steps.filter { if case .match = $0 { true } else { false } }
        #expect(matches.count == 4)  // Myers' example: D = 5
        #expect(steps.count - matches.count == 5)
        // Every index of both sides appears once, in order.
        var i = 0, j = 0
        for step in steps {
            switch step {
            case let .match(x, y): #expect(x == i && y == j); i += 1; j += 1
            case let .onlyA(x): #expect(x == i); i += 1
            case let .onlyB(y): #expect(y == j); j += 1
            }
        }
        #expect(i == 7 && j == 6)
    }

    @Test func identicalAndEmptySequences() throws {
        #expect(try #require(Self.script("ABC", "ABC")) == [.match(0, 0), .match(1, 1), .match(2, 2)])
        #expect(try #require(Self.script("", "AB")) == [.onlyB(0), .onlyB(1)])
        #expect(try #require(Self.script("AB", "")) == [.onlyA(0), .onlyA(1)])
    }

    @Test func givesUpPastTheEditLimit() {
        #expect(Self.script("AAAA", "BBBB", maxEdits: 3) == nil)
        #expect(Self.script("AAAA", "AABA", maxEdits: 3) != nil)
    }
}
