import Foundation
import Testing
import TandemArchive
import TandemSend
@testable import TandemRouting

@Suite struct WildcardPatternTests {
    @Test(arguments: [
        ("SITE*", "SITE1", true), ("SITE*", "SITE", true), ("SITE*", "XSITE1", false),
        ("*", "", true), ("*", "ANY", true), ("?T", "CT", true), ("?T", "T", false),
        ("C?", "CT", true), ("CT", "ct", false),  // case-sensitive (PS3.4 §C.2.2.2.4)
        ("*HEAD*", "CT HEAD W/O", true), ("*HEAD*", "CHEST", false),
        ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false), ("a*", "b", false),
        ("**?", "x", true), ("", "", true), ("", "x", false),
    ])
    func matches(pattern: String, value: String, expected: Bool) {
        #expect(WildcardPattern(pattern).matches(value) == expected)
    }

    @Test func anAbsentValueMatchesOnlyAStar() {
        #expect(WildcardPattern("*").matches(nil))
        #expect(!WildcardPattern("CT").matches(nil))
        #expect(!WildcardPattern("?").matches(nil))
    }

    @Test func longPathologicalPatternsStayLinear() {
        // Backtracking matchers go exponential on this; ours returns at once.
        let pattern = String(repeating: "*a", count: 40) + "b"
        #expect(!WildcardPattern(pattern).matches(String(repeating: "a", count: 4000)))
    }
}

@Suite struct RouteRuleTests {
    static func instance(modality: String = "MR", callingAE: String = "SITE1", patientName: String = "DOE^JANE") -> IndexedInstance {
        let record = InstanceRecord(
            patient: PatientAttributes(patientID: "P1", name: patientName, birthDate: nil, sex: "F"),
            study: StudyAttributes(studyInstanceUID: "1.2.3", date: "20240102", time: nil, accessionNumber: "A1",
                                   description: "MR BRAIN", referringPhysician: nil),
            series: SeriesAttributes(seriesInstanceUID: "1.2.3.4", modality: modality, number: 1, description: nil, bodyPart: "HEAD"),
            sopInstanceUID: "1.2.3.4.5", sopClassUID: "1.2.840.10008.5.1.4.1.1.4", instanceNumber: 1,
            transferSyntaxUID: "1.2.840.10008.1.2.1", filePath: "objects/x.dcm", fileSize: 1, receivedAt: Date(),
            callingAE: callingAE, calledAE: "TANDEM")
        return IndexedInstance(record: record, missingSince: nil)
    }

    static func rule(_ name: String, _ match: [RouteMatchKey: String], to: [String], stable: Int? = nil) -> RouteRule {
        RouteRule(RouteSettings(name: name, match: match, destinations: to,
                                trigger: stable == nil ? .onReceive : .onStable, stableAfterSeconds: stable ?? 60))
    }

    @Test func everyPatternMustMatch() {
        let rule = Self.rule("mr", [.callingAE: "SITE*", .modality: "MR"], to: ["REVIEW1"])
        #expect(rule.matches(Self.instance()))
        #expect(!rule.matches(Self.instance(modality: "CT")))
        #expect(!rule.matches(Self.instance(callingAE: "OTHER")))
        #expect(Self.rule("all", [:], to: ["X"]).matches(Self.instance(modality: "CT")))
        #expect(Self.rule("body", [.bodyPartExamined: "HE?D", .studyDescription: "*BRAIN"], to: ["X"]).matches(Self.instance()))
        #expect(!Self.rule("date", [.patientBirthDate: "19*"], to: ["X"]).matches(Self.instance()))
    }

    @Test func destinationsNamedByTwoRulesGetOneTargetWithTheShortestWait() {
        let rules = [Self.rule("stable", [.modality: "MR"], to: ["REVIEW1", "OFFSITE"], stable: 120),
                     Self.rule("fast", [.callingAE: "SITE1"], to: ["REVIEW1"]),
                     Self.rule("ct", [.modality: "CT"], to: ["CTWS"])]
        let targets = RouteRule.targets(of: rules, for: Self.instance())
        #expect(targets == [RouteTarget(destination: "REVIEW1", routeName: "stable", stableAfterSeconds: 0),
                            RouteTarget(destination: "OFFSITE", routeName: "stable", stableAfterSeconds: 120)])
    }
}

@Suite struct DeliveryVerdictTests {
    static func failed(_ cause: FailureCause) -> FileResult {
        FileResult(path: "/x", sopInstanceUID: "1.2", transferSyntax: nil, bytes: 0, outcome: .failed(reason: "r"),
                   failureCause: cause)
    }

    @Test func statusesSplitIntoDeliveredRetryAndRefused() {
        #expect(DeliveryVerdict(FileResult(path: "/x", sopInstanceUID: "1.2", transferSyntax: nil, bytes: 1, outcome: .sent)) == .delivered)
        #expect(DeliveryVerdict(FileResult(path: "/x", sopInstanceUID: "1.2", transferSyntax: nil, bytes: 1,
                                           outcome: .sentWithWarning(status: 0xB000, comment: nil))) == .delivered)
        #expect(DeliveryVerdict(Self.failed(.status(0xA700))) == .retryLater("r"))
        #expect(DeliveryVerdict(Self.failed(.status(0xA7FF))) == .retryLater("r"))
        #expect(DeliveryVerdict(Self.failed(.status(0x0110))) == .retryLater("r"))
        #expect(DeliveryVerdict(Self.failed(.status(0x0111))) == .delivered)
        #expect(DeliveryVerdict(Self.failed(.status(0xA900))) == .refused("r"))
        #expect(DeliveryVerdict(Self.failed(.status(0xC000))) == .refused("r"))
        #expect(DeliveryVerdict(Self.failed(.status(0x0122))) == .refused("r"))
        #expect(DeliveryVerdict(Self.failed(.notNegotiated)) == .refused("r"))
        #expect(DeliveryVerdict(Self.failed(.association)) == .retryLater("r"))
    }

    @Test func backOffGrowsWithJitterUpToTheCap() {
        let retry = RetrySettings(maxAttempts: 10, initialDelaySeconds: 30, multiplier: 2, maxDelaySeconds: 300)
        for _ in 0..<50 {
            #expect((24...36).contains(retry.jitteredDelay(beforeRetry: 1)))
            #expect((48...72).contains(retry.jitteredDelay(beforeRetry: 2)))
            #expect(retry.jitteredDelay(beforeRetry: 8) <= 300)
        }
    }
}
