import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// The MMIO context switch: GVT's Gen9 list, the pure planner and the executor.
@Suite struct MMIOContextSwitchTests {
    static let gfxModeBCS: MMIOOffset = 0x2229C
    static let hwstamBCS: MMIOOffset = 0x22098
    static let instpmRCS: MMIOOffset = 0x20C0

    // MARK: The list

    @Test func listMatchesGVTsGen9TableForApolloLake() {
        let list = MMIOContextSwitch.gen9List
        #expect(Set(list.map(\.offset)).count == list.count)
        #expect(list.allSatisfy { $0.mask == 0 || $0.mask == 0xFFFF })
        #expect(list.allSatisfy { RegisterCatalogue.gen9.info(at: $0.offset) != nil })
        #expect(MMIOContextSwitch.entries(for: .bcs).map(\.offset) == [0x2229C, 0x2209C, 0x220C0, 0x22098, 0x22028])
        #expect(MMIOContextSwitch.entries(for: .vecs) == [EngineMMIO(.vecs, 0x1A028, mask: 0xFFFF)])
        #expect(MMIOContextSwitch.entries(for: .vcs).isEmpty)
        let rcs = MMIOContextSwitch.entries(for: .rcs)
        #expect(rcs.count == 48 && rcs.filter(\.inContext).count == 16)
        #expect(rcs.first == EngineMMIO(.rcs, 0x229C, mask: 0xFFFF))
        // CSFE_CHICKEN1 is a masked register on the hardware (i915 writes it with
        // _MASKED_BIT_ENABLE), so the switch must write it with its enable bits.
        #expect(rcs.contains(EngineMMIO(.rcs, 0x20D4, mask: 0xFFFF)))
        #expect(!list.contains { $0.inContext && $0.mask == 0 })
    }

    @Test func mocsRegistersPerEngineAndMode() {
        #expect(MMIOContextSwitch.mocsRegisters(for: .rcs, mode: .gen9).isEmpty)
        let skl = MMIOContextSwitch.mocsRegisters(for: .rcs, mode: .skylake)
        #expect(skl.count == 96 && skl.first == 0xC800 && skl[64] == 0xB020 && skl.last == 0xB09C)
        for (engine, base) in [(EngineID.vcs, 0xC900), (.vecs, 0xCB00), (.bcs, 0xCC00)] as [(EngineID, UInt32)] {
            let regs = MMIOContextSwitch.mocsRegisters(for: engine, mode: .gen9)
            #expect(regs.count == 64 && regs.first == MMIOOffset(base) && regs.last == MMIOOffset(base + 63 * 4))
        }
    }

    // MARK: The planner

    static func vregs(_ values: [MMIOOffset: UInt32]) -> RegisterFile {
        var file = RegisterFile(catalogue: .gen9)
        for (offset, value) in values { file[offset] = value }
        return file
    }

    /// Host values: 0x1000_0000 + offset (distinct from any reset value).
    static func host(_ offset: MMIOOffset) -> UInt32 { 0x1000_0000 | offset.rawValue }

    @Test func maskedRegistersAreWrittenWithTheirMaskEnabled() {
        var guest = Self.vregs([Self.gfxModeBCS: 0x0008, Self.hwstamBCS: 0xFFFF_FFFE])
        for i in 0..<mocsEntryCount { guest[.mocs(.bcs, i)] = Self.host(.mocs(.bcs, i)) }
        let writes = MMIOContextSwitch.plan(engine: .bcs, from: nil as RegisterFile?, to: guest, hostValues: Self.host)
        #expect(writes.count == 5)  // no MOCS difference
        #expect(writes[0] == RegisterWrite(offset: Self.gfxModeBCS, old: Self.host(Self.gfxModeBCS), value: 0xFFFF_0008))
        #expect(writes.contains(RegisterWrite(offset: Self.hwstamBCS, old: Self.host(Self.hwstamBCS), value: 0xFFFF_FFFE)))
    }

