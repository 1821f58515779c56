/// Memory-interface (MI_*) commands and PIPE_CONTROL: what each does to registers, memory,
/// the batch stack and interrupts (PRM vol. 2a "Command Reference: Instructions").
extension GPU {
    /// Executes an MI command (header type 0); returns its cost in nanoseconds.
    func executeMI(
        _ engine: EngineID, opcode: UInt32, dwords: [UInt32], at address: GraphicsAddress, space: AddressSpace
    ) -> UInt64 {
        let i = engine.index
        let cost = configuration.cost
        let header = dwords[0]
        switch opcode {
        case 0x02:  // MI_USER_INTERRUPT
            engines[i].breadcrumbs &+= 1
            events.append(.userInterrupt(engine))
            raise(.userInterrupt(engine))
            return cost.command
        case 0x05:  // MI_ARB_CHECK: an arbitration point inside batches (lite restore only)
            if engines[i].arbitrationEnabled, let pending = engines[i].pendingSubmission,
               pending.element0.lrca == engines[i].context?.descriptor.lrca {
                _ = arbitrate(engine)
            }
            return cost.command
        case 0x08:  // MI_ARB_ON_OFF
            engines[i].arbitrationEnabled = header & 1 != 0
            return cost.command
        case 0x0A:  // MI_BATCH_BUFFER_END
            if engines[i].context?.batches.isEmpty == false { engines[i].context!.batches.removeLast() }
            return cost.command
        case 0x14:  // MI_DISPLAY_FLIP
            return executeDisplayFlip(dwords)
        case 0x1C:  // MI_SEMAPHORE_WAIT
            return executeSemaphoreWait(engine, dwords: dwords, at: address)
        case 0x20:  // MI_STORE_DATA_IMM
            guard dwords.count >= 4 else { return cost.command }
            let ggtt = header & (1 << 22) != 0
            guard !ggtt || mayUseGlobalGTT(engine, header: header, at: address) else { return cost.command }
            let target = graphicsAddress(dwords[1], dwords[2], alignment: 4)
            let qword = header & (1 << 21) != 0 || dwords.count >= 5
            var values = [dwords[3]]
            if qword && dwords.count >= 5 { values.append(dwords[4]) }
            store(engine, values, at: target, in: operandSpace(engine, ggtt: ggtt))
            return cost.memoryWrite
        case 0x21:  // MI_STORE_DATA_INDEX: offset into the global or per-process status page
            let global = header & (1 << 21) == 0  // bit 21: use the per-process HWSP
            guard dwords.count >= 3, !global || mayUseGlobalGTT(engine, header: header, at: address) else {
                return cost.command
            }
            let offset = UInt64(dwords[1] & 0xFFC)
            var values = [dwords[2]]
            if dwords.count >= 4 && header & 0xFF >= 2 { values.append(dwords[3]) }
            store(engine, values, at: statusPage(engine, global: global).advanced(by: offset), in: .ggtt)
            return cost.memoryWrite
        case 0x22:  // MI_LOAD_REGISTER_IMM: (offset, value) pairs
            var k = 1
            while k + 1 < dwords.count {
                let offset = MMIOOffset(dwords[k] & 0x7F_FFFC)
                if mayWriteRegister(engine, offset, header: header, at: address) {
                    commandRegisterWriteObserver?(engine, offset, dwords[k + 1])
                    writeRegister(offset, dwords[k + 1])
                }
                k += 2
            }
            return cost.registerAccess &* UInt64(max(1, (dwords.count - 1) / 2))
        case 0x24:  // MI_STORE_REGISTER_MEM
            guard dwords.count >= 4 else { return cost.command }
            let ggtt = header & (1 << 22) != 0
            guard !ggtt || mayUseGlobalGTT(engine, header: header, at: address) else { return cost.command }
            let value = readRegister(MMIOOffset(dwords[1] & 0x7F_FFFC))
            store(engine, [value], at: graphicsAddress(dwords[2], dwords[3], alignment: 4),
                  in: operandSpace(engine, ggtt: ggtt))
            return cost.registerAccess &+ cost.memoryWrite
        case 0x26:  // MI_FLUSH_DW
            return executeFlushDW(engine, dwords: dwords, at: address)
        case 0x28:  // MI_REPORT_PERF_COUNT: a 64-byte report (id, timestamp, counters)
            guard dwords.count >= 4 else { return cost.command }
            let ggtt = dwords[1] & 1 != 0
            guard !ggtt || mayUseGlobalGTT(engine, header: header, at: address) else { return cost.command }
            let stamp = timestampTicks(engines[i].clock)
            var report = [UInt32](repeating: 0, count: 16)
            report[0] = dwords[3]
            report[1] = UInt32(truncatingIfNeeded: stamp)
            store(engine, report, at: graphicsAddress(dwords[1], dwords[2], alignment: 64),
                  in: operandSpace(engine, ggtt: ggtt))
            return cost.memoryWrite &* 4
        case 0x29:  // MI_LOAD_REGISTER_MEM
            guard dwords.count >= 4 else { return cost.command }
            let ggtt = header & (1 << 22) != 0
            guard !ggtt || mayUseGlobalGTT(engine, header: header, at: address) else { return cost.command }
            let offset = MMIOOffset(dwords[1] & 0x7F_FFFC)
            let source = graphicsAddress(dwords[2], dwords[3], alignment: 4)
            guard let value = load(engine, at: source, in: operandSpace(engine, ggtt: ggtt)) else { return cost.command }
            if mayWriteRegister(engine, offset, header: header, at: address) {
                commandRegisterWriteObserver?(engine, offset, value)
                writeRegister(offset, value)
            }
            return cost.registerAccess &* 2
        case 0x2A:  // MI_LOAD_REGISTER_REG
            guard dwords.count >= 3 else { return cost.command }
            let destination = MMIOOffset(dwords[2] & 0x7F_FFFC)
            let value = readRegister(MMIOOffset(dwords[1] & 0x7F_FFFC))
            if mayWriteRegister(engine, destination, header: header, at: address) {
                commandRegisterWriteObserver?(engine, destination, value)
                writeRegister(destination, value)
            }
            return cost.registerAccess &* 2
        case 0x31:  // MI_BATCH_BUFFER_START
            return executeBatchStart(engine, dwords: dwords, at: address)
        case 0x36:  // MI_CONDITIONAL_BATCH_BUFFER_END: end the batch if memory <= compare data
            guard dwords.count >= 4 else { return cost.command }
            let ggtt = header & (1 << 22) != 0
            guard !ggtt || mayUseGlobalGTT(engine, header: header, at: address) else { return cost.command }
            let source = graphicsAddress(dwords[2], dwords[3], alignment: 8)
            guard let value = load(engine, at: source, in: operandSpace(engine, ggtt: ggtt)) else { return cost.command }
            if value <= dwords[1], engines[i].context?.batches.isEmpty == false {
                engines[i].context!.batches.removeLast()
            }
            return cost.command &* 2
        default:
            // Known to the table, no effect modelled beyond its cost (MI_NOOP, MI_SET_PREDICATE,
            // MI_MATH, MI_LOAD_SCAN_LINES_*, MI_SEMAPHORE_SIGNAL, MI_UPDATE_GTT, ...).
            return cost.command
        }
    }

