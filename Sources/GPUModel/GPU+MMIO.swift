/// BAR0 (GTTMMADR) and BAR2 (GMADR) as the CPU sees them: registers with their hardware
/// side effects in the first 2 MiB, the GGTT's PTEs from 8 MiB, the aperture through the
/// GGTT. The command streamer's LRI/LRR/LRM reach the same `writeRegister`.
extension GPU {
    /// Reads a register with hardware read semantics (live ACTHD, TIMESTAMP, …).
    public func readRegister(_ offset: MMIOOffset) -> UInt32 {
        if let engine = ringOwner(of: offset) {
            switch offset.rawValue - engine.mmioBase {
            case RingRegister.timestamp.rawValue:
                return UInt32(truncatingIfNeeded: timestampTicks(max(now, engines[engine.index].clock)))
            case RingRegister.timestampUDW.rawValue:
                return UInt32(truncatingIfNeeded: timestampTicks(max(now, engines[engine.index].clock)) >> 32)
            default: break
            }
        }
        return registers.read(offset)
    }

    /// Writes a register with hardware semantics and side effects.
    public func writeRegister(_ offset: MMIOOffset, _ value: UInt32) {
        if InterruptController.handlesWrite(to: offset) {
            InterruptController.write(offset, value, in: &registers)
            updateInterruptLine()
            return
        }
        if DisplayEngine.handlesWrite(to: offset) {
            let displayEvents = display.write(offset, value, registers: &registers, at: now)
            forward(displayEvents)
            return
        }
        if let engine = ringOwner(of: offset) {
            switch offset.rawValue - engine.mmioBase {
            case RingRegister.elsp.rawValue:
                if let submission = engines[engine.index].submitPort.write(value) { submit(submission, on: engine) }
                return
            case RingRegister.resetCtl.rawValue:
                registers.write(offset, value)
                // REQUEST_RESET (bit 0) → READY_TO_RESET (bit 1) at once: the engine is quiescent
                // between commands in this model.
                if registers[offset] & 1 != 0 { registers[offset] |= 2 } else { registers[offset] &= ~2 }
                return
            default: break
            }
        }
        switch offset {
        case Reg.gdrst:
            handleGDRST(value)
        case Reg.forcewakeRender, Reg.forcewakeBlitter, Reg.forcewakeMedia:
            registers.write(offset, value)
            let ack: MMIOOffset = offset == Reg.forcewakeRender
                ? Reg.forcewakeAckRender : offset == Reg.forcewakeBlitter ? Reg.forcewakeAckBlitter : Reg.forcewakeAckMedia
            registers[ack] = registers[offset] & 0xFFFF
        case 0x4260, 0x4264, 0x4268, 0x426C, 0x4270:
            registers[offset] = 0  // TLB invalidation completes at once
        default:
            registers.write(offset, value)
        }
    }

    /// Reads `size` bytes (1, 2, 4 or 8) at a BAR0 offset: registers below 2 MiB, GGTT PTEs
    /// from 8 MiB, zeros in the reserved hole.
    public func mmioRead(_ offset: UInt64, size: Int) -> UInt64 {
        precondition([1, 2, 4, 8].contains(size), "MMIO access size \(size)")
        if offset >= BARLayout.ggttOffset {
            let index = Int((offset - BARLayout.ggttOffset) >> 3)
            guard index < GGTT.entryCount else { return 0 }
            let entry = ggtt[index].rawValue
            let shift = (offset & 7) * 8
            return size == 8 ? entry : (entry >> shift) & (1 << (UInt64(size) * 8) - 1)
        }
        guard offset + UInt64(size) <= BARLayout.mmioSize else { return 0 }
        let aligned = MMIOOffset(UInt32(offset & ~3))
        if size == 8 {
            return UInt64(readRegister(aligned)) | UInt64(readRegister(aligned.advanced(by: 4))) << 32
        }
        let dword = UInt64(readRegister(aligned))
        let shift = (offset & 3) * 8
        return (dword >> shift) & (size == 4 ? 0xFFFF_FFFF : (1 << (UInt64(size) * 8)) - 1)
    }

    /// Writes `size` bytes at a BAR0 offset. A 4-byte write to a GGTT PTE updates one half.
    public func mmioWrite(_ offset: UInt64, size: Int, value: UInt64) {
        precondition([1, 2, 4, 8].contains(size), "MMIO access size \(size)")
        if offset >= BARLayout.ggttOffset {
            let index = Int((offset - BARLayout.ggttOffset) >> 3)
            guard index < GGTT.entryCount else { return }
            if size == 8 {
                ggtt[index] = GGTTEntry(rawValue: value)
            } else {
                let shift = (offset & 7) * 8
                let mask = (size == 4 ? 0xFFFF_FFFF : (UInt64(1) << (UInt64(size) * 8)) - 1) << shift
                ggtt[index] = GGTTEntry(rawValue: (ggtt[index].rawValue & ~mask) | ((value << shift) & mask))
            }
            return
        }
        guard offset + UInt64(size) <= BARLayout.mmioSize else { return }
        let aligned = MMIOOffset(UInt32(offset & ~3))
        switch size {
        case 8:
            writeRegister(aligned, UInt32(truncatingIfNeeded: value))
            writeRegister(aligned.advanced(by: 4), UInt32(truncatingIfNeeded: value >> 32))
        case 4:
            writeRegister(aligned, UInt32(truncatingIfNeeded: value))
        default:
            let shift = UInt32(offset & 3) * 8
            let mask = ((UInt32(1) << (UInt32(size) * 8)) - 1) << shift
            let merged = (registers[aligned] & ~mask) | ((UInt32(truncatingIfNeeded: value) << shift) & mask)
            writeRegister(aligned, merged)
        }
    }

    /// Reads through the aperture (BAR2): `offset` is a graphics address below the aperture size.
    public func apertureRead(_ offset: UInt64, count: Int) -> Result<[UInt8], GPUFault> {
        guard offset + UInt64(count) <= configuration.apertureSize else {
            return .failure(GPUFault(address: GraphicsAddress(offset), space: .ggtt, reason: .outsideAddressSpace, isWrite: false))
        }
        do { return .success(try graphicsMemory.read(GraphicsAddress(offset), count: count, in: .ggtt)) } catch {
            return .failure(error)
        }
    }

    /// Writes through the aperture (BAR2).
    public func apertureWrite(_ offset: UInt64, bytes: [UInt8]) -> Result<Void, GPUFault> {
        guard offset + UInt64(bytes.count) <= configuration.apertureSize else {
            return .failure(GPUFault(address: GraphicsAddress(offset), space: .ggtt, reason: .outsideAddressSpace, isWrite: true))
        }
        do { try graphicsMemory.write(GraphicsAddress(offset), bytes: bytes, in: .ggtt) } catch { return .failure(error) }
        return .success(())
    }

    /// Forwards display events (vblanks caught up, flips) as GPU events.
    func forward(_ displayEvents: [DisplayEvent]) {
        for event in displayEvents {
            switch event {
            case let .vblank(pipe, frame): events.append(.vblank(pipe, frame: frame))
            case let .flipDone(pipe, plane, surface): events.append(.flipDone(pipe, plane: plane, surface: surface))
            }
        }
        updateInterruptLine()
    }
}
