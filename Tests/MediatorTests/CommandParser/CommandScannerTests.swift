import GPUModel
import Testing
import TestSupport
@testable import Mediator

typealias Enc = CommandEncoder

/// The scan: ring bounds, batch buffers (shadowing, chains, levels, PPGTT), limits, truncation.
@Suite struct CommandScannerTests {
    @Test func aCleanRingPassesAndIsCopiedUnchanged() throws {
        let p = try ParserFixture()
        let ring = Enc.arbCheck + Enc.pipeControl() + Enc.noop
        let result = p.scan(ring)
        #expect(result.verdict == .ok)
        #expect(result.shadowRing == ring)
        #expect(result.commands == 3)
        #expect(result.dwords == 8)
        #expect(result.batches.isEmpty)
    }

    @Test func unknownOpcodesAreBadRequests() throws {
        let p = try ParserFixture()
        // MI_FORCE_WAKEUP (genxml, not GVT), a reserved command type, PIPE_CONTROL on VCS.
        for (ring, engine) in [([0x0E80_0000, 0], EngineID.rcs), ([0x2000_0000, 0], .rcs), (Enc.pipeControl(), .vcs)] {
            let failure = try #require(p.scan(ring, engine: engine).verdict.failure)
            #expect(failure.reason == .unknownCommand)
            #expect(failure.errorClass == .badRequestCode)
            #expect(failure.header == ring[0])
            #expect(failure.address == p.ringStart)
            #expect(failure.buffer == .ring && failure.engine == engine)
        }
    }

    @Test func failureAddressesFollowTheRingWrap() throws {
        let p = try ParserFixture()
        let request = p.request(Enc.noop + Enc.noop + [0x2000_0000, 0], head: p.ringSize - 8)
        let failure = try #require(p.mediator.scanWorkload(p.vgpu, request).verdict.failure)
        #expect(failure.address == p.ringStart)  // dword 2 wrapped to the ring's start
    }

    @Test func commandsRunningPastTailAreTruncated() throws {
        let p = try ParserFixture()
        let failure = try #require(p.scan([0x7A00_0004, 0x0010_0000]).verdict.failure)
        #expect(failure.reason == .truncatedCommand && failure.errorClass == .fault)
        #expect(failure.command == "PIPE_CONTROL")
    }

    @Test func malformedRequestsAndForeignRingsAreInvalid() throws {
        let p = try ParserFixture()
        var request = p.request(Enc.arbCheck + Enc.noop)
        request.tail = 16  // the copy has 2 dwords
        #expect(p.mediator.scanWorkload(p.vgpu, request).verdict.failure?.reason == .malformedRequest)
        var foreign = p.request(Enc.arbCheck + Enc.noop)
        foreign.ringStart = 0  // the host's graphics memory
        let failure = try #require(p.mediator.scanWorkload(p.vgpu, foreign).verdict.failure)
        #expect(failure.reason == .ringOutOfRange && failure.errorClass == .invalid)
    }

    @Test func batchEndInTheRingIsAFault() throws {
        let p = try ParserFixture()
        #expect(p.scan(Enc.batchEnd).verdict.failure?.reason == .instructionPointerOutOfRing)
    }

    @Test func aGGTTBatchIsCopiedScannedAndListedForRetargeting() throws {
        let p = try ParserFixture()
        let batch = p.aperture(page: 8)
        p.write(Enc.arbCheck + Enc.userInterrupt + Enc.batchEnd, at: batch)
        let result = p.scan(Enc.arbCheck + Enc.batchStart(batch, ppgtt: false))
        #expect(result.verdict == .ok)
        #expect(result.batches.count == 1)
        let shadow = result.batches[0]
        #expect(shadow.guestAddress == batch && shadow.level == .first && shadow.addressSpace == .ggtt)
        #expect(shadow.dwords == [0x0280_0000, 0, 0x0500_0000])  // user interrupt NOOP-ed
        #expect(shadow.startedFrom == .ring && shadow.pageOffset == 0)
        #expect(result.batchStarts == [BatchStartPatch(buffer: .ring, dword: 2, batch: 0, pageOffset: 0, retarget: true)])
        #expect(result.pendingEvents == [.userInterrupt(.rcs)])
    }