    /// PIPE_CONTROL: flushes, post-sync write (immediate, depth count, timestamp), notify.
    func executePipeControl(_ engine: EngineID, dwords: [UInt32], at address: GraphicsAddress) -> UInt64 {
        let cost = configuration.cost
        guard dwords.count >= 6 else { return cost.flush }
        let flags = dwords[1]
        let postSync = (flags >> 14) & 3
        if postSync != 0 {
            let ggtt = flags & (1 << 24) != 0
            let indexed = flags & (1 << 21) != 0
            if !ggtt || mayUseGlobalGTT(engine, header: dwords[0], at: address) {
                let target = indexed
                    ? statusPage(engine, global: ggtt).advanced(by: UInt64(dwords[2] & 0xFFC))
                    : graphicsAddress(dwords[2], dwords[3], alignment: 4)
                let space = indexed ? AddressSpace.ggtt : operandSpace(engine, ggtt: ggtt)
                let value: UInt64
                switch postSync {
                case 1: value = UInt64(dwords[5]) << 32 | UInt64(dwords[4])
                case 2: value = UInt64(registers[0x2354]) << 32 | UInt64(registers[0x2350])  // PS_DEPTH_COUNT
                default: value = timestampTicks(engines[engine.index].clock)
                }
                // Gen8+ post-sync writes are always a qword.
                store(engine, [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)],
                      at: target, in: space)
            }
        }
        if flags & (1 << 8) != 0 {  // notify enable
            engines[engine.index].breadcrumbs &+= 1
            events.append(.pipeControlNotify)
            raise(.pipeControlNotify)
        }
        return cost.flush
    }

    /// MI_FLUSH_DW: flush, optional post-sync write and notify (non-render engines).
    func executeFlushDW(_ engine: EngineID, dwords: [UInt32], at address: GraphicsAddress) -> UInt64 {
        let cost = configuration.cost
        let header = dwords[0]
        let postSync = (header >> 14) & 3
        if postSync != 0, dwords.count >= 4 {
            let ggtt = dwords[1] & (1 << 2) != 0
            let indexed = header & (1 << 21) != 0
            if !ggtt || mayUseGlobalGTT(engine, header: header, at: address) {
                let target = indexed
                    ? statusPage(engine, global: ggtt).advanced(by: UInt64(dwords[1] & 0xFFC))
                    : graphicsAddress(dwords[1], dwords[2], alignment: 8)
                let space = indexed ? AddressSpace.ggtt : operandSpace(engine, ggtt: ggtt)
                var words: [UInt32]
                if postSync == 3 {
                    let stamp = timestampTicks(engines[engine.index].clock)
                    words = [UInt32(truncatingIfNeeded: stamp), UInt32(truncatingIfNeeded: stamp >> 32)]
                } else {
                    words = [dwords[3]]
                    if dwords.count >= 5 { words.append(dwords[4]) }
                }
                store(engine, words, at: target, in: space)
            }
        }
        if header & (1 << 8) != 0 {
            engines[engine.index].breadcrumbs &+= 1
            events.append(.flushNotify(engine))
            raise(.flushNotify(engine))
        }
        return cost.flush
    }

    /// MI_BATCH_BUFFER_START: first-level from the ring, second-level or chained from a batch.
    func executeBatchStart(_ engine: EngineID, dwords: [UInt32], at address: GraphicsAddress) -> UInt64 {
        let i = engine.index
        guard dwords.count >= 3, var context = engines[i].context else { return configuration.cost.command }
        let header = dwords[0]
        let target = graphicsAddress(dwords[1], dwords[2], alignment: 4)
        let space: AddressSpace = header & (1 << 8) != 0 ? context.ppgtt : .ggtt
        let secondLevel = header & (1 << 22) != 0
        if context.batches.isEmpty {
            context.batches.append(BatchFrame(level: .first, start: target, pointer: target, space: space))
        } else if secondLevel {
            guard context.batches.last!.level == .first else {
                stallEngine(engine, .batchNesting(at: address))
                return configuration.cost.command
            }
            context.batches.append(BatchFrame(level: .second, start: target, pointer: target, space: space))
        } else {
            // Chained: the current batch is replaced, at the same level.
            let level = context.batches.removeLast().level
            context.batches.append(BatchFrame(level: level, start: target, pointer: target, space: space))
        }
        engines[i].context = context
        return configuration.cost.batchStart
    }

    /// MI_SEMAPHORE_WAIT: compare memory with inline data; wait (poll) until true.
    func executeSemaphoreWait(_ engine: EngineID, dwords: [UInt32], at address: GraphicsAddress) -> UInt64 {
        guard dwords.count >= 4 else { return configuration.cost.command }
        let header = dwords[0]
        let ggtt = header & (1 << 22) != 0
        guard !ggtt || mayUseGlobalGTT(engine, header: header, at: address) else { return configuration.cost.command }
        let wait = SemaphoreWait(
            address: graphicsAddress(dwords[2], dwords[3], alignment: 4), space: operandSpace(engine, ggtt: ggtt),
            data: dwords[1], operation: (header >> 12) & 7, at: address, length: dwords.count)
        if !pollSemaphore(engine, wait) { engines[engine.index].semaphoreWait = wait }
        return configuration.cost.command
    }

    /// Re-reads a semaphore; true (and the wait cleared) when satisfied.
    func pollSemaphore(_ engine: EngineID, _ wait: SemaphoreWait) -> Bool {
        guard let value = load(engine, at: wait.address, in: wait.space) else { return false }
        if wait.isSatisfied(by: value) {
            engines[engine.index].semaphoreWait = nil
            return true
        }
        return false
    }

    /// MI_DISPLAY_FLIP: programs a plane's stride and surface through the display engine.
    func executeDisplayFlip(_ dwords: [UInt32]) -> UInt64 {
        guard dwords.count >= 3 else { return configuration.cost.command }
        // Plane select (bits 21:19): 0 A, 1 sprite A, 2 B, 3 sprite B, 4 C, 5 sprite C.
        let select = Int((dwords[0] >> 19) & 7)
        let pipes: [Pipe] = [.a, .a, .b, .b, .c, .c]
        guard select < pipes.count else { return configuration.cost.command }
        let pipe = pipes[select]
        let plane = select % 2 == 0 ? 1 : 2  // plane 1 primary, 2 sprite
        writeRegister(Reg.planeStride(pipe, plane), (dwords[1] >> 6) & 0x3FF)
        writeRegister(Reg.planeSurf(pipe, plane), dwords[2] & 0xFFFF_F000)
        return configuration.cost.command &* 4
    }

    // MARK: Operand helpers

    /// A 48-bit graphics address from a low and a high dword.
    @inlinable func graphicsAddress(_ low: UInt32, _ high: UInt32, alignment: UInt32) -> GraphicsAddress {
        GraphicsAddress(UInt64(high & 0xFFFF) << 32 | UInt64(low & ~(alignment - 1)))
    }

    /// The GGTT when the command's global-GTT bit is set, else the context's PPGTT.
    func operandSpace(_ engine: EngineID, ggtt: Bool) -> AddressSpace {
        ggtt ? .ggtt : (engines[engine.index].context?.ppgtt ?? .ggtt)
    }

    /// Where index-mode stores land: the engine's global hardware status page (HWS_PGA) when
    /// the command names the GGTT, else the running context's per-process HWSP (LRCA page 0).
    func statusPage(_ engine: EngineID, global: Bool = true) -> GraphicsAddress {
        if !global, let context = engines[engine.index].context { return context.descriptor.lrca }
        return GraphicsAddress(UInt64(registers[.ring(.hwsPGA, engine)] & 0xFFFF_F000))
    }

    /// Writes dwords to graphics memory; a fault stalls the engine.
    func store(_ engine: EngineID, _ words: [UInt32], at target: GraphicsAddress, in space: AddressSpace) {
        var at = target
        for word in words {
            if let observer = commandWriteObserver, case .success(let physical) = graphicsMemory.translate(at, in: space, write: true) {
                observer(engine, at, physical, 4)
            }
            do { try graphicsMemory.write32(at, in: space, word) } catch {
                var fault = error
                fault.isWrite = true
                stallEngine(engine, .pageFault(fault, at: engines[engine.index].context?.acthd ?? at))
                return
            }
            at = at.advanced(by: 4)
        }
        engines[engine.index].breadcrumbs &+= 1
    }

    /// Reads a dword of graphics memory; a fault stalls the engine and returns nil.
    func load(_ engine: EngineID, at source: GraphicsAddress, in space: AddressSpace) -> UInt32? {
        do { return try graphicsMemory.read32(source, in: space) } catch {
            stallEngine(engine, .pageFault(error, at: engines[engine.index].context?.acthd ?? source))
            return nil
        }
    }

    /// CS timestamp ticks at `time` (Apollo Lake: 19.2 MHz).
    @inlinable func timestampTicks(_ time: VirtualTime) -> UInt64 { time.nanoseconds &* 12 / 625 }
}
