import GPUModel
import Testing
import TestSupport
@testable import Mediator

/// Register audits, graphics-address audits, index mode, rejected commands, interrupts, flips.
@Suite struct CommandScannerHandlersTests {
    // MARK: Registers

    @Test func lriToAPrivilegedRegisterIsABadRequest() throws {
        let p = try ParserFixture()
        for register in [MMIOOffset.ring(.tail, .rcs), Reg.derrmr, MMIOOffset.ring(.elsp, .rcs)] {
            let ring = Enc.loadRegisterImmediate([(MMIOOffset.csGPR(.rcs, 0), 1), (register, 0)])
            let failure = try #require(p.scan(ring).verdict.failure)
            #expect(failure.reason == .registerNotCommandAccessible, "\(register)")
            #expect(failure.errorClass == .badRequestCode)
            #expect(failure.command == "MI_LOAD_REGISTER_IMM")
        }
        let beyond = p.scan([0x1100_0001, 0x20_0000, 0])
        #expect(beyond.verdict.failure?.reason == .registerOutOfRange)
        #expect(beyond.verdict.failure?.errorClass == .fault)
    }

    @Test func lriToCommandAccessibleRegistersPassesUnchanged() throws {
        let p = try ParserFixture()
        let ring = Enc.loadRegisterImmediate([(MMIOOffset.csGPR(.rcs, 2), 7), (MMIOOffset.ring(.miMode, .rcs), 0x1_0001)])
        let result = p.scan(ring)
        #expect(result.verdict == .ok)
        #expect(Array(result.shadowRing.prefix(ring.count)) == ring)
        #expect(p.vgpu.vregs[MMIOOffset.csGPR(.rcs, 2)] == 0)  // an LRI does not write vregs
    }

    @Test func lriLengthsOutsideGVTsRangeFault() throws {
        let p = try ParserFixture()
        var lri: [UInt32] = [0x1100_0000 | 0xFF]
        for _ in 0..<128 { lri += [MMIOOffset.csGPR(.rcs, 0).rawValue, 0] }
        lri.append(0)
        #expect(p.scan(lri).verdict.failure?.reason == .invalidLength)
    }

    @Test func lriRedirectsDERRMRAndForcewakeToPVInfo() throws {
        let p = try ParserFixture()
        // On GVT's table neither register is command accessible, so the redirect is reached
        // only for a row that is; exercise it with one.
        var scanner = CommandScanner(mediator: p.mediator, vgpu: p.vgpu, request: p.request(Enc.noop))
        let info = MMIOInfo(Reg.derrmr, flags: [.commandAccess])
        for register in [Reg.derrmr.rawValue, 0xA188] {
            var dwords: [UInt32] = [0x1100_0001, register, 0xFFFF_FFFF]
            let ok = scanner.loadRegister(register, info, .init(start: 0, length: 3), &dwords, valueIndex: 2)
            #expect(ok)
            #expect(dwords == [0x1100_0001, 0x78000, 0xFFFF_FFFF])
        }
    }

    @Test func lriToMOCSUpdatesTheVirtualRegister() throws {
        let p = try ParserFixture()
        let mocs = MMIOOffset.mocs(.rcs, 3)
        #expect(p.scan(Enc.loadRegisterImmediate([(mocs, 0x3B)])).verdict == .ok)
        #expect(p.vgpu.vregs[mocs] == 0x3B)
    }

    @Test func gfxModePrivilegeBitIsStrippedUnderCurrent() throws {
        let p = try ParserFixture()
        let mode = MMIOOffset.ring(.mode, .rcs)
        let before = p.vgpu.vregs[mode]
        let result = p.scan(Enc.loadRegisterImmediate([(mode, 0x0001_0001)]))
        #expect(result.verdict == .ok)
        #expect(result.shadowRing[2] & 0x0001_0001 == 0)  // the command carries no privilege-disable
        #expect(p.vgpu.vregs[mode] == before)  // only the command is patched
        #expect(p.vgpu.failsafe == .unsupportedGuest)
    }

