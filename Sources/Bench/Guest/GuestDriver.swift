import GPUModel
import Hypervisor
import Mediator

/// Why a guest driver gave up.
public enum GuestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The PCI device is not an Intel GPU.
    case notIntel(vendor: UInt32)
    /// PVINFO magic or version wrong: not a vGPU (i915 then runs native, which we refuse).
    case notVGPU(magic: UInt64)
    /// i915: "support for isolated ppGTT required" / HWSP emulation required with execlists.
    case missingCapabilities(UInt32)
    /// avail_rs failed i915's balloon sanity checks.
    case badBalloon(String)
    /// Guest RAM exhausted.
    case outOfMemory
    /// An instruction the trap path could not decode (a bench bug).
    case decode(String)

    public var description: String {
        switch self {
        case let .notIntel(vendor): "PCI vendor \(hex(vendor)) is not Intel"
        case let .notVGPU(magic): "PVINFO magic \(hex(magic)) is not vGTvGTvG"
        case let .missingCapabilities(caps): "vGPU caps \(hex(caps)) lack FULL_PPGTT or HWSP_EMULATION"
        case let .badBalloon(why): "balloon: \(why)"
        case .outOfMemory: "guest RAM exhausted"
        case let .decode(why): "decode: \(why)"
        }
    }
}

/// A guest driver following Linux i915's vGPU path (i915_vgpu.c, intel_lrc.c,
/// i915_gem_gtt.c): PCI probe, PVINFO, ballooning, PPGTT, execlists, interrupts, display,
/// hangcheck and GDRST. Every MMIO access is a real x86-64 instruction executed through
/// `VCPU.access` inside the engine's lock; page-table writes are instructions too, so
/// write-protected pages trap.
///
/// One driver runs on one vCPU thread; it is not shared.
public final class GuestDriver: @unchecked Sendable {
    /// PVINFO offsets (vgt_if).
    public enum PVInfo {
        public static let base: UInt64 = 0x78000
        public static let magic: UInt64 = 0x4776_5447_7654_4776
        public static let versionMajor: UInt64 = 0x78008
        public static let versionMinor: UInt64 = 0x7800A
        public static let vgtID: UInt64 = 0x7800C
        public static let caps: UInt64 = 0x78010
        public static let apertureBase: UInt64 = 0x78040
        public static let apertureSize: UInt64 = 0x78044
        public static let hiddenBase: UInt64 = 0x78048
        public static let hiddenSize: UInt64 = 0x7804C
        public static let fenceNum: UInt64 = 0x78050
        public static let displayReady: UInt64 = 0x78804
        public static let g2vNotify: UInt64 = 0x78818
        public static let pdp0Low: UInt64 = 0x78838
        public static let pdp0High: UInt64 = 0x7883C
        public static let capFullPPGTT: UInt32 = 1 << 2
        public static let capHWSPEmulation: UInt32 = 1 << 3
        public static let g2vL4Create: UInt32 = 4
        public static let g2vL4Destroy: UInt32 = 5
    }

    /// The engine the guest's accesses enter.
    public let engine: LiveEngine
    public let vm: VirtualMachine
    public let vcpu: VCPU
    public let id: VGPUID
    /// 1-based VM number (colours its screen).
    public let number: Int
    /// Guest-physical BAR0/BAR2 bases as placed at probe.
    public private(set) var bar0: UInt64 = 0
    public private(set) var bar2: UInt64 = 0
    /// PVINFO results.
    public private(set) var caps: UInt32 = 0
    public private(set) var apertureSlice: Range<UInt64> = 0..<0
    public private(set) var hiddenSlice: Range<UInt64> = 0..<0
    public private(set) var fenceCount = 0
    /// Instruction forms executed (for the decode cross-check and statistics).
    public private(set) var formsUsed: Set<MMIOForm> = []
    /// MMIO and page-table instructions executed.
    public private(set) var instructions = 0

