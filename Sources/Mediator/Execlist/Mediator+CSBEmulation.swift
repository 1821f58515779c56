import GPUModel

/// Context status emulation into the guest (GVT: `emulate_csb_update`): each entry goes to
/// the CSB vregs, the CSB pointer vreg, the guest's HWSP (HWSP_EMULATION) and raises the
/// engine's context-switch virtual interrupt.
extension Mediator {
    /// Writes CSB entries for `engine` into the guest.
    func emulateContextStatus(_ vgpu: VGPU, _ engine: EngineID, _ entries: [ContextStatus]) {
        for status in entries {
            var pointer = vgpu.execlists[engine.index].csbWritePointer
            pointer = pointer == ContextStatusBuffer.resetWritePointer ? 0 : (pointer + 1) % UInt32(ContextStatusBuffer.entryCount)
            vgpu.execlists[engine.index].csbWritePointer = pointer
            let index = Int(pointer)
            vgpu.vregs[.csb(engine, entry: index)] = status.flags.rawValue
            vgpu.vregs[.csb(engine, entry: index, upper: true)] = status.contextID
            let csbPointer = MMIOOffset.ring(.csbPointer, engine)
            vgpu.vregs[csbPointer] = (vgpu.vregs[csbPointer] & ~0x7) | pointer
            let hwsp = vgpu.hwsPGA[engine.index]
            if hwsp.rawValue != 0 {
                let entry = hwsp.advanced(by: UInt64(ContextStatusBuffer.hwspFirstEntryDword + 2 * index) * 4)
                writeGuestGraphics(vgpu, entry, dwords: [status.flags.rawValue, status.contextID])
                writeGuestGraphics(vgpu, hwsp.advanced(by: UInt64(ContextStatusBuffer.hwspWritePointerDword) * 4),
                                   dwords: [pointer])
            }
            emit(.guestContextStatus(vgpu.id, engine, status, index: index))
            let (low, high) = vgpu.execlists[engine.index].status
            vgpu.vregs[.ring(.execlistStatusLo, engine)] = low
            vgpu.vregs[.ring(.execlistStatusHi, engine)] = high
            triggerVirtualInterrupt(vgpu, .contextSwitch(engine))
        }
    }

    /// Writes dwords into guest memory at a graphics address (through the guest GGTT);
    /// an output, observed. Untranslatable addresses are skipped (and reported).
    func writeGuestGraphics(_ vgpu: VGPU, _ gma: GraphicsAddress, dwords: [UInt32]) {
        guard let gpa = guestGGTTTranslate(vgpu, gma) else {
            emit(.guestWriteSkipped(vgpu.id, gma, reason: "no guest GGTT mapping"))
            return
        }
        writeGuest(vgpu, gpa, dwords: dwords)
    }

    /// Writes dwords into guest memory at a guest-physical address; observed.
    func writeGuest(_ vgpu: VGPU, _ gpa: GuestPhysicalAddress, dwords: [UInt32]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(dwords.count * 4)
        for dword in dwords { withUnsafeBytes(of: dword.littleEndian) { bytes += $0 } }
        if mpt.writeGuest(vgpu.id, gpa, bytes: bytes) {
            emit(.guestMemoryWrite(vgpu.id, gpa, bytes: bytes))
        } else {
            emit(.guestWriteSkipped(vgpu.id, GraphicsAddress(gpa.rawValue), reason: "outside guest memory"))
        }
    }
}
