import DICOMCore
import Foundation
import TandemArchive
import Testing
@testable import TandemReceiver

/// Storage commitment decisions and the N-EVENT-REPORT's Event Information (PS3.4 J.3.3.1).
@Suite("Storage commitment report")
struct CommitmentReportTests {
    static let ct = "1.2.840.10008.5.1.4.1.1.2"
    static let mr = "1.2.840.10008.5.1.4.1.1.4"

    static func request(_ references: [(String, String)], transactionUID: String? = "1.2.3.100") throws -> DataSet {
        var information = DataSet()
        if let transactionUID { try information.set(.transactionUID, vr: .UI, string: transactionUID) }
        information.set(.referencedSOPSequence, items: try references.map { sopClass, sopInstance in
            var item = DataSet()
            try item.set(.referencedSOPClassUID, vr: .UI, string: sopClass)
            try item.set(.referencedSOPInstanceUID, vr: .UI, string: sopInstance)
            return item
        })
        return information
    }

    @Test func requestsWithoutTheirRequiredAttributesAreRefused() throws {
        #expect(throws: CommitmentRequestError.self) { try CommitmentRequest(actionInformation: nil) }
        #expect(throws: CommitmentRequestError.self) {
            try CommitmentRequest(actionInformation: try Self.request([(Self.ct, "1.2.3.1")], transactionUID: nil))
        }
        #expect(throws: CommitmentRequestError.self) { try CommitmentRequest(actionInformation: try Self.request([])) }
    }

    @Test func onlyIndexedInstancesOfTheirClassWithTheirFileAreCommitted() throws {
        let request = try CommitmentRequest(actionInformation: try Self.request([
            (Self.ct, "1.2.3.1"), (Self.ct, "1.2.3.2"), (Self.ct, "1.2.3.3"), (Self.ct, "1.2.3.4"),
        ]))
        let indexed = ["1.2.3.1": Self.ct, "1.2.3.2": Self.mr, "1.2.3.3": Self.ct]
        let report = CommitmentReport(request, indexed: indexed) { $0 != "1.2.3.3" }
        #expect(report.committed.map(\.sopInstanceUID) == ["1.2.3.1"])
        #expect(report.failed.map(\.reference.sopInstanceUID) == ["1.2.3.2", "1.2.3.3", "1.2.3.4"])
        #expect(report.failed.map(\.reason) == [.classInstanceConflict, .processingFailure, .noSuchObjectInstance])
        #expect(report.eventTypeID == 2)
    }

    @Test func eventInformationListsCommittedAndFailedReferences() throws {
        let request = try CommitmentRequest(actionInformation: try Self.request([(Self.ct, "1.2.3.1"), (Self.ct, "1.2.3.9")]))
        let information = try CommitmentReport(request, indexed: ["1.2.3.1": Self.ct]) { _ in true }
            .eventInformation(retrieveAETitle: "TANDEM")
        #expect(information.string(.transactionUID) == "1.2.3.100")
        #expect(information.string(.retrieveAETitle) == "TANDEM")
        #expect(information.items(.referencedSOPSequence)?.map { $0.string(.referencedSOPInstanceUID) } == ["1.2.3.1"])
        let failed = try #require(information.items(.failedSOPSequence))
        #expect(failed.map { $0.string(.referencedSOPInstanceUID) } == ["1.2.3.9"])
        #expect(failed.first?.uint16(.failureReason) == 0x0112)
    }

    @Test func allCommittedIsEventTypeOneWithoutAFailedSequence() throws {
        let request = try CommitmentRequest(actionInformation: try Self.request([(Self.ct, "1.2.3.1")]))
        let report = CommitmentReport(request, indexed: ["1.2.3.1": Self.ct]) { _ in true }
        #expect(report.eventTypeID == 1)
        #expect(try report.eventInformation(retrieveAETitle: "TANDEM").items(.failedSOPSequence) == nil)
    }
}

/// When an undelivered report is tried again (`[retry]` back-off, `[commitment] report_max_age`).
@Suite("Storage commitment retry schedule")
struct CommitmentRetryScheduleTests {
    @Test func backOffGrowsAndTheLastAttemptFallsOnTheMaximumAge() {
        let schedule = CommitmentRetrySchedule(
            retry: RetrySettings(maxAttempts: 20, initialDelaySeconds: 10, multiplier: 2, maxDelaySeconds: 3600),
            maxAgeSeconds: 100)
        let created = Date(timeIntervalSince1970: 1_000_000)
        #expect(schedule.nextAttempt(afterFailed: 1, createdAt: created, now: created) == created.addingTimeInterval(10))
        let later = created.addingTimeInterval(30)
        #expect(schedule.nextAttempt(afterFailed: 3, createdAt: created, now: later) == later.addingTimeInterval(40))
        // 70 + 80 would pass the maximum age: the last attempt is made at it.
        #expect(schedule.nextAttempt(afterFailed: 4, createdAt: created, now: created.addingTimeInterval(70))
                == created.addingTimeInterval(100))
        #expect(schedule.nextAttempt(afterFailed: 5, createdAt: created, now: created.addingTimeInterval(100)) == nil)
    }
}
