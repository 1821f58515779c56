import GPUModel

/// Consistency checks of a vGPU's graphics-memory virtualization, for tests and debugging
/// (swift-collections: `_checkInvariants`). They read guest memory straight through the MPT
/// port, unobserved: the result is a diagnosis, not an output, and changes nothing.
extension Mediator {
    /// Violations of the GTT invariants of `vgpu` (empty = consistent):
    /// - every present host GGTT entry in the vGPU's slices maps the host frame of its guest
    ///   PTE's gfn (the previous complete PTE while a half-write is pending) or the vGPU's
    ///   scratch page, and nothing outside the slices is tracked in the guest view;
    /// - every present shadow PPGTT entry points at its child shadow table or a scratch page
    ///   (non-leaf), or at the host frame of the guest entry's gfn or the scratch page (leaf);
    ///   half-written entries point at scratch;
    /// - reference counts equal the links to each table; every write-protected guest frame
    ///   is one a live table shadows; shadow PPGTT roots name live tables.
    public func checkGTTInvariants(_ vgpu: VGPU) -> [String] {
        checkGGTTInvariants(vgpu) + checkPPGTTInvariants(vgpu)
    }

    private func checkGGTTInvariants(_ vgpu: VGPU) -> [String] {
        var problems: [String] = []
        let ggtt = vgpu.ggtt
        let slices = vgpu.slices
        if ggtt.apertureIndices != Int(slices.aperture.lowerBound >> 12)..<Int(slices.aperture.upperBound >> 12)
            || ggtt.hiddenIndices != Int(slices.hidden.lowerBound >> 12)..<Int(slices.hidden.upperBound >> 12)
        {
            problems.append("guest GGTT view \(ggtt.apertureIndices), \(ggtt.hiddenIndices) does not match the slices")
            return problems
        }
        for index in ggtt.partialIndices where ggtt.entry(at: index) == nil {
            problems.append("GGTT partial PTE \(index) outside the slices")
        }
        let scratch = ggtt.scratchFrame
        for range in [ggtt.apertureIndices, ggtt.hiddenIndices] {
            for index in range {
                let hostEntry = host.hostGGTTEntry(index)
                guard hostEntry.isPresent else { continue }
                if let scratch, hostEntry.frame == scratch { continue }
                let guest = ggtt.partials[index]?.previous ?? ggtt.entry(at: index)!
                let gfn = guestFrame(of: guest)
                let expected = guest & GGTTEntry.presentBit != 0 && mpt.isValidGuestFrame(vgpu.id, gfn)
                    ? mpt.hostFrame(vgpu.id, for: gfn) : nil
                if expected != hostEntry.frame {
                    problems.append("GGTT \(index): host \(hostEntry) for guest PTE \(hex(guest, width: 16)) "
                                    + "maps neither \(expected.map { "\($0)" } ?? "nothing") nor scratch")
                }
            }
        }
        return problems
    }

