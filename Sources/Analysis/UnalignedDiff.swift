import Journal

/// The unaligned mode of `JournalDiff`: entries are split into lanes (one per vGPU and input
/// kind, `InputIdentity.lane`), each lane's inputs of A and B are aligned by a shortest edit
/// script over a window of `options.window` inputs per side, and the aligned part of the
/// window's first half is committed (paired entries compared, the others reported as
/// inputs in one journal only) before the window slides. Both journals are read in lockstep
/// on their guest-side inputs, so lanes fill at the same pace; a global cap on buffered
/// entries keeps memory bounded even when they do not.
final class UnalignedDiff {
    private struct Item {
        var entry: JournalEntry
        var key: JournalEvent?
        var hash: Int
    }

    private struct LaneBuffers {
        var a: [Item] = []
        var b: [Item] = []
        /// A's last committed record in this lane (orders B-only differences).
        var lastA: UInt64 = 0
    }

    private let options: DiffOptions
    private var lanes: [InputIdentity.Lane: LaneBuffers] = [:]
    private var buffered = 0
    private var tally: DifferenceTally
    private var matched: UInt64 = 0
    private var cap: Int { max(options.window * 64, 4096) }

    init(options: DiffOptions) {
        self.options = options
        tally = DifferenceTally(filter: options.categories, examplesPerCategory: options.examplesPerCategory)
    }

    func run(_ readerA: JournalReader, _ readerB: JournalReader, _ nameA: String, _ nameB: String,
             reason: String) throws(JournalError) -> DiffReport {
        let a = try EntryReader(reader: readerA, path: nameA)
        let b = try EntryReader(reader: readerB, path: nameB)
        var guestA: UInt64 = 0, guestB: UInt64 = 0
        var doneA = false, doneB = false
        while !(doneA && doneB) {
            // Advance the journal that is behind on guest-side inputs.
            let takeA = !doneA && (doneB || guestA <= guestB)
            let entry = takeA ? try a.next() : try b.next()
            guard let entry else {
                if takeA { doneA = true } else { doneB = true }
                continue
            }
            if let input = entry.input, Self.isGuestSide(input.event) {
                if takeA { guestA &+= 1 } else { guestB &+= 1 }
            }
            add(entry, toA: takeA)
        }
        for lane in lanes.keys.sorted() { process(lane, final: true) }
        return DiffReport(fileA: nameA, fileB: nameB, mode: .unaligned, modeReason: reason, a: a, b: b, matched: matched,
                          tally: tally)
    }

    /// Inputs a guest caused (not host timers or vGPU life-cycle requests).
    static func isGuestSide(_ event: JournalEvent) -> Bool {
        switch event {
        case .mmioRead, .mmioWrite, .pciConfigRead, .pciConfigWrite, .protectedPageWrite, .guestPageWritten: true
        default: false
        }
    }

    private func add(_ entry: JournalEntry, toA: Bool) {
        let key = entry.input.map { InputIdentity.identity(of: $0.event) }
        let lane = entry.input.map { InputIdentity.lane(of: $0.event) } ?? InputIdentity.Lane(vgpu: 0, kind: 0)
        let item = Item(entry: entry, key: key, hash: key.hashValue)
        if toA { lanes[lane, default: LaneBuffers()].a.append(item) } else { lanes[lane, default: LaneBuffers()].b.append(item) }
        buffered += 1
        let w = options.window
        if let buffers = lanes[lane], buffers.a.count >= w && buffers.b.count >= w {
            process(lane, final: false)
        }
        if buffered > cap, let fullest = lanes.max(by: { ($0.value.a.count + $0.value.b.count, $0.key) < ($1.value.a.count + $1.value.b.count, $1.key) })?.key {
            process(fullest, final: true)
        }
    }

    /// Aligns a lane's buffered inputs and commits the aligned part (all of it when `final`).
    private func process(_ lane: InputIdentity.Lane, final: Bool) {
        guard var buffers = lanes[lane] else { return }
        let (xs, ys) = (buffers.a, buffers.b)
        let steps = SequenceAlignment.align(xs.count, ys.count, maxEdits: max(options.window, 64)) { i, j in
            xs[i].hash == ys[j].hash && xs[i].key == ys[j].key
        } ?? Self.positional(xs.count, ys.count)
        var usedA = 0, usedB = 0
        let halfA = final ? xs.count : xs.count / 2, halfB = final ? ys.count : ys.count / 2
        for step in steps {
            if !final && (usedA >= halfA || usedB >= halfB) { break }
            switch step {
            case let .match(i, j):
                EntryComparison.compare(xs[i].entry, ys[j].entry, into: &tally)
                matched &+= 1
                buffers.lastA = xs[i].entry.outputs.last?.sequence ?? xs[i].entry.firstSequence ?? buffers.lastA
                usedA = i + 1
                usedB = j + 1
            case let .onlyA(i):
                EntryComparison.only(xs[i].entry, side: .a, position: xs[i].entry.firstSequence ?? buffers.lastA, into: &tally)
                buffers.lastA = xs[i].entry.outputs.last?.sequence ?? xs[i].entry.firstSequence ?? buffers.lastA
                usedA = i + 1
            case let .onlyB(j):
                EntryComparison.only(ys[j].entry, side: .b, position: buffers.lastA, into: &tally)
                usedB = j + 1
            }
        }
        buffers.a.removeFirst(usedA)
        buffers.b.removeFirst(usedB)
        buffered -= usedA + usedB
        lanes[lane] = buffers.a.isEmpty && buffers.b.isEmpty ? nil : buffers
    }

    /// Pairs by position when the window is too different for an edit script.
    private static func positional(_ n: Int, _ m: Int) -> [SequenceAlignment.Step] {
        (0..<max(n, m)).flatMap { k -> [SequenceAlignment.Step] in
            (k < n ? [.onlyA(k)] : []) + (k < m ? [.onlyB(k)] : [])
        }
    }
}
