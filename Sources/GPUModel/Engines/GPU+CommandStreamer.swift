/// The command streamer: fetches commands from the ring and from batch buffers and
/// executes them, charging virtual time (PRM: "Command Streamer"; the GVT parser and the
/// decoder read the same `CommandTable`).
extension GPU {
    /// Runs `engine` until its clock reaches `limit`, it goes idle, waits on a semaphore,
    /// stalls, or has executed `maxCommands` commands (a guard for `limit == .never`).
    @discardableResult
    public func run(_ engine: EngineID, until limit: VirtualTime, maxCommands: Int = 1 << 22) -> EngineRunOutcome {
        let i = engine.index
        var executed = 0
        defer {
            engines[i].commandsExecuted &+= UInt64(executed)
            syncEngineRegisters(engine)
            updateInterruptLine()
        }
        if engines[i].context != nil { engines[i].clock = max(engines[i].clock, min(now, limit)) }
        while true {
            if let stall = engines[i].stall { return .stalled(stall) }
            guard engines[i].context != nil else { return .idle }
            if engines[i].clock >= limit || executed >= maxCommands { return .busy }
            if let wait = engines[i].semaphoreWait {
                if !pollSemaphore(engine, wait) {
                    let poll = configuration.cost.semaphorePoll
                    engines[i].clock = limit == .never ? engines[i].clock + poll : max(engines[i].clock + poll, limit)
                    return .waiting
                }
                continue
            }
            if step(engine) { executed += 1 }
        }
    }

    /// Executes one command, or completes the context when its ring is empty (returns false).
    @discardableResult
    func step(_ engine: EngineID) -> Bool {
        let i = engine.index
        guard let context = engines[i].context else { return false }
        let address: GraphicsAddress
        let space: AddressSpace
        if let top = context.batches.last {
            address = top.pointer
            space = top.space
        } else {
            if context.head == context.tail {
                completeContext(engine)
                return false
            }
            address = context.ringStart.advanced(by: UInt64(context.head))
            space = .ggtt
        }
        engines[i].context!.acthd = address

        let header: UInt32
        do { header = try graphicsMemory.read32(address, in: space) } catch {
            stallEngine(engine, .pageFault(error, at: address))
            return true
        }
        guard let info = commands.lookup(header, engine: engine) else {
            stallEngine(engine, .invalidCommand(header: header, at: address))
            return true
        }
        let length = info.length(header: header)
        guard let dwords = fetchCommand(engine, at: address, space: space, header: header, length: length) else {
            return true
        }

        // Advance past the command first; jumps and returns overwrite the position.
        advancePosition(engine, byDwords: length)
        let cost = execute(engine, info: info, dwords: dwords, at: address, space: space)
        engines[i].clock = engines[i].clock + cost

        // Between ring commands the engine is at an arbitration point.
        if engines[i].context?.batches.isEmpty == true, engines[i].arbitrationEnabled {
            _ = arbitrate(engine)
        }
        return true
    }

    /// Reads a whole command; nil (and a stall) if it is malformed or unreadable.
    func fetchCommand(
        _ engine: EngineID, at address: GraphicsAddress, space: AddressSpace, header: UInt32, length: Int
    ) -> [UInt32]? {
        guard let context = engines[engine.index].context else { return nil }
        if length == 1 { return [header] }
        if context.batches.isEmpty {
            // In the ring: the command must lie between head and tail; it may wrap.
            let available = (context.tail &+ context.ringSize &- context.head) % context.ringSize
            guard UInt32(length * 4) <= available else {
                stallEngine(engine, .malformedCommand(header: header, at: address))
                return nil
            }
            var dwords = [UInt32](repeating: 0, count: length)
            dwords[0] = header
            for k in 1..<length {
                let offset = (context.head &+ UInt32(k * 4)) % context.ringSize
                let at = context.ringStart.advanced(by: UInt64(offset))
                do { dwords[k] = try graphicsMemory.read32(at, in: .ggtt) } catch {
                    stallEngine(engine, .pageFault(error, at: at))
                    return nil
                }
            }
            return dwords
        }
        do { return try graphicsMemory.readDwords(address, count: length, in: space) } catch {
            stallEngine(engine, .pageFault(error, at: address))
            return nil
        }
    }

    /// Moves the fetch position past `count` dwords (ring head with wrap, or batch pointer).
    func advancePosition(_ engine: EngineID, byDwords count: Int) {
        let i = engine.index
        guard var context = engines[i].context else { return }
        if context.batches.isEmpty {
            let next = context.head &+ UInt32(count * 4)
            if next >= context.ringSize { context.wraps &+= 1 }
            context.head = next % context.ringSize
        } else {
            context.batches[context.batches.count - 1].pointer =
                context.batches[context.batches.count - 1].pointer.advanced(by: UInt64(count * 4))
        }
        engines[i].context = context
    }

    /// Executes a decoded command; returns its cost in nanoseconds.
    func execute(
        _ engine: EngineID, info: CommandInfo, dwords: [UInt32], at address: GraphicsAddress, space: AddressSpace
    ) -> UInt64 {
        let header = dwords[0]
        let cost = configuration.cost
        switch header >> 29 {
        case 0:
            return executeMI(engine, opcode: (header >> 23) & 0x3F, dwords: dwords, at: address, space: space)
        case 2:
            return executeBlit(engine, opcode: (header >> 22) & 0x7F, dwords: dwords, at: address)
        default:
            if header >> 16 == 0x7A00 {  // PIPE_CONTROL
                return executePipeControl(engine, dwords: dwords, at: address)
            }
            if header >> 16 == 0x7B00, dwords.count >= 4 {  // 3DPRIMITIVE: vertex count dw2, instances dw4
                let vertices = UInt64(dwords[2])
                let instances = UInt64(max(dwords.count > 4 ? dwords[4] : 1, 1))
                return cost.dispatch &+ cost.perVertex &* min(vertices &* instances, 1 << 32)
            }
            return commandCosts[info.id]
        }
    }
}