    @Test func onlyDifferingMOCSAreWritten() {
        var a = RegisterFile(catalogue: .gen9), b = RegisterFile(catalogue: .gen9)
        for i in 0..<mocsEntryCount {
            a[.mocs(.vcs, i)] = 0x30
            b[.mocs(.vcs, i)] = 0x30
        }
        b[.mocs(.vcs, 3)] = 0x1234
        b[.mocs(.vcs, 63)] = 0x5
        let writes = MMIOContextSwitch.plan(engine: .vcs, from: a, to: b, hostValues: { _ in 0x30 })
        #expect(writes == [RegisterWrite(offset: .mocs(.vcs, 3), old: 0x30, value: 0x1234),
                           RegisterWrite(offset: .mocs(.vcs, 63), old: 0x30, value: 0x5)])
        // Back to the host: the same two registers get the host's values.
        let back = MMIOContextSwitch.plan(engine: .vcs, from: b, to: nil, hostValues: { _ in 0x30 })
        #expect(back == [RegisterWrite(offset: .mocs(.vcs, 3), old: 0x1234, value: 0x30),
                         RegisterWrite(offset: .mocs(.vcs, 63), old: 0x5, value: 0x30)])
        #expect(MMIOContextSwitch.plan(engine: .vcs, from: nil as RegisterFile?, to: nil, hostValues: Self.host).isEmpty)
    }

    @Test func renderMOCSAndL3CCAreContextSavedOnGen9ButSwitchedOnSkylake() {
        var guest = RegisterFile(catalogue: .gen9)
        guest[.mocs(.rcs, 0)] = 0xAA
        guest[.l3cc(5)] = 0xBB
        let gen9 = MMIOContextSwitch.plan(engine: .rcs, from: nil as RegisterFile?, to: guest, hostValues: { _ in 0 })
        #expect(!gen9.contains { $0.offset == .mocs(.rcs, 0) || $0.offset == .l3cc(5) })
        let skl = MMIOContextSwitch.plan(engine: .rcs, from: nil as RegisterFile?, to: guest, mode: .skylake,
                                         hostValues: { _ in 0 })
        #expect(skl.prefix(2) == [RegisterWrite(offset: .mocs(.rcs, 0), old: 0, value: 0xAA),
                                  RegisterWrite(offset: .l3cc(5), old: 0, value: 0xBB)])
    }

    @Test func inContextRegistersOnlyForARestoreInhibitedContextOnSkylake() {
        let guest = Self.vregs([Self.instpmRCS: 0x0040])
        func instpm(_ writes: [RegisterWrite]) -> RegisterWrite? { writes.first { $0.offset == Self.instpmRCS } }
        let gen9Inhibit = MMIOContextSwitch.plan(engine: .rcs, from: nil as RegisterFile?, to: guest, restoreInhibit: true,
                                                 hostValues: Self.host)
        #expect(instpm(gen9Inhibit) == nil)  // Gen9: LRIs at the workload's head instead
        #expect(gen9Inhibit.count == 48 - 16)
        let skl = MMIOContextSwitch.plan(engine: .rcs, from: nil as RegisterFile?, to: guest, mode: .skylake,
                                         hostValues: Self.host)
        #expect(instpm(skl) == nil)
        let sklInhibit = MMIOContextSwitch.plan(engine: .rcs, from: nil as RegisterFile?, to: guest, restoreInhibit: true,
                                                mode: .skylake, hostValues: Self.host)
        #expect(instpm(sklInhibit) == RegisterWrite(offset: Self.instpmRCS, old: Self.host(Self.instpmRCS), value: 0xFFFF_0040))
        let toHost = MMIOContextSwitch.plan(engine: .rcs, from: guest, to: nil, restoreInhibit: true, mode: .skylake,
                                            hostValues: Self.host)
        #expect(instpm(toHost) == nil)  // never written back to the host
    }

    @Test func inhibitContextRestoreListsInContextRegistersAndRenderMOCS() {
        let guest = Self.vregs([Self.instpmRCS: 0x0040, .mocs(.rcs, 1): 0x77, .l3cc(31): 0x99])
        let rcs = MMIOContextSwitch.inhibitContextRestore(engine: .rcs, vregs: guest)
        #expect(rcs.count == 16 + 64 + 32)
        #expect(rcs[0] == RegisterValue(offset: Self.instpmRCS, value: 0xFFFF_0040))
        #expect(rcs.contains(RegisterValue(offset: .mocs(.rcs, 1), value: 0x77)))
        #expect(rcs.last == RegisterValue(offset: .l3cc(31), value: 0x99))
        #expect(MMIOContextSwitch.inhibitContextRestore(engine: .bcs, vregs: guest).isEmpty)
    }

    // MARK: The executor

    @Test func switchWritesTheVGPUsValuesAndRestoresTheHost() throws {
        let f = MediatorFixture()
        let id = try f.makeVGPU()
        let vgpu = f.mediator.vgpu(id)!
        f.gpu.writeRegister(Self.hwstamBCS, 0x1111)
        let hostMode = f.gpu.readRegister(Self.gfxModeBCS)
        vgpu.vregs[Self.hwstamBCS] = 0x2222
        vgpu.vregs[Self.gfxModeBCS] = 0x0008
        f.log.clear()
        let writes = f.mediator.switchEngineMMIO(engine: .bcs, to: id)
        #expect(f.mediator.engineOwners[EngineID.bcs.index] == id)
        #expect(f.gpu.readRegister(Self.hwstamBCS) == 0x2222)
        #expect(f.gpu.readRegister(Self.gfxModeBCS) & 0xFFFF == 0x0008)
        #expect(writes.contains(RegisterWrite(offset: Self.hwstamBCS, old: 0x1111, value: 0x2222)))
        #expect(f.log.events == [.mmioContextSwitch(.bcs, from: nil, to: id, writes: writes)])
        // The guest's context changes the hardware; switching back saves it into the vregs.
        f.gpu.writeRegister(Self.hwstamBCS, 0x3333)
        let back = f.mediator.switchEngineMMIO(engine: .bcs, to: nil)
        #expect(vgpu.vregs[Self.hwstamBCS] == 0x3333)
        #expect(vgpu.vregs[Self.gfxModeBCS] & 0xFFFF_0000 == 0)  // saved with the mask bits cleared
        #expect(f.gpu.readRegister(Self.hwstamBCS) == 0x1111)
        #expect(f.gpu.readRegister(Self.gfxModeBCS) == hostMode)
        #expect(back.contains(RegisterWrite(offset: Self.hwstamBCS, old: 0x3333, value: 0x1111)))
        #expect(f.mediator.engineOwners[EngineID.bcs.index] == nil)
        // Same owner, or an unknown vGPU: nothing happens.
        f.log.clear()
        #expect(f.mediator.switchEngineMMIO(engine: .bcs, to: nil).isEmpty)
        #expect(f.mediator.switchEngineMMIO(engine: .bcs, to: 6).isEmpty)
        #expect(f.log.events.isEmpty && f.mediator.engineOwners[EngineID.bcs.index] == nil)
    }

    @Test func switchBetweenTwoVGPUsDiffsMOCSAgainstTheOutgoingOne() throws {
        let f = MediatorFixture()
        let a = try f.makeVGPU(), b = try f.makeVGPU()
        let va = f.mediator.vgpu(a)!, vb = f.mediator.vgpu(b)!
        va.vregs[.mocs(.vecs, 7)] = 0xA7
        f.mediator.switchEngineMMIO(engine: .vecs, to: a)
        #expect(f.gpu.readRegister(.mocs(.vecs, 7)) == 0xA7)
        let hostMOCS = f.mediator.hostMMIO.value(at: .mocs(.vecs, 7))
        #expect(f.mediator.hostMMIO.mocsLoaded)
        vb.vregs[.mocs(.vecs, 9)] = 0xB9
        let writes = f.mediator.switchEngineMMIO(engine: .vecs, to: b)
        let mocs = writes.filter { $0.offset != 0x1A028 }
        #expect(mocs == [RegisterWrite(offset: .mocs(.vecs, 7), old: 0xA7, value: vb.vregs[.mocs(.vecs, 7)]),
                         RegisterWrite(offset: .mocs(.vecs, 9), old: va.vregs[.mocs(.vecs, 9)], value: 0xB9)])
        f.mediator.switchEngineMMIO(engine: .vecs, to: nil)
        #expect(f.gpu.readRegister(.mocs(.vecs, 7)) == hostMOCS)
        #expect(f.gpu.readRegister(.mocs(.vecs, 9)) == f.mediator.hostMMIO.value(at: .mocs(.vecs, 9)))
    }

    @Test func pendingTLBInvalidationRunsOnceAtTheNextSwitchIn() throws {
        let f = MediatorFixture()
        let id = try f.makeVGPU()
        let vgpu = f.mediator.vgpu(id)!
        f.mediator.emulateMMIOWrite(id, offset: 0x426C, size: 4, value: 1)  // BCS TLB invalidate
        #expect(vgpu.pendingTLBInvalidate == .bcs)
        let rcs = f.mediator.switchEngineMMIO(engine: .rcs, to: id)
        #expect(!rcs.contains { $0.offset == 0x426C } && vgpu.pendingTLBInvalidate == .bcs)
        let first = f.mediator.switchEngineMMIO(engine: .bcs, to: id)
        #expect(first.last == RegisterWrite(offset: 0x426C, old: 0, value: 1))
        #expect(vgpu.pendingTLBInvalidate.isEmpty && vgpu.vregs[0x426C] == 0)
        f.mediator.switchEngineMMIO(engine: .bcs, to: nil)
        let second = f.mediator.switchEngineMMIO(engine: .bcs, to: id)
        #expect(!second.contains { $0.offset == 0x426C })
    }
}
