import GPUModel
import Journal
import Mediator
import Testing
@testable import Recorder

/// Inputs survive the trip into the journal and back, for every input kind.
@Suite struct InputRecordsTests {
    static let origin = TrapOrigin(vcpu: 2, rip: 0xFFFF_FFFF_8160_0040, instruction: [0x89, 0x37])
    static let inputs: [(EngineInput, EngineResult)] = [
        (.mmioRead(1, offset: 0x78000, size: 4, origin: origin), .value(0x4776_5447)),
        (.mmioRead(2, offset: 0x2030, size: 8, origin: nil), .value(.max)),
        (.mmioWrite(1, offset: 0x80_0008, size: 8, value: 0x1234_5003, origin: origin), .none),
        (.configRead(1, offset: 0x10, size: 4, origin: nil), .value(0xFFFF_FFF0)),
        (.configWrite(1, offset: 0x04, size: 2, value: 0x0006, origin: nil), .none),
        (.pageTrackWrite(1, GuestPhysicalAddress(0x5008), bytes: [1, 2, 3, 4, 5, 6, 7, 8], origin: nil), .none),
        (.guestPage(PageFrameNumber(0x4321), writer: 3, bytes: [UInt8](repeating: 0xA5, count: 4096)), .none),
        (.createVGPU(type: "GVTg_V5_4", ramPages: 1024), .created(1, frames: [PageFrameNumber(0x800), PageFrameNumber(0x801)])),
        (.destroyVGPU(2), .none),
        (.resetVGPU(1), .none),
        (.schedulerTick, .none), (.vblankTick, .none), (.hangcheckTick, .none), (.gpuSlice, .none),
    ]

    @Test func everyInputRoundTrips() throws {
        var store: [PageKey: [UInt8]] = [:]
        for (input, result) in Self.inputs {
            let event = InputRecords.record(input, result: result) { bytes in
                let key = PageKey(hash: XXHash64Probe.hash(bytes), variant: 0)
                store[key] = bytes
                return key
            }
            #expect(event.isInput, "\(event) must count as an input")
            let back = try InputRecords.input(from: event) { key in try #require(store[key]) }
            // Config and page-track origins are not journaled (ACRN gives none for config cycles).
            switch input {
            case let .configRead(id, offset, size, _):
                #expect(back == .configRead(id, offset: offset, size: size, origin: nil))
            case let .configWrite(id, offset, size, value, _):
                #expect(back == .configWrite(id, offset: offset, size: size, value: value, origin: nil))
            default:
                #expect(back == input)
            }
        }
    }

    @Test func resultsTravelInTheInputRecord() {
        let read = InputRecords.record(.mmioRead(1, offset: 0x78000, size: 4, origin: nil), result: .value(0x4776_5447)) { _ in
            PageKey(hash: 0, variant: 0)
        }
        guard case let .mmioRead(trap) = read else { Issue.record("expected an mmio-read"); return }
        #expect(trap.value == 0x4776_5447 && trap.vcpu == InputRecords.noVCPU)
        let refused = InputRecords.record(.createVGPU(type: "GVTg_V5_8", ramPages: 10), result: .refused("no room")) { _ in
            PageKey(hash: 0, variant: 0)
        }
        #expect(refused == .vgpuCreateRequest(type: "GVTg_V5_8", ramPages: 10, vgpu: 0, firstFrame: 0))
    }

    @Test func outputsAndUnknownTimersAreNotInputs() {
        #expect(throws: InputRecords.InputError.self) {
            _ = try InputRecords.input(from: .workloadDispatched(vgpu: 1, engine: 0, workload: 1)) { _ in [] }
        }
        #expect(throws: InputRecords.InputError.badField("timer code 9")) {
            _ = try InputRecords.input(from: .timerExpiry(kind: 9)) { _ in [] }
        }
        #expect((try? InputRecords.input(from: .clockReading(value: 5)) { _ in [] }) == .some(nil))
    }
}

/// A stand-in content hash for tests (FNV-1a).
enum XXHash64Probe {
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}
