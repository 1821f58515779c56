import GPUModel

/// The DP AUX channels (GVT: `handlers.c` `dp_aux_ch_ctl_mmio_write`, `edid.c`
/// `intel_gvt_i2c_handle_aux_ch_write`).
///
/// A guest starts a transaction by writing DP_AUX_CH_CTL with SEND_BUSY after filling
/// DP_AUX_CH_DATA1..5 (big-endian bytes: a 4-byte header `[request<<4 | addr19:16][addr15:8]
/// [addr7:0][length-1]`, then data). The transaction completes synchronously: DONE is set,
/// the reply is in DATA1.., and the AUX interrupt is raised if the guest asked for it.
/// Native requests read and write the monitor's DPCD; I2C-over-AUX requests read its EDID
/// one byte at a time. A header whose length does not fit the 20-byte burst is refused (GVT
/// turned that guest-triggerable WARN into an error message): the transaction is left busy
/// and the refusal observed.
extension Mediator {
    /// DP_AUX_CH_CTL bits (i915 names).
    enum AuxControl {
        static let sendBusy: UInt32 = 1 << 31
        static let done: UInt32 = 1 << 30
        static let interrupt: UInt32 = 1 << 29
        static let timeOutError: UInt32 = 1 << 28
        static let receiveError: UInt32 = 1 << 25
        static let messageSizeShift: UInt32 = 20
        static let messageSizeMask: UInt32 = 0x1F << 20
        /// Bytes a transfer moves at most (AUX_BURST_SIZE).
        static let burstSize = 20
    }

    /// AUX request codes (bits 7:4 of the first header byte).
    enum AuxRequest {
        static let native: Int = 0x8
        static let nativeWrite = 0x8
        static let nativeRead = 0x9
        static let i2cMiddleOfTransaction = 0x4
        static let i2cRead = 0x1
        /// 7-bit I2C address of the EDID EEPROM.
        static let edidAddress = 0x50
        /// Reply byte of a native NAK (AUX_NATIVE_REPLY_NAK in bits 5:4).
        static let nativeNak: UInt32 = 0x1 << 4
    }

    /// A guest write to DP_AUX_CH_CTL or DP_AUX_CH_DATA1..5 of ports A..D. Data registers
    /// are stored; a CTL write without SEND_BUSY clears the register (the guest clearing
    /// sticky status); with SEND_BUSY the transaction runs.
    public func dpAuxChannelWrite(_ vgpu: VGPU, _ offset: MMIOOffset, _ value: UInt32) {
        let offset = MMIOOffset(offset.rawValue & ~3)
        guard let port = Self.auxPort(offset) else {
            emit(.displayWriteRefused(vgpu.id, offset, value: value, reason: "not a DP AUX channel register"))
            return
        }
        vgpu.vregs[offset] = value
        guard offset == Reg.dpAuxCh(port) else { return }
        guard value & AuxControl.sendBusy != 0 else {
            vgpu.vregs[offset] = 0
            return
        }
        let header = vgpu.vregs[Reg.dpAuxCh(port, dword: 1)]
        let request = Int(header >> 28)
        let address = Int((header >> 8) & 0xFFFF)
        let length = Int(header & 0xFF)
        switch request {
        case AuxRequest.nativeWrite:
            auxNativeWrite(vgpu, port, value, address: address, length: length)
        case AuxRequest.nativeRead:
            auxNativeRead(vgpu, port, value, address: address, length: length)
        default:
            auxI2CTransfer(vgpu, port, value, request: request, address: address)
            if value & AuxControl.interrupt != 0 { triggerVirtualInterrupt(vgpu, Self.auxEvent(port)) }
        }
    }

    /// The AUX port whose register block (CTL + DATA1..5) holds `offset`.
    static func auxPort(_ offset: MMIOOffset) -> Port? {
        let raw = offset.rawValue
        guard raw >= 0x64010, raw < 0x64428, let port = Port(rawValue: Int((raw - 0x64000) >> 8)), port.rawValue < 4
        else { return nil }
        let within = raw & 0xFF
        return within >= 0x10 && within < 0x28 ? port : nil
    }

    /// The AUX-done event of `port` (AUX_CHANNEL_A..D).
    static func auxEvent(_ port: Port) -> InterruptEvent {
        switch port {
        case .a: .auxA
        case .b: .auxB
        case .c: .auxC
        default: .auxD
        }
    }

    // MARK: Native AUX (DPCD)