    @Test func chainedBatchesAreFollowedAndReturnToTheRing() throws {
        let p = try ParserFixture()
        let a = p.aperture(page: 8), b = p.aperture(page: 9, offset: 0x40)
        p.write(Enc.arbCheck + Enc.batchStart(b, ppgtt: false), at: a)
        p.write(Enc.userInterrupt + Enc.batchEnd, at: b)
        let result = p.scan(Enc.batchStart(a, ppgtt: false) + Enc.pipeControl(notify: true))
        #expect(result.verdict == .ok)
        #expect(result.batches.map(\.guestAddress) == [a, b])
        #expect(result.batches.map(\.level) == [.first, .first])
        #expect(result.batches[1].startedFrom == .batch(0))
        #expect(result.batchStarts.map(\.dword) == [1, 2])
        #expect(result.batchStarts[1].buffer == .batch(0))
        // The ring continued after the batch: the PIPE_CONTROL notify was seen.
        #expect(result.pendingEvents == [.userInterrupt(.rcs), .pipeControlNotify])
    }

    @Test func secondLevelBatchesReturnToTheirParent() throws {
        let p = try ParserFixture()
        let a = p.aperture(page: 8), c = p.aperture(page: 10)
        p.write(Enc.batchStart(c, ppgtt: false, secondLevel: true) + Enc.userInterrupt + Enc.batchEnd, at: a)
        p.write(Enc.arbCheck + Enc.batchEnd, at: c)
        let result = p.scan(Enc.batchStart(a, ppgtt: false))
        #expect(result.verdict == .ok)
        #expect(result.batches.map(\.level) == [.first, .second])
        #expect(result.batches[0].dwords.count == 5)  // the walk did not stop at the 2nd-level start
        #expect(result.pendingEvents == [.userInterrupt(.rcs)])
    }

    @Test func secondLevelStartFromTheRingIsAFault() throws {
        let p = try ParserFixture()
        let a = p.aperture(page: 8)
        p.write(Enc.batchEnd, at: a)
        let failure = try #require(p.scan(Enc.batchStart(a, ppgtt: false, secondLevel: true)).verdict.failure)
        #expect(failure.reason == .secondLevelFromRing && failure.errorClass == .fault)
    }

    @Test func batchStartInsideASecondLevelBatchIsAFault() throws {
        let p = try ParserFixture()
        let a = p.aperture(page: 8), c = p.aperture(page: 10), d = p.aperture(page: 11)
        p.write(Enc.batchStart(c, ppgtt: false, secondLevel: true) + Enc.batchEnd, at: a)
        p.write(Enc.batchStart(d, ppgtt: false) + Enc.batchEnd, at: c)
        p.write(Enc.batchEnd, at: d)
        let failure = try #require(p.scan(Enc.batchStart(a, ppgtt: false)).verdict.failure)
        #expect(failure.reason == .batchStartInSecondLevel && failure.errorClass == .fault)
        #expect(failure.buffer == .secondLevelBatch && failure.address == c)
    }

    @Test func theShadowKeepsWhatWasScannedWhenTheGuestChangesTheBatch() throws {
        let p = try ParserFixture()
        let a = p.aperture(page: 8)
        p.write(Enc.arbCheck + Enc.batchEnd, at: a)
        let result = p.scan(Enc.batchStart(a, ppgtt: false))
        #expect(result.verdict == .ok)
        // The guest rewrites the batch after the scan (TOCTOU attempt).
        p.write(Enc.storeDataIndex(offset: 0, 1) + Enc.batchEnd, at: a)
        #expect(result.batches[0].dwords == Enc.arbCheck + Enc.batchEnd)
        // A new scan of the changed batch is refused.
        #expect(p.scan(Enc.batchStart(a, ppgtt: false)).verdict.failure?.reason == .rejectedCommand)
    }

    @Test func batchesRunningIntoUnmappedMemoryFault() throws {
        let p = try ParserFixture(mappedPages: 10)
        let last = p.aperture(page: 9, offset: 4096 - 8)
        p.write(Enc.arbCheck + Enc.arbCheck, at: last)  // no end before the unmapped page
        let failure = try #require(p.scan(Enc.batchStart(last, ppgtt: false)).verdict.failure)
        #expect(failure.reason == .unmappedGuestMemory && failure.errorClass == .fault)
        #expect(failure.address == p.aperture(page: 10))
        // A batch in another vGPU's (unmapped for us) space faults at once.
        #expect(p.scan(Enc.batchStart(0x1000, ppgtt: false)).verdict.failure?.reason == .unmappedGuestMemory)
    }

