import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// DP AUX channel emulation: DPCD native reads/writes, link training, I2C-over-AUX EDID,
/// hostile headers.
@Suite struct DPAuxTests {
    static let busy: UInt32 = 1 << 31
    static let done: UInt32 = 1 << 30
    static let interrupt: UInt32 = 1 << 29
    static let timeout: UInt32 = 1 << 28

    /// Runs one AUX transaction on `port` as i915 does: data registers, then CTL with SEND_BUSY.
    func transfer(_ f: MediatorFixture, _ v: VGPU, port: Port = .b, request: UInt32, address: UInt32 = 0,
                  length: UInt32 = 0, data: [UInt32] = [], sendSize: UInt32, interrupt: Bool = true) -> UInt32 {
        f.mediator.dpAuxChannelWrite(v, Reg.dpAuxCh(port, dword: 1), request << 28 | address << 8 | length)
        for (k, word) in data.enumerated() { f.mediator.dpAuxChannelWrite(v, Reg.dpAuxCh(port, dword: 2 + k), word) }
        f.mediator.dpAuxChannelWrite(v, Reg.dpAuxCh(port), Self.busy | (interrupt ? Self.interrupt : 0) | sendSize << 20)
        return v.vregs[Reg.dpAuxCh(port)]
    }

    func data(_ v: VGPU, _ dword: Int, port: Port = .b) -> UInt32 { v.vregs[Reg.dpAuxCh(port, dword: dword)] }

