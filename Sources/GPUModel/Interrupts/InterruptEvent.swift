/// A hardware interrupt source: one bit of one interrupt bank. GVT: `intel_gvt_event_type`.
///
/// Bits follow gvt-reference §8.1 / GVT `gen8_init_irq` for Gen9.
public struct InterruptEvent: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The bank whose IIR latches this event.
    public let bank: InterruptBank
    /// Bit number in the bank (0...31).
    public let bit: Int

    /// An event at `bit` of `bank`.
    public init(bank: InterruptBank, bit: Int) {
        precondition(bit >= 0 && bit < 32, "interrupt bit \(bit) out of range")
        self.bank = bank
        self.bit = bit
    }

    /// The bit as a mask.
    @inlinable public var mask: UInt32 { 1 << UInt32(bit) }

    /// GVT's event name where known ("RCS_MI_USER_INTERRUPT", "PIPE_A_VBLANK"), else "gt2[5]".
    public var name: String {
        for (event, name) in Self.known where event == self { return name }
        return "\(bank)[\(bit)]"
    }

    public var description: String { name }

    // MARK: Engine events

    /// MI_USER_INTERRUPT completion of `engine` (GT0 0 / 16, GT1 0, GT3 0).
    public static func userInterrupt(_ engine: EngineID) -> InterruptEvent {
        switch engine {
        case .rcs: InterruptEvent(bank: .gt0, bit: 0)
        case .bcs: InterruptEvent(bank: .gt0, bit: 16)
        case .vcs: InterruptEvent(bank: .gt1, bit: 0)
        case .vecs: InterruptEvent(bank: .gt3, bit: 0)
        }
    }

    /// RCS PIPE_CONTROL notify (GT0 bit 4).
    public static let pipeControlNotify = InterruptEvent(bank: .gt0, bit: 4)

    /// MI_FLUSH_DW notify of `engine` (BCS GT0 20, VCS GT1 4, VECS GT3 4). RCS has no
    /// MI_FLUSH_DW; its flush notification is PIPE_CONTROL notify (GT0 4).
    public static func flushNotify(_ engine: EngineID) -> InterruptEvent {
        switch engine {
        case .rcs: pipeControlNotify
        case .bcs: InterruptEvent(bank: .gt0, bit: 20)
        case .vcs: InterruptEvent(bank: .gt1, bit: 4)
        case .vecs: InterruptEvent(bank: .gt3, bit: 4)
        }
    }

    /// Context switch (CSB written) of `engine` (GT0 8 / 24, GT1 8, GT3 8).
    public static func contextSwitch(_ engine: EngineID) -> InterruptEvent {
        switch engine {
        case .rcs: InterruptEvent(bank: .gt0, bit: 8)
        case .bcs: InterruptEvent(bank: .gt0, bit: 24)
        case .vcs: InterruptEvent(bank: .gt1, bit: 8)
        case .vecs: InterruptEvent(bank: .gt3, bit: 8)
        }
    }

    // MARK: Display events

    /// Vblank of `pipe` (DE pipe bit 0).
    public static func vblank(_ pipe: Pipe) -> InterruptEvent { InterruptEvent(bank: .dePipe(pipe), bit: 0) }
    /// Flip done of plane 1 (primary) of `pipe` (SKL+: bit 3).
    public static func primaryFlipDone(_ pipe: Pipe) -> InterruptEvent { planeFlipDone(pipe, plane: 1) }
    /// Flip done of plane 2 (sprite) of `pipe` (SKL+: bit 4).
    public static func spriteFlipDone(_ pipe: Pipe) -> InterruptEvent { planeFlipDone(pipe, plane: 2) }
    /// Flip done of universal plane `plane` (1...3) of `pipe`: bit 2 + plane (GEN9_PIPE_PLANE_FLIP_DONE).
    public static func planeFlipDone(_ pipe: Pipe, plane: Int) -> InterruptEvent {
        precondition(plane >= 1 && plane <= Pipe.planeCount, "plane \(plane) out of range")
        return InterruptEvent(bank: .dePipe(pipe), bit: 2 + plane)
    }

    /// AUX channel A done (DE port bit 0).
    public static let auxA = InterruptEvent(bank: .dePort, bit: 0)
    /// AUX channel B done (DE port bit 25, SKL+).
    public static let auxB = InterruptEvent(bank: .dePort, bit: 25)
    /// AUX channel C done (DE port bit 26, SKL+).
    public static let auxC = InterruptEvent(bank: .dePort, bit: 26)
    /// AUX channel D done (DE port bit 27, SKL+).
    public static let auxD = InterruptEvent(bank: .dePort, bit: 27)
    /// DP-A hotplug (DE port bit 3).
    public static let dpAHotplug = InterruptEvent(bank: .dePort, bit: 3)
    /// Graphics system event (DE misc bit 0).
    public static let gse = InterruptEvent(bank: .deMisc, bit: 0)
    /// GMBUS done (PCH bit 17).
    public static let gmbus = InterruptEvent(bank: .pch, bit: 17)
    /// CRT hotplug (PCH bit 19).
    public static let crtHotplug = InterruptEvent(bank: .pch, bit: 19)
    /// DP/HDMI B hotplug (PCH bit 21).
    public static let dpBHotplug = InterruptEvent(bank: .pch, bit: 21)
    /// DP/HDMI C hotplug (PCH bit 22).
    public static let dpCHotplug = InterruptEvent(bank: .pch, bit: 22)
    /// DP/HDMI D hotplug (PCH bit 23).
    public static let dpDHotplug = InterruptEvent(bank: .pch, bit: 23)
    /// PCU thermal event (PCU bit 24).
    public static let pcuThermal = InterruptEvent(bank: .pcu, bit: 24)
    /// PCODE-to-driver mailbox event (PCU bit 25).
    public static let pcuMailbox = InterruptEvent(bank: .pcu, bit: 25)

    /// Every named event with GVT's name, in bank/bit order.
    public static let known: [(event: InterruptEvent, name: String)] = {
        var list: [(InterruptEvent, String)] = [
            (userInterrupt(.rcs), "RCS_MI_USER_INTERRUPT"), (pipeControlNotify, "RCS_PIPE_CONTROL"),
            (contextSwitch(.rcs), "RCS_AS_CONTEXT_SWITCH"), (userInterrupt(.bcs), "BCS_MI_USER_INTERRUPT"),
            (flushNotify(.bcs), "BCS_MI_FLUSH_DW"), (contextSwitch(.bcs), "BCS_AS_CONTEXT_SWITCH"),
            (userInterrupt(.vcs), "VCS_MI_USER_INTERRUPT"), (flushNotify(.vcs), "VCS_MI_FLUSH_DW"),
            (contextSwitch(.vcs), "VCS_AS_CONTEXT_SWITCH"), (userInterrupt(.vecs), "VECS_MI_USER_INTERRUPT"),
            (flushNotify(.vecs), "VECS_MI_FLUSH_DW"), (contextSwitch(.vecs), "VECS_AS_CONTEXT_SWITCH"),
            (auxA, "AUX_CHANNEL_A"), (dpAHotplug, "DP_A_HOTPLUG"), (auxB, "AUX_CHANNEL_B"),
            (auxC, "AUX_CHANNEL_C"), (auxD, "AUX_CHANNEL_D"), (gse, "GSE"), (pcuThermal, "PCU_THERMAL"),
            (pcuMailbox, "PCU_PCODE2DRIVER_MAILBOX"), (gmbus, "GMBUS"), (crtHotplug, "CRT_HOTPLUG"),
            (dpBHotplug, "DP_B_HOTPLUG"), (dpCHotplug, "DP_C_HOTPLUG"), (dpDHotplug, "DP_D_HOTPLUG"),
        ]
        for pipe in Pipe.allCases {
            list.append((vblank(pipe), "PIPE_\(pipe.letter)_VBLANK"))
            list.append((primaryFlipDone(pipe), "PRIMARY_\(pipe.letter)_FLIP_DONE"))
            list.append((spriteFlipDone(pipe), "SPRITE_\(pipe.letter)_FLIP_DONE"))
            list.append((planeFlipDone(pipe, plane: 3), "PLANE3_\(pipe.letter)_FLIP_DONE"))
        }
        return list.sorted { ($0.0.bank.rawValue, $0.0.bit) < ($1.0.bank.rawValue, $1.0.bit) }
    }()
}