    @Test func gfxModePrivilegeBitPassesUnderGVT2018() throws {
        let p = try ParserFixture(configuration: MediatorConfiguration(revision: .gvt2018))
        let mode = MMIOOffset.ring(.mode, .rcs)
        let result = p.scan(Enc.loadRegisterImmediate([(mode, 0x0001_0001)]))
        #expect(result.verdict == .ok)
        #expect(result.shadowRing[2] == 0x0001_0001)
        #expect(p.vgpu.failsafe == nil)
    }

    @Test func forceToNonPrivTargetsOutsideTheWhitelistArePatchedAway() throws {
        let p = try ParserFixture()
        let slot = MMIOOffset.forceToNonPriv(.rcs, 0)
        let allowed = p.scan(Enc.loadRegisterImmediate([(slot, 0x2248)]))
        #expect(allowed.shadowRing[2] == 0x2248)
        let hostile = p.scan(Enc.loadRegisterImmediate([(slot, Reg.derrmr.rawValue)]))
        #expect(hostile.verdict == .ok)
        #expect(hostile.shadowRing[2] == p.vgpu.vregs[slot])  // the old (whitelisted or 0) target
        #expect(hostile.shadowRing[2] != Reg.derrmr.rawValue)
    }

    @Test func srmAndLrmOnlyReachGVTsTwoRegisters() throws {
        let p = try ParserFixture()
        let buffer = p.aperture(page: 20)
        #expect(p.scan(Enc.storeRegisterMemory(MMIOOffset(0xB118), to: buffer, ggtt: true)).verdict == .ok)
        let srm = try #require(p.scan(Enc.storeRegisterMemory(.csGPR(.rcs, 0), to: buffer, ggtt: true)).verdict.failure)
        #expect(srm.reason == .registerAccessNotAllowed && srm.errorClass == .permission)
        let lrm = p.scan(Enc.loadRegisterMemory(.ring(.tail, .rcs), from: buffer, ggtt: true)).verdict.failure
        #expect(lrm?.reason == .registerNotCommandAccessible)
        let lrr = p.scan(Enc.loadRegisterRegister(from: .csGPR(.rcs, 0), to: .csGPR(.rcs, 1))).verdict.failure
        #expect(lrr?.reason == .registerAccessNotAllowed && lrr?.errorClass == .permission)
        // The memory operand of a GGTT SRM is audited too.
        let foreign = p.scan(Enc.storeRegisterMemory(MMIOOffset(0xB118), to: 0x1000, ggtt: true)).verdict.failure
        #expect(foreign?.reason == .addressOutOfRange)
    }

    // MARK: Graphics addresses

    @Test func storesToAnotherVGPUsRangeAreFaults() throws {
        let p = try ParserFixture()
        let other = try #require(p.mediator.vgpu(try p.fixture.makeVGPU()))
        let victim = GraphicsAddress(other.slices.aperture.lowerBound + 0x100)
        let failure = try #require(p.scan(Enc.storeDataImmediate(victim, 0xDEAD, ggtt: true)).verdict.failure)
        #expect(failure.reason == .addressOutOfRange && failure.errorClass == .fault)
        #expect(failure.command == "MI_STORE_DATA_IMM")
        #expect(p.scan(Enc.storeDataImmediate(p.aperture(page: 30), 1, ggtt: true)).verdict == .ok)
        // Without the GGTT bit the address is the context's PPGTT: not audited.
        #expect(p.scan(Enc.storeDataImmediate(victim, 1)).verdict == .ok)
        // MI_ATOMIC, PIPE_CONTROL and MI_FLUSH_DW GGTT writes are audited the same way.
        let atomic: [UInt32] = [0x1780_0001 | 1 << 22, UInt32(victim.rawValue), 0]
        #expect(p.scan(atomic + [0]).verdict.failure?.reason == .addressOutOfRange)
        #expect(p.scan(Enc.pipeControl(store: 1, at: victim, ggtt: true)).verdict.failure?.reason == .addressOutOfRange)
        let flush = p.scan(Enc.flushDW(store: 1, at: victim, ggtt: true), engine: .bcs)
        #expect(flush.verdict.failure?.reason == .addressOutOfRange)
    }