    @Test func nativeReadReturnsTheDPCDHeaderAndRaisesAuxB() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.dePort])
        let ctl = transfer(f, v, request: 0x9, address: 0, length: 3, sendSize: 4)
        #expect(ctl & (Self.busy | Self.done | Self.timeout) == Self.done)
        #expect((ctl >> 20) & 0x1F == 5)  // ACK + 4 bytes
        #expect(data(v, 1) == 0x00_12_14_84)  // [ACK][rev 1.2][5.4 Gb/s][4 lanes, enhanced framing]
        #expect(data(v, 2) == 0)
        #expect(v.vregs[InterruptBank.dePort.iir] == 1 << 25)

        _ = transfer(f, v, request: 0x9, address: 0x200, length: 0, sendSize: 4)
        #expect(data(v, 1) == 0x00_01_00_00)  // sink count 1
    }

    @Test func noInterruptUnlessRequested() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.unmaskAll(v, [.dePort])
        _ = transfer(f, v, request: 0x9, address: 0, length: 0, sendSize: 4, interrupt: false)
        #expect(v.vregs[InterruptBank.dePort.iir] == 0)
    }

    @Test func linkTrainingStateMachine() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        let write = { (value: UInt32) -> UInt32 in
            transfer(f, v, request: 0x8, address: 0x102, length: 0, data: [value << 24], sendSize: 5)
        }
        let ctl = write(1)  // training pattern 1: clock recovery
        #expect(ctl & (Self.done | Self.timeout | Self.busy) == Self.done && (ctl >> 20) & 0x1F == 1)
        #expect(data(v, 1) == 0)  // ACK
        #expect(v.display.dpcd[0x102] == 1)
        #expect(v.display.dpcd[0x202] == 0x11 && v.display.dpcd[0x203] == 0x11)
        _ = write(2)  // pattern 2: channel equalisation
        #expect(v.display.dpcd[0x202] == 0x77 && v.display.dpcd[0x203] == 0x77)
        #expect(v.display.dpcd[0x204] & 1 == 1)
        _ = write(0)  // done
        #expect(v.display.dpcd[0x205] == 0x3)
        // Reading the lane status back (4 bytes from 0x202).
        _ = transfer(f, v, request: 0x9, address: 0x202, length: 3, sendSize: 4)
        #expect(data(v, 1) == 0x00_77_77_01)
        #expect(data(v, 2) == 0x03_00_00_00)
    }

    @Test func multiByteNativeWriteLandsInOrder() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        _ = transfer(f, v, request: 0x8, address: 0x100, length: 5, data: [0x0A_04_11_22, 0x33_44_00_00], sendSize: 10)
        #expect(Array(v.display.dpcd[0x100...0x105]) == [0x0A, 0x04, 0x11, 0x22, 0x33, 0x44])
    }

    @Test func addressesBeyondTheDPCDAreAckedWithZerosOrNaked() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        let read = transfer(f, v, request: 0x9, address: 0x6FF, length: 3, sendSize: 4)
        #expect(read & (Self.done | Self.timeout) == Self.done)
        #expect((1...5).allSatisfy { data(v, $0) == 0 })
        let write = transfer(f, v, request: 0x8, address: 0x6FF, length: 1, data: [0xFFFF_0000], sendSize: 6)
        #expect(write & Self.done != 0 && (write >> 20) & 0x1F == 2)
        #expect(data(v, 1) >> 24 == 0x10)  // native NAK
        // A huge out-of-range read reports a reply clamped to the 20-byte burst.
        let huge = transfer(f, v, request: 0x9, address: 0x6F0, length: 0xFF, sendSize: 4)
        #expect((huge >> 20) & 0x1F == 20)
    }

    @Test func hostileHeaderLengthsAreRefusedNotCrashed() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        f.log.clear()
        let read = transfer(f, v, request: 0x9, address: 0x10, length: 0xFF, sendSize: 4)
        #expect(read & Self.busy != 0 && read & Self.done == 0)  // left busy, as GVT leaves it
        let write = transfer(f, v, request: 0x8, address: 0x10, length: 16, data: [1, 2, 3, 4], sendSize: 20)
        #expect(write & Self.done == 0)
        #expect(v.display.dpcd[0x10] == 0)
        let refusals = f.log.events.filter { if case .displayWriteRefused = $0 { true } else { false } }
        #expect(refusals.count == 2)
        // The channel still works afterwards.
        let ok = transfer(f, v, request: 0x9, address: 0, length: 0, sendSize: 4)
        #expect(ok & Self.done != 0 && data(v, 1) == 0x00_12_00_00)
    }

    @Test func portsWithoutAMonitorTimeOut() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        for port in [Port.a, .c, .d] {
            let ctl = transfer(f, v, port: port, request: 0x9, address: 0, length: 0, sendSize: 4)
            #expect(ctl & (Self.done | Self.timeout) == Self.done | Self.timeout)
        }
    }

    @Test func ctlWriteWithoutBusyClearsStickyStatus() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        _ = transfer(f, v, request: 0x9, address: 0, length: 0, sendSize: 4)
        f.mediator.dpAuxChannelWrite(v, Reg.dpAuxCh(.b), Self.done | Self.timeout)
        #expect(v.vregs[Reg.dpAuxCh(.b)] == 0)
    }

    @Test func edidReadsThroughI2COverAux() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject(.v5_8)
        f.unmaskAll(v, [.dePort])
        // Start (MOT write to 0x50), write offset 0 (ignored), restart as read, 128 one-byte reads, stop.
        _ = transfer(f, v, request: 0x4, address: 0x50, sendSize: 3)
        let offsetWrite = transfer(f, v, request: 0x4, address: 0x50, length: 0, data: [0], sendSize: 5)
        #expect(offsetWrite & Self.done != 0 && (offsetWrite >> 20) & 0x1F == 1)
        _ = transfer(f, v, request: 0x5, address: 0x50, sendSize: 3)
        var edid: [UInt8] = []
        for _ in 0..<128 {
            let ctl = transfer(f, v, request: 0x5, address: 0x50, length: 0, sendSize: 4)
            #expect((ctl >> 20) & 0x1F == 2)
            edid.append(UInt8(data(v, 1) >> 16 & 0xFF))
            #expect(data(v, 1) >> 24 == 0)  // I2C ACK
        }
        #expect(edid == v.display.edid)
        #expect(VirtualEDID.isValid(edid))
        // Past the block: zeros.
        _ = transfer(f, v, request: 0x5, address: 0x50, length: 0, sendSize: 4)
        #expect(data(v, 1) == 0)
        // Stop resets the reader; a read without a selected target returns 0xFF.
        _ = transfer(f, v, request: 0x1, address: 0x50, sendSize: 3)
        #expect(v.display.i2c == I2CEDIDReader())
        _ = transfer(f, v, request: 0x5, address: 0x50, length: 0, sendSize: 4)
        #expect(data(v, 1) == 0xFF << 16)
        #expect(v.vregs[InterruptBank.dePort.iir] == 1 << 25)
    }

    @Test func edidIsUnavailableOnPortsWithoutAMonitor() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        _ = transfer(f, v, port: .c, request: 0x5, address: 0x50, sendSize: 3)
        #expect(v.display.i2c.targetSelected && !v.display.i2c.edidAvailable)
        _ = transfer(f, v, port: .c, request: 0x5, address: 0x50, length: 0, sendSize: 4)
        #expect(data(v, 1, port: .c) == 0xFF << 16)
    }

    @Test func i2cReadWithAnOddRequestSizeIsRefused() throws {
        let f = MediatorFixture()
        let v = try f.vgpuObject()
        _ = transfer(f, v, request: 0x5, address: 0x50, sendSize: 3)
        f.log.clear()
        _ = transfer(f, v, request: 0x5, address: 0x50, length: 0, sendSize: 9)
        #expect(f.log.events.contains { if case .displayWriteRefused = $0 { true } else { false } })
        #expect(v.display.i2c.currentRead == 0)
    }

    @Test func auxPortDecodesOnlyAuxRegisterBlocks() {
        #expect(Mediator.auxPort(0x64010) == .a)
        #expect(Mediator.auxPort(0x64124) == .b)
        #expect(Mediator.auxPort(0x64314) == .d)
        #expect(Mediator.auxPort(0x64128) == nil)
        #expect(Mediator.auxPort(0x64100) == nil)
        #expect(Mediator.auxPort(0x64410) == nil)  // port E has no AUX channel
    }
}