    private func checkPPGTTInvariants(_ vgpu: VGPU) -> [String] {
        var problems: [String] = []
        let shadow = vgpu.ppgtt
        func name(_ id: Int) -> String {
            let t = shadow.tables[id]!
            return "L\(t.level) table #\(id) (\(t.guestFrame.map { "\($0)" } ?? "split \(t.splitBase)"), shadow \(t.hostFrame))"
        }
        // Reference counts: links from parents and from shadow roots.
        var links = [Int](repeating: 0, count: shadow.tables.count)
        for table in shadow.tables {
            for child in table?.children ?? [] where child >= 0 { links[Int(child)] += 1 }
        }
        for (slot, mm) in shadow.mms.enumerated() {
            guard let mm else { continue }
            if mm.shadowed ? mm.rootTables.count != mm.root.pointers.count : !mm.rootTables.isEmpty {
                problems.append("shadow PPGTT #\(slot): \(mm.rootTables.count) root tables, shadowed \(mm.shadowed)")
            }
            for id in mm.rootTables where id >= 0 {
                guard Int(id) < shadow.tables.count, shadow.tables[Int(id)] != nil else {
                    problems.append("shadow PPGTT #\(slot) root names freed table #\(id)")
                    continue
                }
                links[Int(id)] += 1
            }
        }
        for id in shadow.tables.indices {
            guard let table = shadow.tables[id] else { continue }
            if table.refs != links[id] { problems.append("\(name(id)): \(table.refs) references, \(links[id]) links") }
            if let gfn = table.guestFrame, !(shadow.tablesByGuestFrame[gfn]?.contains(Int32(id)) ?? false) {
                problems.append("\(name(id)) is missing from the tracked-frame index")
            }
            if !table.postShadow.isEmpty && table.postShadow.contains(where: { $0 != 0 }) && !table.queued {
                problems.append("\(name(id)) has half-written entries but is not queued")
            }
            problems += checkTableEntries(vgpu, id, name: name(id))
        }
        for gfn in shadow.tablesByGuestFrame.keys.sorted() {
            let ids = shadow.tablesByGuestFrame[gfn]!
            if ids.isEmpty { problems.append("\(gfn) is write-protected but no table shadows it") }
            for id in ids where !(Int(id) < shadow.tables.count && shadow.tables[Int(id)]?.guestFrame == gfn) {
                problems.append("\(gfn) is write-protected for table #\(id), which does not shadow it")
            }
        }
        return problems
    }

    /// Checks each present shadow entry of table `id` against the guest table.
    private func checkTableEntries(_ vgpu: VGPU, _ id: Int, name: String) -> [String] {
        let table = vgpu.ppgtt.tables[id]!
        var problems: [String] = []
        let guestPage: [UInt8]? = table.guestFrame.flatMap { mpt.readGuest(vgpu.id, $0.address, count: 4096) }
        func guestEntry(_ index: Int) -> UInt64 {
            guard let page = guestPage else { return 0 }
            return page.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index << 3, as: UInt64.self) }.littleEndian
        }
        let scratchBelow = vgpu.ppgtt.scratch[table.level - 1]
        for index in 0..<512 {
            let shadow = host.hostRead64(PhysicalAddress(frame: table.hostFrame, offset: UInt64(index) << 3))
            guard shadow & PPGTTEntry.presentBit != 0 else {
                if table.level > 1 && table.children[index] >= 0 { problems.append("\(name)[\(index)] not present but linked") }
                continue
            }
            let frame = PageFrameNumber((shadow & PPGTTEntry.addressMask) >> 12)
            if shadow & PPGTTEntry.reservedMask != 0 { problems.append("\(name)[\(index)] has reserved bits set") }
            let linked = table.level > 1 ? table.children[index] : -1
            if linked >= 0 {
                guard let child = vgpu.ppgtt.tables[Int(linked)] else {
                    problems.append("\(name)[\(index)] links freed table #\(linked)")
                    continue
                }
                if child.hostFrame != frame { problems.append("\(name)[\(index)] maps \(frame), its child is \(child.hostFrame)") }
                continue
            }
            if frame == scratchBelow { continue }
            guard table.level == 1 else {
                problems.append("\(name)[\(index)] maps \(frame): no child table and not scratch")
                continue
            }
            let expectedGFN: GuestFrameNumber
            if table.guestFrame == nil {
                expectedGFN = GuestFrameNumber(table.splitBase.rawValue + UInt64(index))
            } else {
                let guest = guestEntry(table.ips ? index & ~15 : index)
                guard guest & PPGTTEntry.presentBit != 0 else {
                    problems.append("\(name)[\(index)] maps \(frame) for a not-present guest entry")
                    continue
                }
                expectedGFN = GuestFrameNumber(table.ips ? guestFrame(of: guest).rawValue & ~15 + UInt64(index & 15)
                                                         : guestFrame(of: guest).rawValue)
            }
            let expected = mpt.isValidGuestFrame(vgpu.id, expectedGFN) ? mpt.hostFrame(vgpu.id, for: expectedGFN) : nil
            if expected != frame {
                problems.append("\(name)[\(index)] maps \(frame): guest \(expectedGFN) is \(expected.map { "\($0)" } ?? "not guest memory")")
            }
        }
        return problems
    }
}
