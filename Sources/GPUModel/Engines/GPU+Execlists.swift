/// Execlist submission on the hardware side: ELSP pairs, context restore and save, the
/// context status buffer and its interrupt (PRM: "Execlists"; i915 `intel_lrc.c`).
extension GPU {
    /// Takes a complete ELSP submission on `engine`. An idle engine starts it at once; a
    /// busy one takes it at its next arbitration point (preemption or lite restore).
    func submit(_ submission: ExeclistSubmission, on engine: EngineID) {
        let i = engine.index
        guard submission.element0.isValid else { return }  // HW ignores an invalid element 0
        if engines[i].stall != nil { return }  // a stalled engine takes nothing until reset
        if engines[i].context == nil && engines[i].queue.isEmpty {
            engines[i].queue = submission.elements
            engines[i].clock = max(engines[i].clock, now)
            writeStatus(engine, ContextStatus(flags: .idleToActive, contextID: submission.element0.contextID))
            loadHeadOfQueue(engine)
        } else {
            engines[i].pendingSubmission = submission
        }
        syncEngineRegisters(engine)
    }

    /// Takes a pending submission at an arbitration point, if any. Returns true when the
    /// running context changed (the caller must re-fetch).
    func arbitrate(_ engine: EngineID) -> Bool {
        let i = engine.index
        guard let pending = engines[i].pendingSubmission, let running = engines[i].context else { return false }
        engines[i].pendingSubmission = nil
        if pending.element0.lrca == running.descriptor.lrca {
            // Lite restore: same context resubmitted; the engine re-reads RING_TAIL.
            writeStatus(engine, ContextStatus(flags: [.preempted, .liteRestore], contextID: pending.element0.contextID))
            engines[i].queue = pending.elements
            engines[i].context?.descriptor = pending.element0
            if let tail = readContextSlot(pending.element0, .ringTail) {
                engines[i].context?.tail = tail & 0x1F_FFF8
            }
            return false
        }
        saveContext(engine)
        writeStatus(engine, ContextStatus(flags: .preempted, contextID: running.descriptor.contextID))
        engines[i].context = nil
        engines[i].queue = pending.elements
        loadHeadOfQueue(engine)
        return true
    }

    /// The running element finished its ring: save it, report, and start the next one.
    func completeContext(_ engine: EngineID) {
        let i = engine.index
        guard let running = engines[i].context else { return }
        saveContext(engine)
        engines[i].context = nil
        engines[i].breadcrumbs &+= 1
        if !engines[i].queue.isEmpty { engines[i].queue.removeFirst() }
        let id = running.descriptor.contextID
        if !engines[i].queue.isEmpty {
            writeStatus(engine, ContextStatus(flags: [.complete, .elementSwitch], contextID: id))
            loadHeadOfQueue(engine)
        } else if let pending = engines[i].pendingSubmission {
            engines[i].pendingSubmission = nil
            writeStatus(engine, ContextStatus(flags: [.complete, .activeToIdle], contextID: id))
            writeStatus(engine, ContextStatus(flags: .idleToActive, contextID: pending.element0.contextID))
            engines[i].queue = pending.elements
            loadHeadOfQueue(engine)
        } else {
            writeStatus(engine, ContextStatus(flags: [.complete, .activeToIdle], contextID: id))
        }
        syncEngineRegisters(engine)
    }

    /// Restores the context at the head of the queue from its image in graphics memory.
    func loadHeadOfQueue(_ engine: EngineID) {
        let i = engine.index
        guard let descriptor = engines[i].queue.first else { return }
        engines[i].clock = engines[i].clock + configuration.cost.contextSwitch
        switch loadContext(descriptor, on: engine) {
        case .success(let context):
            engines[i].context = context
        case .failure(let stall):
            engines[i].context = nil
            stallEngine(engine, stall)
        }
        syncEngineRegisters(engine)
    }

    /// Reads a context image's ring state and PDPs.
    func loadContext(_ descriptor: ContextDescriptor, on engine: EngineID) -> Result<LoadedContext, EngineStall> {
        var slots: [UInt32] = []
        let state = descriptor.lrca.advanced(by: ContextImage.registerStatePage << 12)
        do {
            slots = try graphicsMemory.readDwords(state, count: 0x34, in: .ggtt)
        } catch {
            return .failure(.pageFault(error, at: state))
        }
        func value(_ slot: ContextImage.Slot) -> UInt32 { slots[slot.rawValue + 1] }
        let ctl = value(.ringCtl)
        guard ContextImage.ringValid(ctl: ctl) else {
            return .failure(.badContext("RING_CTL \(hex(ctl)) not valid in context \(descriptor)"))
        }
        let pdp: [UInt64] = [
            (.pdp0Upper, .pdp0Lower), (.pdp1Upper, .pdp1Lower), (.pdp2Upper, .pdp2Lower), (.pdp3Upper, .pdp3Lower),
        ].map { (u: ContextImage.Slot, l: ContextImage.Slot) in UInt64(value(u)) << 32 | UInt64(value(l)) }
        let ppgtt: AddressSpace
        switch descriptor.addressingMode {
        case .legacy64:
            ppgtt = .ppgtt(.fourLevel(pml4: PhysicalAddress(pdp[0] & ~0xFFF)))
        case .legacy32:
            ppgtt = .ppgtt(.threeLevel(pdps: pdp.map { PhysicalAddress($0 & ~0xFFF) }))
        case .advanced, .advancedAD:
            return .failure(.badContext("addressing mode \(descriptor.addressingMode) (SVM) is not supported"))
        }
        let start = GraphicsAddress(UInt64(value(.ringStart) & 0xFFFF_F000))
        let head = value(.ringHead)
        return .success(LoadedContext(
            descriptor: descriptor, ringStart: start, ringSize: ContextImage.ringSize(ctl: ctl),
            head: head & 0x1F_FFFC, tail: value(.ringTail) & 0x1F_FFF8, wraps: head >> 21, ppgtt: ppgtt,
            contextControl: value(.contextControl), acthd: start.advanced(by: UInt64(head & 0x1F_FFFC))
        ))
    }

