import Foundation
import GPUModel
import Mediator

/// The debugger's display views: pipe and primary-plane state, host and per vGPU, and the
/// plane's image written as a PNG.
struct DisplayInspector {
    let replayer: Replayer

    var gpu: GPU { replayer.engine.gpu }
    var mediator: Mediator { replayer.engine.mediator }

    /// `display`: every pipe's PIPECONF and PIPESRC with its primary plane's registers.
    func state() -> String {
        var lines: [String] = []
        func describe(_ title: String, _ file: RegisterFile, flips: [UInt32]?) {
            lines.append("\(title):")
            for pipe in GPUModel.Pipe.allCases {
                let conf = file[Reg.pipeConf(pipe)], ctl = file[Reg.planeCtl(pipe, 1)]
                let src = file[Reg.pipeSrc(pipe)]
                let size = file[Reg.planeSize(pipe, 1)]
                var line = "  \(pipe): \(conf & DisplayEngine.pipeEnable != 0 ? "enabled" : "disabled") (PIPECONF \(hex(UInt64(conf), width: 8)))"
                    + " src \((src >> 16 & 0x1FFF) + 1)x\((src & 0xFFF) + 1)"
                    + "; plane 1 \(ctl & DisplayEngine.planeEnable != 0 ? "on" : "off") (PLANE_CTL \(hex(UInt64(ctl), width: 8)))"
                if ctl & DisplayEngine.planeEnable != 0 {
                    line += " surf \(hex(UInt64(file[Reg.planeSurf(pipe, 1)]), width: 8)) stride \((file[Reg.planeStride(pipe, 1)] & 0x3FF) * 64)"
                        + " size \((size & 0x1FFF) + 1)x\((size >> 16 & 0xFFF) + 1) offset \(hex(UInt64(file[Reg.planeOffset(pipe, 1)]), width: 8))"
                        + " frames \(file[Reg.pipeFrameCount(pipe)]) flips \(file[Reg.pipeFlipCount(pipe)])"
                }
                if let flips, flips[pipe.rawValue] != 0 { line += " (\(flips[pipe.rawValue]) flip(s) pending)" }
                lines.append(line)
            }
        }
        describe("host (vblanks processed \(gpu.display.vblanksProcessed))", gpu.registers, flips: nil)
        for vgpu in mediator.vgpus.compactMap({ $0 }) {
            describe("vgpu \(vgpu.id.rawValue) (monitor \(vgpu.display.hasMonitor(on: VirtualDisplay.monitorPort) ? "on port \(VirtualDisplay.monitorPort.letter)" : "none"))",
                     vgpu.vregs, flips: vgpu.display.pendingFlips)
        }
        return lines.joined(separator: "\n")
    }

    /// The primary plane's image on `pipe`: the vGPU's (decoded as GVT's fb_decoder does,
    /// through its guest GGTT) or the host's (through the host GGTT). The first enabled pipe
    /// when `pipe` is nil.
    func image(vgpu id: Int?, pipe: GPUModel.Pipe?) -> Result<(PlaneImage, GPUModel.Pipe), DebuggerError> {
        let pipes = pipe.map { [$0] } ?? GPUModel.Pipe.allCases
        if let id {
            guard let vgpu = mediator.vgpu(VGPUID(id)) else { return .failure(.init("no vgpu \(id) here")) }
            for p in pipes {
                let image = EngineInspector.quietly(replayer) {
                    mediator.guestPlaneImage(vgpu, pipe: p) { mediator.guestGGTTTranslate(vgpu, $0) }
                }
                if let image { return .success((image, p)) }
            }
            return .failure(.init("vgpu \(id) shows no linear XRGB8888 plane on \(pipe.map { "\($0)" } ?? "any pipe") here"))
        }
        for p in pipes {
            let image = EngineInspector.quietly(replayer) {
                gpu.display.planeImage(pipe: p, plane: 1, registers: gpu.registers) { gma, count in
                    var out: [UInt8] = []
                    var at = gma
                    while out.count < count {
                        let n = min(count - out.count, 4096 - Int(at.pageOffset))
                        guard case .success(let pa) = gpu.graphicsMemory.translate(at, in: .ggtt),
                              gpu.memory.contains(pa, count: n) else { return nil }
                        out += gpu.memory.read(pa, count: n)
                        at = at.advanced(by: UInt64(n))
                    }
                    return out
                }
            }
            if let image { return .success((image, p)) }
        }
        return .failure(.init("the host shows no linear XRGB8888 plane on \(pipe.map { "\($0)" } ?? "any pipe") here (try: display png PATH vgpu N)"))
    }

    /// `display png PATH [vgpu N] [pipe X]`: writes the plane's image to `path`.
    func writePNG(to path: String, vgpu id: Int?, pipe: GPUModel.Pipe?) -> Result<String, DebuggerError> {
        switch image(vgpu: id, pipe: pipe) {
        case .failure(let error): return .failure(error)
        case .success(let (image, p)):
            let png = PNGEncoder.encode(width: image.width, height: image.height, pixels: image.pixels)
            do { try Data(png).write(to: URL(fileURLWithPath: path)) } catch {
                return .failure(.init("cannot write \(path): \(error.localizedDescription)"))
            }
            return .success("wrote \(image.width)x\(image.height) image of \(id.map { "vgpu \($0)" } ?? "the host")'s \(p) plane 1 to \(path) (\(png.count) bytes)")
        }
    }
}