    var nextFrame: UInt64 = 16
    var nextAperturePage: UInt64 = 0
    var nextHiddenPage: UInt64 = 0
    /// PPGTT root and the next free PPGTT address.
    public private(set) var pml4: GuestFrameNumber = 0
    var nextPPGTT: UInt64 = 0x1_0000_0000
    /// Per-engine state (index = EngineID.index).
    var rings: [GuestRing?] = Array(repeating: nil, count: EngineID.count)
    /// The display state.
    var display: GuestDisplay?
    /// What the guest saw.
    public var stats = GuestStats()

    /// A driver for the VM of `vgpu` on vCPU `vcpu`.
    public init(engine: LiveEngine, vm: VirtualMachine, number: Int) {
        self.engine = engine
        self.vm = vm
        self.id = vm.vgpu
        self.number = number
        self.vcpu = VCPU(id: number, vm: vm, hypervisor: engine.hypervisor)
    }

    // MARK: Instructions

    /// Executes one MMIO/memory instruction of `form` with the given operands; returns the
    /// value loaded (reads) or 0.
    @discardableResult
    public func execute(_ form: MMIOForm, base: UInt64, disp: Int32 = 0, index: UInt64 = 0, value: UInt64 = 0,
                        immediate: UInt32 = 0) -> UInt64 {
        let bytes = form.encode(disp: disp, immediate: immediate)
        formsUsed.insert(form)
        instructions += 1
        return engine.enter {
            vcpu.registers.rip = 0xFFFF_FFFF_8160_0000 &+ UInt64(MMIOForm.allCases.firstIndex(of: form)!) &* 0x40
            vcpu.registers[form.base] = base
            if let reg = form.index { vcpu.registers[reg] = index }
            if let reg = form.valueRegister { vcpu.registers[reg] = value }
            do {
                _ = try vcpu.access(bytes)
            } catch {
                stats.decodeErrors += 1
                return ~0
            }
            guard let destination = form.destination else { return 0 }
            return vcpu.registers[destination]
        }
    }

