import GPUModel

/// A vGPU's state as another vGPU's input must leave it: its virtual registers, its guest
/// GGTT view (with pending half-written PTEs), its config space, a digest of its host GGTT
/// slice, its failsafe state, and the workloads it has in flight.
///
/// Taking one is cheap: registers, GGTT view and config space are copy-on-write copies
/// (comparing an unchanged copy is an identity check); only the host GGTT slice is read:
/// one scan for present entries, then each present entry. A copy is materialised only if the vGPU's state changes while the
/// fingerprint is held.
public struct VGPUFingerprint: Equatable, Sendable {
    /// The vGPU.
    public let id: VGPUID
    let registers: RegisterFile
    let ggttAperture: ChunkedArray<UInt64>
    let ggttHidden: ChunkedArray<UInt64>
    let ggttPartials: [Int: PartialPTE]
    let config: PCIConfigSpace
    /// FNV-1a over the present host GGTT entries (index and value) of the vGPU's two slices
    /// (entries without the present bit map nothing the hardware can reach).
    public let hostGGTTDigest: UInt64
    let failsafe: FailsafeReason?
    /// Ids of the vGPU's queued and executing workloads, per engine (0 separates engines).
    let activity: [UInt64]
}

extension IsolationOracle {
    /// The fingerprint of `vgpu` (host GGTT slice read from `gpu`).
    public static func fingerprint(of vgpu: VGPU, mediator: Mediator, gpu: GPU) -> VGPUFingerprint {
        var digest: UInt64 = 0xCBF2_9CE4_8422_2325
        for bytes in [vgpu.slices.aperture, vgpu.slices.hidden] {
            let lower = Int(min(bytes.lowerBound >> 12, UInt64(GGTT.entryCount)))
            let upper = Int(min(bytes.upperBound >> 12, UInt64(GGTT.entryCount)))
            for index in gpu.ggtt.presentIndices(in: lower..<max(lower, upper)) {
                digest = (digest ^ UInt64(index)) &* 0x0000_0100_0000_01B3
                digest = (digest ^ gpu.ggtt[index].rawValue) &* 0x0000_0100_0000_01B3
            }
        }
        var activity: [UInt64] = []
        for engine in EngineID.allCases {
            if let current = mediator.currentWorkloads[engine.index], current.vgpu == vgpu.id { activity.append(current.id) }
            activity += vgpu.workloadQueues[engine.index].map(\.id)
            activity.append(0)
        }
        return VGPUFingerprint(
            id: vgpu.id, registers: vgpu.vregs, ggttAperture: vgpu.ggtt.aperture, ggttHidden: vgpu.ggtt.hidden,
            ggttPartials: vgpu.ggtt.partials, config: vgpu.config, hostGGTTDigest: digest, failsafe: vgpu.failsafe,
            activity: activity)
    }

    /// Fingerprints of every existing vGPU, taken before an input is handed to the mediator.
    public func fingerprints(mediator: Mediator, gpu: GPU) -> [VGPUID: VGPUFingerprint] {
        var result: [VGPUID: VGPUFingerprint] = [:]
        for vgpu in mediator.vgpus.compactMap({ $0 }) { result[vgpu.id] = Self.fingerprint(of: vgpu, mediator: mediator, gpu: gpu) }
        return result
    }

    /// After an input of vGPU `x` (MMIO, config space, page-track write), the vGPUs other
    /// than `x` whose state the input changed, one finding per vGPU and part changed, in id
    /// order. A vGPU created or destroyed by the input is not compared.
    ///
    /// One exception keeps the check exact without knowing the scheduler: when vGPU Y's
    /// in-flight workloads changed during the input (x's ELSP write let the mediator
    /// dispatch Y's queued workload), the registers the virtual hardware updates on Y's
    /// behalf at a schedule-in or completion — each engine's CSB entries, CSB pointer and
    /// EXECLIST_STATUS, and the interrupt registers — may change; any other register, the
    /// GGTT view, config space, host GGTT slice and failsafe state still may not.
    public func checkAccess(by x: VGPUID, before: [VGPUID: VGPUFingerprint], mediator: Mediator,
                            gpu: GPU) -> [IsolationFinding] {
        var findings: [IsolationFinding] = []
        let response = mediator.vgpu(x)?.failsafe.map { "failsafe \($0.rawValue)" }
        for vgpu in mediator.vgpus.compactMap({ $0 }) where vgpu.id != x {
            guard let old = before[vgpu.id] else { continue }
            let new = Self.fingerprint(of: vgpu, mediator: mediator, gpu: gpu)
            guard new != old else { continue }
            func report(_ what: String, register: MMIOOffset? = nil) {
                findings.append(IsolationFinding(
                    kind: .crossVGPUState, responsible: x, victim: .vgpu(vgpu.id), register: register,
                    detail: "an input of \(x) changed \(vgpu.id)'s \(what)", response: response))
            }
            if new.registers != old.registers {
                let excused = new.activity != old.activity
                if let offset = Self.firstChangedRegister(old.registers, new.registers, excusingHardware: excused) {
                    report("virtual register \(offset) (\(hex(old.registers[offset])) -> \(hex(new.registers[offset])))",
                           register: offset)
                }
            }
            if new.ggttAperture != old.ggttAperture || new.ggttHidden != old.ggttHidden || new.ggttPartials != old.ggttPartials {
                report("guest GGTT view")
            }
            if new.config != old.config { report("PCI config space") }
            if new.hostGGTTDigest != old.hostGGTTDigest { report("host GGTT slice") }
            if new.failsafe != old.failsafe {
                report("failsafe state (\(old.failsafe?.rawValue ?? "none") -> \(new.failsafe?.rawValue ?? "none"))")
            }
        }
        return findings
    }

    /// The lowest register that differs, skipping the hardware-updated ones when excused.
    static func firstChangedRegister(_ a: RegisterFile, _ b: RegisterFile, excusingHardware: Bool) -> MMIOOffset? {
        var offset: UInt32 = 0
        while offset < RegisterCatalogue.mmioSize {
            let o = MMIOOffset(offset)
            if a[o] != b[o] && !(excusingHardware && isHardwareUpdated(o)) { return o }
            offset += 4
        }
        return nil
    }

    /// Registers the virtual hardware updates on a vGPU's behalf when its workload is
    /// scheduled in or completes (GVT: `emulate_csb_update`, `intel_vgpu_trigger_virtual_event`).
    static func isHardwareUpdated(_ offset: MMIOOffset) -> Bool {
        if offset.rawValue == 0x44200 || InterruptBank.locate(offset) != nil { return true }
        for engine in EngineID.allCases {
            if offset == .ring(.execlistStatusLo, engine) || offset == .ring(.execlistStatusHi, engine)
                || offset == .ring(.csbPointer, engine) { return true }
            let csb = MMIOOffset.ring(.csbBase, engine).rawValue
            if offset.rawValue >= csb && offset.rawValue < csb + UInt32(ContextStatusBuffer.entryCount * 8) { return true }
        }
        return false
    }
}