    /// Writes the running context's ring head and timestamp back to its image.
    func saveContext(_ engine: EngineID) {
        guard let context = engines[engine.index].context else { return }
        if context.contextControl & ContextImage.saveInhibit != 0 { return }
        let state = context.descriptor.lrca.advanced(by: ContextImage.registerStatePage << 12)
        let head = context.head | context.wraps << 21
        let stamp = UInt32(truncatingIfNeeded: engines[engine.index].clock.nanoseconds / 52)
        try? graphicsMemory.write32(state.advanced(by: ContextImage.Slot.ringHead.valueByteOffset), in: .ggtt, head)
        try? graphicsMemory.write32(
            state.advanced(by: ContextImage.Slot.contextTimestamp.valueByteOffset), in: .ggtt, stamp)
    }

    /// Reads one register slot of a context image, or nil if unreadable.
    func readContextSlot(_ descriptor: ContextDescriptor, _ slot: ContextImage.Slot) -> UInt32? {
        let state = descriptor.lrca.advanced(by: ContextImage.registerStatePage << 12)
        return try? graphicsMemory.read32(state.advanced(by: slot.valueByteOffset), in: .ggtt)
    }

    /// Appends a CSB entry: MMIO CSB registers, pointer, HWSP mirror, interrupt, event.
    func writeStatus(_ engine: EngineID, _ status: ContextStatus) {
        let index = engines[engine.index].csb.append(status)
        registers[.csb(engine, entry: index)] = status.flags.rawValue
        registers[.csb(engine, entry: index, upper: true)] = status.contextID
        let pointer = MMIOOffset.ring(.csbPointer, engine)
        registers[pointer] = (registers[pointer] & ~0x7) | UInt32(index)
        let hwsp = GraphicsAddress(UInt64(registers[.ring(.hwsPGA, engine)] & 0xFFFF_F000))
        if hwsp.rawValue != 0 {
            let entry = hwsp.advanced(by: UInt64(ContextStatusBuffer.hwspFirstEntryDword + 2 * index) * 4)
            try? graphicsMemory.write32(entry, in: .ggtt, status.flags.rawValue)
            try? graphicsMemory.write32(entry.advanced(by: 4), in: .ggtt, status.contextID)
            try? graphicsMemory.write32(
                hwsp.advanced(by: UInt64(ContextStatusBuffer.hwspWritePointerDword) * 4), in: .ggtt, UInt32(index))
        }
        events.append(.contextStatus(engine, status, index: index))
        raise(.contextSwitch(engine))
    }

    /// Stops an engine until reset and reports why.
    func stallEngine(_ engine: EngineID, _ stall: EngineStall) {
        guard engines[engine.index].stall == nil else { return }
        engines[engine.index].stall = stall
        engines[engine.index].semaphoreWait = nil
        events.append(.engineStalled(engine, stall))
        if case let .pageFault(fault, _) = stall {
            // GEN8_RING_FAULT_REG: valid bit 0, fault type 2:1 (0 = invalid PTE), source id
            // 10:3, GGTT select bit 11. FAULT_TLB_DATA0/1: page address, bit 4 of DATA1 = GGTT.
            registers[0x4094] = 1 | UInt32(engine.rawValue) << 3 | (fault.space == .ggtt ? 1 << 11 : 0)
            registers[0x4B10] = UInt32(truncatingIfNeeded: fault.address.rawValue >> 12)
            registers[0x4B14] = UInt32(truncatingIfNeeded: fault.address.rawValue >> 44) | (fault.space == .ggtt ? 1 << 4 : 0)
        }
        syncEngineRegisters(engine)
    }

    /// Mirrors the engine's live state into its registers (HEAD, TAIL, START, CTL, ACTHD,
    /// BBADDR, EXECLIST_STATUS), as a read by software would see it.
    func syncEngineRegisters(_ engine: EngineID) {
        let state = engines[engine.index]
        if let context = state.context {
            registers[.ring(.head, engine)] = context.head | context.wraps << 21
            registers[.ring(.tail, engine)] = context.tail
            registers[.ring(.start, engine)] = UInt32(truncatingIfNeeded: context.ringStart.rawValue)
            registers[.ring(.ctl, engine)] = (context.ringSize - 0x1000) | 1
            registers[.ring(.acthd, engine)] = UInt32(truncatingIfNeeded: context.acthd.rawValue)
            registers[.ring(.acthdUDW, engine)] = UInt32(truncatingIfNeeded: context.acthd.rawValue >> 32)
            if let batch = context.batches.last {
                registers[.ring(.bbAddr, engine)] = UInt32(truncatingIfNeeded: batch.pointer.rawValue)
                registers[.ring(.bbAddrUDW, engine)] = UInt32(truncatingIfNeeded: batch.pointer.rawValue >> 32)
            }
        }
        // EXECLIST_STATUS: bit 4 EL0 valid, bit 3 EL1 valid, bit 2 queue full, bit 18 EL0 active.
        var status: UInt32 = 0
        if !state.queue.isEmpty { status |= 1 << 4 }
        if state.queue.count > 1 { status |= 1 << 3 }
        if state.pendingSubmission != nil { status |= 1 << 2 }
        if state.context != nil { status |= 1 << 18 }
        registers[.ring(.execlistStatusLo, engine)] = status
        registers[.ring(.execlistStatusHi, engine)] = state.context?.descriptor.contextID ?? 0
    }
}