    @Test func sdiLengthsAreChecked() throws {
        let p = try ParserFixture()
        let bad: [UInt32] = [0x1000_0003 | 1 << 22, UInt32(p.aperture(page: 30).rawValue), 0, 1, 2]  // 5 dwords, no qword bit
        #expect(p.scan(bad + [0]).verdict.failure?.reason == .invalidLength)
        #expect(p.scan(Enc.storeDataImmediate64(p.aperture(page: 30), 1, ggtt: true) + [0]).verdict == .ok)
    }

    @Test func rangesStraddlingApertureAndHiddenAreRejectedOnlyUnderCurrent() throws {
        for revision in MediatorRevision.allCases {
            let type = VGPUType.v5_4
            let configuration = MediatorConfiguration(
                revision: revision, hostLowGMSize: (1 << 30) - type.lowGMSize, hostHighGMSize: 0)
            let p = try ParserFixture(configuration: configuration, type: type, mappedPages: 1)
            #expect(p.vgpu.slices.aperture.upperBound == p.vgpu.slices.hidden.lowerBound)
            let straddle = GraphicsAddress(p.vgpu.slices.aperture.upperBound - 4)
            let result = p.scan(Enc.storeDataImmediate64(straddle, 0, ggtt: true) + [0])
            if revision == .current {
                #expect(result.verdict.failure?.reason == .addressOutOfRange)
            } else {
                #expect(result.verdict == .ok)
            }
        }
    }

    @Test func operationsLargerThan36MiBFault() throws {
        let p = try ParserFixture()
        var scanner = CommandScanner(mediator: p.mediator, vgpu: p.vgpu, request: p.request(Enc.noop))
        let passed = scanner.auditAddress(p.aperture(page: 0), size: (36 << 20) + 1)
        #expect(!passed)
        #expect(scanner.failure?.reason == .operationTooLarge)
    }

    // MARK: Index mode

    @Test func indexModeStoresArePatchedIntoTheVGPUsOwnStatusPageUnderCurrent() throws {
        for revision in MediatorRevision.allCases {
            let p = try ParserFixture(configuration: MediatorConfiguration(revision: revision))
            let hws = p.aperture(page: 40)
            p.mediator.emulateMMIOWrite(p.id, offset: UInt64(MMIOOffset.ring(.hwsPGA, .bcs).rawValue), size: 4,
                                        value: hws.rawValue)
            p.mediator.emulateMMIOWrite(p.id, offset: UInt64(MMIOOffset.ring(.hwsPGA, .rcs).rawValue), size: 4,
                                        value: hws.rawValue)
            #expect(p.vgpu.hwsPGA[EngineID.bcs.index] == hws)
            var flush = Enc.flushDW(store: 5, at: 0x40, ggtt: true)
            flush[0] |= 1 << 21
            let f = p.scan(flush, engine: .bcs)
            var pc = Enc.pipeControl(store: 5, at: 0x48, ggtt: true, storeIndex: true)
            pc[3] = 0
            let c = p.scan(pc)
            #expect(f.verdict == .ok && c.verdict == .ok)
            if revision == .current {
                #expect(f.shadowRing[1] == UInt32(hws.rawValue) + 0x40 && f.shadowRing[0] & 1 << 21 == 0)
                #expect(c.shadowRing[2] == UInt32(hws.rawValue) + 0x48 && c.shadowRing[1] & 1 << 21 == 0)
            } else {
                #expect(f.shadowRing[0 ..< 4] == flush[0 ..< 4])
                #expect(c.shadowRing[0 ..< 6] == pc[0 ..< 6])
            }
            var far = Enc.flushDW(store: 5, at: 0x1000, ggtt: true)
            far[0] |= 1 << 21
            #expect(p.scan(far, engine: .bcs).verdict.failure?.reason == .indexOutOfRange)
        }
    }

    // MARK: Rejected commands