    func auxNativeWrite(_ vgpu: VGPU, _ port: Port, _ control: UInt32, address: Int, length: Int) {
        let data1 = Reg.dpAuxCh(port, dword: 1)
        if address + length + 1 >= VirtualDisplay.dpcdSize {
            // DPCD spec: a write to an unsupported address is NAKed with M = 0. GVT stores the
            // NAK code in DATA1's low byte; the reply byte is DATA1's top byte.
            vgpu.vregs[data1] = AuxRequest.nativeNak << 24
            auxTransactionDone(vgpu, port, control, replyLength: 2, valid: true)
            return
        }
        guard length + 1 + 4 <= AuxControl.burstSize else {
            emit(.displayWriteRefused(vgpu.id, Reg.dpAuxCh(port), value: control,
                                      reason: "DP AUX native write header length \(length + 1) exceeds the burst"))
            return
        }
        let valid = vgpu.display.hasMonitor(on: port)
        if valid {
            for t in 0...length {
                let word = vgpu.vregs[Reg.dpAuxCh(port, dword: 2 + t / 4)]
                vgpu.display.writeDPCD(address + t, UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * (t % 4))))
            }
        }
        vgpu.vregs[data1] = 0  // ACK
        auxTransactionDone(vgpu, port, control, replyLength: 1, valid: valid)
    }

    func auxNativeRead(_ vgpu: VGPU, _ port: Port, _ control: UInt32, address: Int, length: Int) {
        for dword in 1...5 { vgpu.vregs[Reg.dpAuxCh(port, dword: dword)] = 0 }
        if address + length + 1 >= VirtualDisplay.dpcdSize {
            // DPCD spec: a read of an unsupported address is ACKed with zeros.
            auxTransactionDone(vgpu, port, control, replyLength: length + 2, valid: true)
            return
        }
        guard length + 2 <= AuxControl.burstSize else {
            emit(.displayWriteRefused(vgpu.id, Reg.dpAuxCh(port), value: control,
                                      reason: "DP AUX native read header length \(length + 1) exceeds the burst"))
            return
        }
        let valid = vgpu.display.hasMonitor(on: port)
        if valid {
            // Reply bytes: [ACK][d0][d1][d2] [d3]... big-endian across DATA1..5.
            for i in 1...(length + 1) {
                let byte = UInt32(vgpu.display.dpcd[address + i - 1])
                vgpu.vregs[Reg.dpAuxCh(port, dword: 1 + i / 4)] |= byte << UInt32(24 - 8 * (i % 4))
            }
        }
        auxTransactionDone(vgpu, port, control, replyLength: length + 2, valid: valid)
    }

    /// Marks the transaction done (GVT: `dp_aux_ch_ctl_trans_done`): DONE set, busy and
    /// receive error cleared, time-out error unless `valid`, reply size (clamped to the burst,
    /// whole 5-bit field), then the AUX interrupt if requested.
    func auxTransactionDone(_ vgpu: VGPU, _ port: Port, _ control: UInt32, replyLength: Int, valid: Bool) {
        var value = (control | AuxControl.done) & ~(AuxControl.sendBusy | AuxControl.receiveError)
        value = valid ? value & ~AuxControl.timeOutError : value | AuxControl.timeOutError
        value = (value & ~AuxControl.messageSizeMask) | UInt32(min(replyLength, AuxControl.burstSize)) << AuxControl.messageSizeShift
        vgpu.vregs[Reg.dpAuxCh(port)] = value
        if value & AuxControl.interrupt != 0 { triggerVirtualInterrupt(vgpu, Self.auxEvent(port)) }
    }

    // MARK: I2C over AUX (EDID)

    /// One I2C-over-AUX transfer (GVT: `intel_gvt_i2c_handle_aux_ch_write`). Address-only
    /// transfers (3-byte request) start, restart or stop: MOT with address 0x50 selects the
    /// EDID, no MOT resets the reader. Writes are acknowledged and ignored (the EDID offset
    /// is not honoured, as in GVT). Reads (4-byte request) return the next EDID byte, or
    /// 0xFF when no EDID is selected; a read with another request size is refused.
    func auxI2CTransfer(_ vgpu: VGPU, _ port: Port, _ control: UInt32, request: Int, address: Int) {
        let requestSize = (control & AuxControl.messageSizeMask) >> AuxControl.messageSizeShift
        let isRead = request & 0x3 == AuxRequest.i2cRead
        vgpu.vregs[Reg.dpAuxCh(port)] = AuxControl.done | UInt32(isRead ? 2 : 1) << AuxControl.messageSizeShift
        var reply: UInt32 = 0
        if requestSize == 3 {
            if request & AuxRequest.i2cMiddleOfTransaction == 0 || address == 0 {
                vgpu.display.i2c = I2CEDIDReader()
            } else if address == AuxRequest.edidAddress {
                vgpu.display.i2c.port = port
                vgpu.display.i2c.targetSelected = true
                vgpu.display.i2c.edidAvailable = vgpu.display.hasMonitor(on: port)
            }
        } else if isRead {
            guard requestSize == 4 else {
                emit(.displayWriteRefused(vgpu.id, Reg.dpAuxCh(port), value: control,
                                          reason: "I2C-over-AUX read with request size \(requestSize), expected 4"))
                return
            }
            let reader = vgpu.display.i2c
            reply = reader.edidAvailable && reader.targetSelected ? UInt32(nextEDIDByte(vgpu)) << 16 : 0xFF << 16
        }
        vgpu.vregs[Reg.dpAuxCh(port, dword: 1)] = reply  // I2C ACK (0) in the top byte
    }

    /// The next EDID byte of the selected monitor, 0 past the block or without a sequence
    /// (GVT: `edid_get_byte`).
    func nextEDIDByte(_ vgpu: VGPU) -> UInt8 {
        let reader = vgpu.display.i2c
        guard reader.targetSelected, reader.edidAvailable, let port = reader.port,
            vgpu.display.hasMonitor(on: port), reader.currentRead < vgpu.display.edid.count
        else { return 0 }
        vgpu.display.i2c.currentRead += 1
        return vgpu.display.edid[reader.currentRead]
    }
}