    /// readl of BAR0 + offset.
    public func readl(_ offset: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: execute(.readl, base: bar0, disp: Int32(offset))) }
    /// writel of BAR0 + offset.
    public func writel(_ offset: UInt64, _ value: UInt32) { execute(.writel, base: bar0, disp: Int32(offset), value: UInt64(value)) }
    /// writel of a constant (immediate-source store).
    public func writelConstant(_ offset: UInt64, _ value: UInt32) {
        execute(.writelImmediate, base: bar0, disp: Int32(offset), immediate: value)
    }
    /// readq of BAR0 + offset.
    public func readq(_ offset: UInt64) -> UInt64 { execute(.readq, base: bar0, disp: Int32(offset)) }
    /// writeq of BAR0 + offset.
    public func writeq(_ offset: UInt64, _ value: UInt64) { execute(.writeq, base: bar0, disp: Int32(offset), value: value) }
    /// MMIO register shorthand.
    public func readl(_ reg: MMIOOffset) -> UInt32 { readl(UInt64(reg.rawValue)) }
    public func writel(_ reg: MMIOOffset, _ value: UInt32) { writel(UInt64(reg.rawValue), value) }

    /// A PCI config access (ACRN intercepts the device's config cycles).
    func config(_ offset: Int, size: Int, write value: UInt32? = nil) -> UInt32 {
        engine.enter { engine.hypervisor.configAccess(vcpu, offset: offset, size: size, write: value) }
    }

    // MARK: Guest memory (RAM is not trapped: plain stores)

    /// Writes dwords to guest RAM.
    public func ramWrite(_ gpa: GuestPhysicalAddress, _ dwords: [UInt32]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(dwords.count * 4)
        for d in dwords { withUnsafeBytes(of: d.littleEndian) { bytes += $0 } }
        _ = engine.enter { engine.hypervisor.guestStore(id, gpa, bytes: bytes) }
    }

    /// Reads a dword of guest RAM.
    public func ramRead32(_ gpa: GuestPhysicalAddress) -> UInt32 {
        let bytes = engine.enter { engine.hypervisor.readGuest(id, gpa, count: 4) } ?? [0xFF, 0xFF, 0xFF, 0xFF]
        return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }

    /// Fresh contiguous guest frames.
    public func allocateFrames(_ count: Int) throws(GuestError) -> GuestFrameNumber {
        guard nextFrame + UInt64(count) <= UInt64(vm.ram.count) else { throw .outOfMemory }
        defer { nextFrame += UInt64(count) }
        return GuestFrameNumber(nextFrame)
    }

    // MARK: Boot

    /// Probes and initialises the device the way i915 does on a vGPU.
    public func boot() throws(GuestError) {
        try probePCI()
        try detectVGPU()
        try balloon()
        // i915 workaround code does read-modify-writes of L3SQCREG4 (byte/word forms here).
        let l3sqc: UInt64 = 0xB118
        let old = execute(.readw, base: bar0, disp: Int32(l3sqc))
        execute(.writew, base: bar0, disp: Int32(l3sqc), value: old | 0x8000)
        _ = execute(.readb, base: bar0, disp: Int32(l3sqc))
        execute(.writeb, base: bar0, disp: Int32(l3sqc), value: 0)
        // Fences: clear the ones avail_rs gives (64-bit fence registers).
        for k in 0..<fenceCount { writeq(UInt64(Reg.fence(k).rawValue), 0) }
        enableInterrupts()
        try createPPGTT()
        for engineID in EngineID.allCases { try initEngine(engineID) }
    }

    /// PCI: vendor/device, BAR sizing and placement, memory decode + bus master, MSI.
    func probePCI() throws(GuestError) {
        let vendor = config(PCIConfigRegister.vendorID, size: 2)
        guard vendor == 0x8086 else { throw .notIntel(vendor: vendor) }
        stats.deviceID = config(PCIConfigRegister.deviceID, size: 2)
        // Size and place BAR0 (GTTMMADR) and BAR2 (GMADR), 64-bit BARs.
        for (bar, base) in [(PCIConfigRegister.bar0, vm.bar0Base), (PCIConfigRegister.bar2, vm.bar2Base)] {
            let original = config(bar, size: 4)
            _ = config(bar, size: 4, write: ~0)
            _ = config(bar + 4, size: 4, write: ~0)
            let low = config(bar, size: 4), high = config(bar + 4, size: 4)
            let mask = UInt64(high) << 32 | UInt64(low & 0xFFFF_FFF0)
            let size = ~mask &+ 1
            if bar == PCIConfigRegister.bar0 { stats.bar0Size = size } else { stats.bar2Size = size }
            _ = config(bar, size: 4, write: UInt32(truncatingIfNeeded: base) | (original & 0xF))
            _ = config(bar + 4, size: 4, write: UInt32(truncatingIfNeeded: base >> 32))
        }
        bar0 = vm.bar0Base
        bar2 = vm.bar2Base
        // MSI: walk the capability list for ID 0x05; address, data, then enable.
        var pointer = config(PCIConfigRegister.capabilitiesPointer, size: 1) & 0xFC
        var hops = 0
        while pointer != 0 && hops < 16 {
            let capID = config(Int(pointer), size: 1)
            if capID == 0x05 {
                _ = config(Int(pointer) + 4, size: 4, write: 0xFEE0_0000)
                _ = config(Int(pointer) + 8, size: 2, write: 0x4030 + UInt32(number))
                let control = config(Int(pointer) + 2, size: 2)
                _ = config(Int(pointer) + 2, size: 2, write: control | 1)
                stats.msiEnabled = true
            }
            pointer = config(Int(pointer) + 1, size: 1) & 0xFC
            hops += 1
        }
        let command = config(PCIConfigRegister.command, size: 2)
        _ = config(PCIConfigRegister.command, size: 2, write: command | 0x6)
    }

    /// i915 `intel_vgpu_detect`: magic, version, caps.
    func detectVGPU() throws(GuestError) {
        let magic = readq(PVInfo.base)
        guard magic == PVInfo.magic else { throw .notVGPU(magic: magic) }
        let major = execute(.readw, base: bar0, disp: Int32(PVInfo.versionMajor))
        _ = execute(.readw, base: bar0, disp: Int32(PVInfo.versionMinor))
        guard major >= 1 else { throw .notVGPU(magic: magic) }
        stats.vgtID = readl(PVInfo.vgtID)
        caps = readl(PVInfo.caps)
        _ = execute(.readb, base: bar0, disp: Int32(PVInfo.caps))
        guard caps & PVInfo.capFullPPGTT != 0, caps & PVInfo.capHWSPEmulation != 0 else {
            throw .missingCapabilities(caps)
        }
    }

    /// i915 `intel_vgt_balloon`: own slices only; fence count.
    func balloon() throws(GuestError) {
        let apBase = UInt64(readl(PVInfo.apertureBase)), apSize = UInt64(readl(PVInfo.apertureSize))
        let hBase = UInt64(readl(PVInfo.hiddenBase)), hSize = UInt64(readl(PVInfo.hiddenSize))
        fenceCount = Int(readl(PVInfo.fenceNum))
        guard apSize > 0, hSize > 0 else { throw .badBalloon("empty slice") }
        guard apBase + apSize <= vm.bar2Size else { throw .badBalloon("aperture slice beyond the mappable end") }
        guard hBase >= vm.bar2Size else { throw .badBalloon("hidden slice inside the mappable range") }
        apertureSlice = apBase..<(apBase + apSize)
        hiddenSlice = hBase..<(hBase + hSize)
        nextAperturePage = apBase >> 12
        nextHiddenPage = hBase >> 12
    }

    // MARK: GGTT

    /// Writes a GGTT PTE through the GSM window (writeq into the PTE array).
    public func writePTE(index: UInt64, _ value: UInt64) {
        execute(.writeqIndexed, base: bar0 + BARLayout.ggttOffset, index: index, value: value)
    }

    /// Reads a GGTT PTE back.
    public func readPTE(index: UInt64) -> UInt64 { execute(.readqIndexed, base: bar0 + BARLayout.ggttOffset, index: index) }

    /// Maps fresh contiguous guest frames at the next pages of a slice; returns the address
    /// and the first frame.
    public func mapGGTT(pages: Int, hidden: Bool = false) throws(GuestError) -> (gma: GraphicsAddress, frame: GuestFrameNumber) {
        let first = hidden ? nextHiddenPage : nextAperturePage
        let slice = hidden ? hiddenSlice : apertureSlice
        guard (first + UInt64(pages)) << 12 <= slice.upperBound else { throw .outOfMemory }
        let frame = try allocateFrames(pages)
        for k in 0..<UInt64(pages) {
            writePTE(index: first + k, (frame.rawValue + k) << 12 | 0x3)
        }
        if hidden { nextHiddenPage += UInt64(pages) } else { nextAperturePage += UInt64(pages) }
        return (GraphicsAddress(first << 12), frame)
    }

    // MARK: PPGTT

    /// A page-table entry write as the CPU does it: `mov [rdi + rcx*8], rsi` into guest RAM
    /// (traps as a write-protect request once the mediator shadows the table).
    func writePageTableEntry(table: GuestFrameNumber, index: UInt64, _ entry: UInt64) {
        execute(.writeqIndexed, base: table.rawValue << 12, index: index, value: entry)
    }

    /// Reads a page-table entry (plain load from RAM).
    func readPageTableEntry(table: GuestFrameNumber, index: UInt64) -> UInt64 {
        execute(.readqIndexed, base: table.rawValue << 12, index: index)
    }

    /// i915 `gen8_ppgtt_create` + `gen8_ppgtt_notify_vgt`: PML4, pdp[0], g2v L4 create.
    func createPPGTT() throws(GuestError) {
        pml4 = try allocateFrames(1)
        writel(PVInfo.pdp0Low, UInt32(truncatingIfNeeded: pml4.rawValue << 12))
        writel(PVInfo.pdp0High, UInt32(truncatingIfNeeded: pml4.rawValue >> 20))
        writelConstant(PVInfo.g2vNotify, PVInfo.g2vL4Create)
    }

    /// Maps guest frames (`frame`, `frame+1`, …) at PPGTT address `gma`, allocating tables.
    public func mapPPGTT(_ gma: GraphicsAddress, frame: GuestFrameNumber, pages: Int) throws(GuestError) {
        for k in 0..<UInt64(pages) {
            let address = gma.rawValue + (k << 12)
            var table = pml4
            for level in stride(from: 3, through: 1, by: -1) {
                let index = (address >> (12 + 9 * UInt64(level))) & 0x1FF
                var entry = readPageTableEntry(table: table, index: index)
                if entry & 1 == 0 {
                    entry = try allocateFrames(1).rawValue << 12 | 0x3
                    writePageTableEntry(table: table, index: index, entry)
                }
                table = GuestFrameNumber((entry >> 12) & 0xF_FFFF_FFFF)
            }
            writePageTableEntry(table: table, index: (address >> 12) & 0x1FF, (frame.rawValue + k) << 12 | 0x3)
        }
    }

    /// Allocates `pages` fresh frames at the next PPGTT addresses.
    public func allocatePPGTT(pages: Int) throws(GuestError) -> (gma: GraphicsAddress, frame: GuestFrameNumber) {
        let frame = try allocateFrames(pages)
        let gma = GraphicsAddress(nextPPGTT)
        try mapPPGTT(gma, frame: frame, pages: pages)
        nextPPGTT += UInt64(pages) << 12
        return (gma, frame)
    }

    // MARK: Interrupts

    /// Unmasks the GT and pipe A interrupts and enables the master (gen8_irq_postinstall).
    func enableInterrupts() {
        for bank in [InterruptBank.gt0, .gt1, .gt3] {
            writelConstant(UInt64(bank.imr.rawValue), 0)
            writelConstant(UInt64(bank.ier.rawValue), 0xFFFF_FFFF)
        }
        let pipeA = InterruptBank.dePipe(.a)
        writelConstant(UInt64(pipeA.imr.rawValue), ~UInt32(0x9))
        writelConstant(UInt64(pipeA.ier.rawValue), 0x9)
        writelConstant(UInt64(Reg.masterIRQ.rawValue), 1 << 31)
    }

    /// The interrupt handler (gen8_irq_handler): for each MSI taken, master off, read and
    /// clear every IIR, master on. Returns the number of MSIs handled.
    @discardableResult
    public func handleInterrupts() -> Int {
        let msis = engine.enter { engine.hypervisor.takeMSIs(id) }
        guard !msis.isEmpty else { return 0 }
        stats.interrupts += msis.count
        let master = readl(Reg.masterIRQ)
        writelConstant(UInt64(Reg.masterIRQ.rawValue), 0)
        for bank in [InterruptBank.gt0, .gt1, .gt3, .dePipe(.a)] where master & (bank.masterBits(pending: ~0)) != 0 {
            let iir = readl(bank.iir)
            if iir != 0 {
                writel(bank.iir, iir)
                if bank == .dePipe(.a) { stats.vblankInterrupts += 1 }
            }
        }
        writelConstant(UInt64(Reg.masterIRQ.rawValue), 1 << 31)
        return msis.count
    }
}

/// What a guest saw and did.
public struct GuestStats: Hashable, Sendable, Codable {
    public var deviceID: UInt32 = 0
    public var bar0Size: UInt64 = 0
    public var bar2Size: UInt64 = 0
    public var msiEnabled = false
    public var vgtID: UInt32 = 0
    public var interrupts = 0
    public var vblankInterrupts = 0
    public var submitted = 0
    public var completed = 0
    public var hangsDetected = 0
    public var gdrstResets = 0
    public var flips = 0
    public var vblankWaits = 0
    public var decodeErrors = 0
    public var attacks = 0
    public init() {}
}
