/// A shortest edit script between two sequences (Myers, "An O(ND) difference algorithm",
/// 1986): the longest common subsequence as matches, the rest as deletions from the first
/// and insertions from the second. Time O((n+m)·D), memory O(D²) for the trace.
public enum SequenceAlignment {
    /// One step of an edit script, by index into the two sequences.
    public enum Step: Hashable, Sendable {
        /// `a[i]` and `b[j]` are the same.
        case match(Int, Int)
        /// `a[i]` has no counterpart.
        case onlyA(Int)
        /// `b[j]` has no counterpart.
        case onlyB(Int)
    }

    /// The edit script aligning `n` items of A with `m` items of B, where `equal(i, j)` says
    /// whether `a[i]` equals `b[j]`; nil when more than `maxEdits` edits are needed.
    public static func align(_ n: Int, _ m: Int, maxEdits: Int = .max, equal: (Int, Int) -> Bool) -> [Step]? {
        if n == 0 || m == 0 {
            guard n + m <= maxEdits else { return nil }
            return (0..<n).map { .onlyA($0) } + (0..<m).map { .onlyB($0) }
        }
        let total = n + m
        let limit = min(total, maxEdits)
        let offset = total + 1
        var v = [Int](repeating: 0, count: 2 * total + 3)
        var trace: [[Int]] = []
        for d in 0...limit {
            trace.append(Array(v[(offset - d - 1)...(offset + d + 1)]))
            var k = -d
            while k <= d {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n && y < m && equal(x, y) {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n && y >= m { return backtrack(trace: trace, n: n, m: m) }
                k += 2
            }
        }
        return nil
    }

    private static func backtrack(trace: [[Int]], n: Int, m: Int) -> [Step] {
        var steps: [Step] = []
        steps.reserveCapacity(n + m)
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let row = trace[d]
            func at(_ k: Int) -> Int { row[k + d + 1] }
            let k = x - y
            let previousK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : at(previousK)
            let previousY = d == 0 ? 0 : previousX - previousK
            while x > previousX && y > previousY {
                steps.append(.match(x - 1, y - 1))
                x -= 1
                y -= 1
            }
            if d > 0 {
                if x == previousX { steps.append(.onlyB(previousY)) } else { steps.append(.onlyA(previousX)) }
                x = previousX
                y = previousY
            }
        }
        return steps.reversed()
    }
}
