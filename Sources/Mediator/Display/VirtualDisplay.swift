import GPUModel

/// A vGPU's virtual display (GVT: `struct intel_vgpu_display` plus the flip-done bits of
/// `intel_vgpu_irq`): one virtual DisplayPort monitor, its DPCD and EDID, the I2C-over-AUX
/// EDID reader, and the flip-done events waiting for the next vblank.
///
/// The registers themselves (pipes, planes, DDI, AUX) live in the vGPU's virtual registers;
/// this holds only what GVT keeps beside them.
public struct VirtualDisplay: Sendable, Hashable {
    /// The port the virtual monitor hangs on: Apollo Lake (BXT) uses port B (SKL/KBL: D).
    public static let monitorPort: Port = .b
    /// Bytes of DPCD emulated (GVT: `DPCD_SIZE`).
    public static let dpcdSize = 0x700

    /// The monitor's EDID (one 128-byte block); empty when no monitor is attached.
    public internal(set) var edid: [UInt8] = []
    /// The monitor's DPCD (DisplayPort configuration data), `dpcdSize` bytes.
    public internal(set) var dpcd: [UInt8] = []
    /// The I2C-over-AUX EDID reader.
    public internal(set) var i2c = I2CEDIDReader()
    /// Per pipe (A, B, C): DE pipe IIR bits of flip-done events queued for the next vblank
    /// (GVT: `vgpu->irq.flip_done_event[pipe]`).
    public internal(set) var pendingFlips: [UInt32] = Array(repeating: 0, count: Pipe.allCases.count)

    /// No monitor, nothing pending (before `resetDisplay`).
    public init() {}

    /// A virtual DP monitor with `edid` on `monitorPort` (GVT: `setup_virtual_dp_monitor`):
    /// DPCD header for DP 1.2 (`dpcd_fix_data`: rev 0x12, max link rate 0x14 = 5.4 Gb/s, 4 lanes
    /// with enhanced framing) and a sink count of 1.
    init(edid: [UInt8]) {
        self.edid = edid
        var dpcd = [UInt8](repeating: 0, count: Self.dpcdSize)
        dpcd[DPCD.revision] = 0x12
        dpcd[DPCD.maxLinkRate] = 0x14
        dpcd[DPCD.maxLaneCount] = 0x84
        dpcd[DPCD.sinkCount] = 1
        self.dpcd = dpcd
    }

    /// True if a monitor is attached to `port` (GVT: `intel_vgpu_has_monitor_on_port`).
    public func hasMonitor(on port: Port) -> Bool { port == Self.monitorPort && !edid.isEmpty }

    /// Native-AUX DPCD write of one byte, with GVT's minimal link-training state machine
    /// (`dp_aux_ch_ctl_link_training`): TRAINING_PATTERN_SET 1 → clock recovery done on all
    /// lanes; 2 → channel EQ done, symbols locked, inter-lane aligned; 0 → sink in sync.
    mutating func writeDPCD(_ address: Int, _ byte: UInt8) {
        guard dpcd.indices.contains(address) else { return }
        dpcd[address] = byte
        guard address == DPCD.trainingPatternSet else { return }
        switch byte & DPCD.trainingPatternMask {
        case 1:
            dpcd[DPCD.lane01Status] |= DPCD.laneCRDone | DPCD.laneCRDone << 4
            dpcd[DPCD.lane23Status] |= DPCD.laneCRDone | DPCD.laneCRDone << 4
        case 2:
            let done = DPCD.laneEQDone | DPCD.laneSymbolLocked
            dpcd[DPCD.lane01Status] |= done | done << 4
            dpcd[DPCD.lane23Status] |= done | done << 4
            dpcd[DPCD.laneAlignStatus] |= DPCD.interlaneAlignDone
        case 0:
            dpcd[DPCD.sinkStatus] = DPCD.receivePort0InSync | DPCD.receivePort1InSync
        default:
            break
        }
    }

    mutating func queueFlip(_ event: InterruptEvent, pipe: Pipe) { pendingFlips[pipe.rawValue] |= event.mask }

    mutating func takeFlips(_ pipe: Pipe) -> UInt32 {
        defer { pendingFlips[pipe.rawValue] = 0 }
        return pendingFlips[pipe.rawValue]
    }
}

/// GVT's I2C-over-AUX EDID reader state (`struct intel_vgpu_i2c_edid`, AUX half).
public struct I2CEDIDReader: Sendable, Hashable {
    /// The port whose monitor was addressed, if any.
    public internal(set) var port: Port?
    /// A transaction addressed the EDID slave (0x50) with middle-of-transaction set.
    public internal(set) var targetSelected = false
    /// The addressed port has a DP monitor with an EDID.
    public internal(set) var edidAvailable = false
    /// Next EDID byte to return.
    public internal(set) var currentRead = 0

    /// Idle (GVT: `intel_vgpu_init_i2c_edid`).
    public init() {}
}

/// DPCD addresses and bits the emulation uses (DisplayPort 1.2; Linux `drm_dp.h` names).
enum DPCD {
    static let revision = 0x000
    static let maxLinkRate = 0x001
    static let maxLaneCount = 0x002
    static let trainingPatternSet = 0x102
    static let trainingPatternMask: UInt8 = 0x3
    static let sinkCount = 0x200
    static let lane01Status = 0x202
    static let lane23Status = 0x203
    static let laneAlignStatus = 0x204
    static let sinkStatus = 0x205
    static let laneCRDone: UInt8 = 1 << 0
    static let laneEQDone: UInt8 = 1 << 1
    static let laneSymbolLocked: UInt8 = 1 << 2
    static let interlaneAlignDone: UInt8 = 1 << 0
    static let receivePort0InSync: UInt8 = 1 << 0
    static let receivePort1InSync: UInt8 = 1 << 1
}