    @Test func batchesWithoutAnEndAreBounded() throws {
        let p = try ParserFixture()
        // Mapped guest memory is zero: MI_NOOPs forever.
        let limits = ScanLimits(maxBatchBytes: 16 << 10)
        let failure = try #require(p.scan(Enc.batchStart(p.aperture(page: 8), ppgtt: false), limits: limits).verdict.failure)
        #expect(failure.reason == .resourceLimit && failure.errorClass == .outOfMemory)
        #expect(failure.errorClass.entersFailsafe == false)
    }

    @Test func hugeLengthsAreBoundedToo() throws {
        let p = try ParserFixture()
        let a = p.aperture(page: 8)
        p.write([0x7800_03FF], at: a)  // a 3D command claiming 1025 dwords... of MI_NOOP memory
        let limits = ScanLimits(maxBatchBytes: 2048)
        #expect(p.scan(Enc.batchStart(a, ppgtt: false), limits: limits).verdict.failure?.reason == .unknownCommand)
        p.write([0x7A00_00FF], at: a)  // PIPE_CONTROL of 257 dwords runs past the limit
        #expect(p.scan(Enc.batchStart(a, ppgtt: false), limits: limits).verdict.failure?.reason == .resourceLimit)
    }

    @Test func chainLoopsAreBounded() throws {
        let p = try ParserFixture()
        let a = p.aperture(page: 8)
        p.write(Enc.batchStart(a, ppgtt: false), at: a)  // chains to itself
        let failure = try #require(p.scan(Enc.batchStart(a, ppgtt: false), limits: ScanLimits(maxBatchBuffers: 16)).verdict.failure)
        #expect(failure.reason == .resourceLimit)
    }

    @Test func ppgttBatchesAreNotScannedUnlessTheEngineIsSwitchedOn() throws {
        let p = try ParserFixture()
        // Guest PPGTT: PML4 gfn 200 → PDP 201 → PD 202 → PT 203 → page gfn 204 at gma 0x4000_0000.
        let gma: UInt64 = 0x4000_0000
        p.write64(GuestPhysicalAddress(200 << 12), 201 << 12 | 3)
        p.write64(GuestPhysicalAddress(201 << 12 + ((gma >> 30) & 0x1FF) * 8), 202 << 12 | 3)
        p.write64(GuestPhysicalAddress(202 << 12 + ((gma >> 21) & 0x1FF) * 8), 203 << 12 | 3)
        p.write64(GuestPhysicalAddress(203 << 12 + ((gma >> 12) & 0x1FF) * 8), 204 << 12 | 3)
        p.write(Enc.storeDataIndex(offset: 0, 1) + Enc.batchEnd, atPhysical: GuestPhysicalAddress(204 << 12 | 0x80))
        let root = GuestPPGTTRoot.fourLevel(pml4: GuestPhysicalAddress(200 << 12))
        let ring = Enc.batchStart(GraphicsAddress(gma | 0x80), ppgtt: true) + Enc.userInterrupt
        let off = p.scan(ring, ppgttRoot: root)
        #expect(off.verdict == .ok && off.batches.isEmpty)
        #expect(off.pendingEvents == [.userInterrupt(.rcs)])  // the ring went on after the batch
        p.mediator.setScanNonPrivilegedBatches(p.vgpu, [.rcs])
        let on = p.scan(ring, ppgttRoot: root)
        let failure = try #require(on.verdict.failure)
        #expect(failure.reason == .rejectedCommand && failure.addressSpace == .ppgtt && failure.buffer == .batch)
        #expect(on.batches.first?.pageOffset == 0x80)
        #expect(on.batchStarts.first?.retarget == false)
        // Another engine's switch does not scan RCS batches.
        p.mediator.setScanNonPrivilegedBatches(p.vgpu, [.bcs])
        #expect(p.scan(ring, ppgttRoot: root).verdict == .ok)
        #expect(p.fixture.log.events.contains(.scanNonPrivilegedBatchesSet(p.id, [.bcs])))
    }
}

extension ParserFixture {
    /// Writes a guest qword at `gpa`.
    func write64(_ gpa: GuestPhysicalAddress, _ value: UInt64) {
        fixture.hypervisor.guestWrite64(id, gpa, value)
    }
}