    @Test func rejectedCommandsAreBadRequests() throws {
        let p = try ParserFixture()
        let gma = p.aperture(page: 30)
        let commands: [(EngineID, [UInt32])] = [
            (.rcs, Enc.semaphoreWait(gma, data: 0, ggtt: true)),
            (.rcs, Enc.storeDataIndex(offset: 0x40, 1) + [0]),
            (.rcs, [0x1180_0000, 0]),  // MI_UPDATE_GTT
            (.rcs, [0x1380_0001, UInt32(gma.rawValue), 0, 0]),  // MI_CLFLUSH
            (.rcs, [0x1400_0002, UInt32(gma.rawValue), 0, 0]),  // MI_REPORT_PERF_COUNT
            (.rcs, Enc.conditionalBatchEnd(gma, data: 0)),
            (.bcs, [0x1700_0003, 0, 0, 0, 0, 0]),  // opcode 0x2E
        ]
        for (engine, ring) in commands {
            let failure = try #require(p.scan(ring, engine: engine).verdict.failure)
            #expect(failure.reason == .rejectedCommand, "\(hex(ring[0]))")
            #expect(failure.errorClass.entersFailsafe)
        }
        #expect(p.scan(Enc.semaphoreWait(gma, data: 0)).verdict.failure?.reason == .rejectedCommand)
    }

    // MARK: Interrupts, waits, flips

    @Test func userInterruptsAreNoopedAndHarvestedOnce() throws {
        let p = try ParserFixture()
        let result = p.scan(Enc.userInterrupt + Enc.arbCheck + Enc.userInterrupt + Enc.flushDW(notify: true), engine: .vcs)
        #expect(result.verdict == .ok)
        #expect(result.shadowRing[0] == 0 && result.shadowRing[2] == 0 && result.shadowRing[1] == Enc.arbCheck[0])
        #expect(result.pendingEvents == [.userInterrupt(.vcs), .flushNotify(.vcs)])
    }

    @Test func waitsOnFlipPendingAreNooped() throws {
        let p = try ParserFixture()
        let result = p.scan([0x0180_0000 | 1 << 9, 0x0180_0000 | 1 << 3])
        #expect(result.shadowRing == [0, 0x0180_0000 | 1 << 3])
    }

    @Test func displayFlipsAreDecodedAndNooped() throws {
        let p = try ParserFixture()
        let flip: [UInt32] = [0x0A00_0001 | 1 << 8, 0x40 << 6 | 1, 0x0012_3000 | 1]
        let result = p.scan(flip + [0])
        #expect(result.verdict == .ok)
        #expect(result.shadowRing == [0, 0, 0, 0])
        #expect(result.displayFlips == [DisplayFlip(pipe: .b, plane: 1, surface: 0x0012_3000, stride: 0x40, tiling: 1,
                                                    async: true)])
        let sprite = p.scan([0x0A00_0001 | 6 << 8, 0, 0x0045_6000] + [0])
        #expect(sprite.displayFlips.first?.pipe == .c && sprite.displayFlips.first?.plane == 2)
        #expect(p.scan([0x0A00_0001 | 3 << 8, 0, 0, 0]).verdict.failure?.reason == .unknownFlipPlane)
        #expect(p.scan([0x0A00_0002 | 1 << 8, 0, 0, 0]).verdict.failure?.reason == .invalidLength)
        #expect(p.scan(flip + [0], engine: .vcs).verdict.failure?.reason == .unknownCommand)
    }

    @Test func pdpLoadsNeedAnExistingShadowPPGTT() throws {
        let p = try ParserFixture()
        let root = GuestPPGTTRoot.fourLevel(pml4: GuestPhysicalAddress(200 << 12))
        let lri = Enc.loadRegisterImmediate([(.ring(.pdp0UDW, .rcs), 0), (.ring(.pdp0LDW, .rcs), 200 << 12)])
        let missing = try #require(p.scan(lri, ppgttRoot: root).verdict.failure)
        #expect(missing.reason == .unknownPPGTTRoot && missing.errorClass == .invalid)
        let handle = try #require(p.mediator.findOrCreatePPGTT(p.vgpu, root: root))
        let result = p.scan(lri, ppgttRoot: root)
        #expect(result.verdict == .ok)
        #expect(result.loadedPPGTTs == [handle])
        guard case .fourLevel(let shadow) = p.mediator.shadowRoot(handle) else { Issue.record("not 4-level"); return }
        #expect(result.shadowRing[4] == UInt32(truncatingIfNeeded: shadow.rawValue))
        #expect(result.shadowRing[2] == UInt32(truncatingIfNeeded: shadow.rawValue >> 32))
    }
}
