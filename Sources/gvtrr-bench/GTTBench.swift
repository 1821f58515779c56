import Foundation
import GPUModel
import Hypervisor
import Mediator

// GGTT and PPGTT entry-update rates of the mediator (release build only):
//   swift run -c release gvtrr-bench gtt
// Call `runGTTBench()` from main.swift when the arguments contain "gtt".

/// Rates of GGTT PTE writes (8-byte, and 4-byte pairs), trapped PPGTT PTE writes, and shadow
/// PPGTT builds, for one V5_4 vGPU with 64 MiB of guest memory and no observer.
func gttBench(ggttWrites: Int = 2_000_000, ppgttWrites: Int = 1_000_000, builds: Int = 20)
    -> [(name: String, count: Int, seconds: Double)]
{
    let gpu = GPU()
    let hypervisor = try! Hypervisor(gpu: gpu)  // the real MPT port
    let mediator = Mediator(host: gpu, mpt: hypervisor, clock: ManualClock())
    let id = try! mediator.createVGPU(type: .v5_4)
    let guestPages = 16_384
    _ = try! hypervisor.createVM(vgpu: id, ramPages: guestPages)
    let vgpu = mediator.vgpu(id)!
    var results: [(String, Int, Double)] = []

    // GGTT: 8-byte PTE writes over the aperture slice (32768 entries), then 4-byte halves.
    let first = vgpu.slices.aperture.lowerBound >> 12
    let entries = UInt64(vgpu.slices.aperture.count >> 12)
    results.append(("GGTT PTE writes (8-byte)", ggttWrites, measure {
        for k in 0..<UInt64(ggttWrites) {
            let index = first + k % entries
            mediator.emulateMMIOWrite(id, offset: BARLayout.ggttOffset + index * 8, size: 8,
                                      value: (k % UInt64(guestPages)) << 12 | 3)
        }
    }))
    results.append(("GGTT PTE writes (2 x 4-byte)", ggttWrites / 2, measure {
        for k in 0..<UInt64(ggttWrites / 2) {
            let offset = BARLayout.ggttOffset + (first + k % entries) * 8
            mediator.emulateMMIOWrite(id, offset: offset, size: 4, value: (k % UInt64(guestPages)) << 12 | 3)
            mediator.emulateMMIOWrite(id, offset: offset + 4, size: 4, value: 0)
        }
    }))

    // PPGTT: a 4-level guest tree with 64 page tables x 512 PTEs (128 MiB mapped).
    let pml4: UInt64 = 1, pdp: UInt64 = 2, pd: UInt64 = 3, firstPT: UInt64 = 4
    func entry(_ gfn: UInt64) -> UInt64 { gfn << 12 | 3 }
    writeGuest64(hypervisor, id, GuestPhysicalAddress(frame: GuestFrameNumber(pml4)), entry(pdp))
    writeGuest64(hypervisor, id, GuestPhysicalAddress(frame: GuestFrameNumber(pdp)), entry(pd))
    for t in 0..<UInt64(64) {
        writeGuest64(hypervisor, id, GuestPhysicalAddress(frame: GuestFrameNumber(pd), offset: t * 8), entry(firstPT + t))
        for i in 0..<UInt64(512) {
            writeGuest64(hypervisor, id, GuestPhysicalAddress(frame: GuestFrameNumber(firstPT + t), offset: i * 8),
                                    entry(128 + (t * 512 + i) % UInt64(guestPages - 128)))
        }
    }
    let root = GuestPPGTTRoot.fourLevel(pml4: GuestFrameNumber(pml4).address)
    results.append(("PPGTT shadow build (PTEs shadowed)", builds * 64 * 512, measure {
        for _ in 0..<builds {
            let handle = mediator.findOrCreatePPGTT(vgpu, root: root)!
            mediator.releasePPGTT(vgpu, handle)
        }
    }))
    let handle = mediator.findOrCreatePPGTT(vgpu, root: root)!
    results.append(("PPGTT trapped PTE writes (8-byte)", ppgttWrites, measure {
        for k in 0..<UInt64(ppgttWrites) {
            let table = firstPT + k % 64, index = (k / 64) % 512
            let value = entry(128 + k % UInt64(guestPages - 128))
            _ = mediator.handlePageTrackWrite(id, address: GuestPhysicalAddress(frame: GuestFrameNumber(table), offset: index * 8),
                                              bytes: withUnsafeBytes(of: value.littleEndian) { Array($0) })
        }
    }))
    let pairs = ppgttWrites / 4
    results.append(("PPGTT trapped 4-byte pairs + flush", pairs, measure {
        for k in 0..<UInt64(pairs) {
            let address = GuestPhysicalAddress(frame: GuestFrameNumber(firstPT + k % 64), offset: ((k / 64) % 512) * 8)
            let value = entry(128 + k % UInt64(guestPages - 128))
            _ = mediator.handlePageTrackWrite(id, address: address, bytes: withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { Array($0) })
            _ = mediator.handlePageTrackWrite(id, address: address.advanced(by: 4), bytes: [0, 0, 0, 0])
            if k % 64 == 63 { mediator.flushPostShadow(vgpu) }
        }
        mediator.flushPostShadow(vgpu)
    }))
    mediator.releasePPGTT(vgpu, handle)
    return results
}

/// Prints the GTT figures.
func runGTTBench() {
    print("gvtrr-bench gtt (release build, one core)")
    _ = gttBench(ggttWrites: 20_000, ppgttWrites: 20_000, builds: 1)  // warm-up
    for (name, count, seconds) in gttBench() {
        print(pad(name, 40) + String(format: "%.2f M/s (%d in %.3f s)", Double(count) / seconds / 1e6, count, seconds))
    }
}

/// Writes a little-endian qword of guest memory directly (the guest CPU, no trap).
func writeGuest64(_ hypervisor: Hypervisor, _ vgpu: VGPUID, _ address: GuestPhysicalAddress, _ value: UInt64) {
    _ = hypervisor.writeGuest(vgpu, address, bytes: withUnsafeBytes(of: value.littleEndian) { Array($0) })
}
