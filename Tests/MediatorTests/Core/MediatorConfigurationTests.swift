import Foundation
import Testing
@testable import Mediator

@Suite struct MediatorConfigurationTests {
    static func decode(_ json: String) throws -> MediatorConfiguration {
        try JSONDecoder().decode(MediatorConfiguration.self, from: Data(json.utf8))
    }

    @Test func anEmptyObjectDecodesToTheDefaults() throws {
        #expect(try Self.decode("{}") == MediatorConfiguration())
    }

    @Test func anOlderEncodingMissingNewerFieldsTakesTheirDefaults() throws {
        let old = try Self.decode(#"{"revision":"gvt-2018","hostLowGMSize":67108864,"hostFences":2}"#)
        #expect(old.revision == .gvt2018)
        #expect(old.hostLowGMSize == 64 << 20)
        #expect(old.hostFences == 2)
        #expect(old.hostHighGMSize == 384 << 20)
        #expect(old.totalFences == 32)
        #expect(old.vblankPeriod == 16_666_667)
        #expect(old.schedulerPolicy == .timeBased)
        #expect(old.schedulerTiming == .gvt)
    }

    @Test func aPartialSchedulerTimingKeepsGVTsOtherConstants() throws {
        let c = try Self.decode(#"{"schedulerPolicy":"round-robin","schedulerTiming":{"timeSlice":500000}}"#)
        #expect(c.schedulerPolicy == .roundRobin)
        #expect(c.schedulerTiming == SchedulerTiming(timeSlice: 500_000))
    }

    @Test func corruptValuesAreDecodingErrorsNotCrashes() {
        #expect(throws: DecodingError.self) { try Self.decode(#"{"schedulerTiming":{"balanceStages":0}}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(#"{"revision":"gvt-2017"}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(#"{"hostFences":"four"}"#) }
    }

    @Test func everyFieldIsEncodedAndRoundTrips() throws {
        let c = MediatorConfiguration(
            revision: .gvt2018, hostLowGMSize: 96 << 20, hostHighGMSize: 0, hostFences: 3, totalFences: 16,
            vblankPeriod: 16_000_000, schedulerPolicy: .roundRobin,
            schedulerTiming: SchedulerTiming(timeSlice: 2_000_000, balancePeriod: 50_000_000, balanceStages: 5,
                                             priorityTime: 1_000_000_000))
        let data = try JSONEncoder().encode(c)
        #expect(try JSONDecoder().decode(MediatorConfiguration.self, from: data) == c)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["revision", "hostLowGMSize", "hostHighGMSize", "hostFences", "totalFences",
                                     "vblankPeriod", "schedulerPolicy", "schedulerTiming"])
        let timing = try #require(object["schedulerTiming"] as? [String: Any])
        #expect(Set(timing.keys) == ["timeSlice", "balancePeriod", "balanceStages", "priorityTime"])
        #expect(try JSONDecoder().decode(MediatorConfiguration.self, from: JSONEncoder().encode(MediatorConfiguration()))
                    == MediatorConfiguration())
    }

    @Test func summaryIsOneStableLine() {
        #expect(MediatorConfiguration().summary
                    == "revision current, scheduler tbs, vblank 16.666667 ms, host GM low 128 MiB high 384 MiB")
        let c = MediatorConfiguration(revision: .gvt2018, hostLowGMSize: 4096, hostHighGMSize: 100,
                                      vblankPeriod: 16_000_000, schedulerPolicy: .roundRobin)
        #expect(c.summary == "revision gvt-2018, scheduler round-robin, vblank 16 ms, host GM low 4 KiB high 100 B")
        #expect(!c.summary.contains("\n"))
    }
}
