import DICOMNetwork
import Testing
@testable import TandemReceiver

/// The counts and final status of a C-MOVE or C-GET (PS3.4 C.4.2.1.6, C.4.2.3.1).
@Suite("Sub-operation tally")
struct SubOperationTallyTests {
    static func tally(total: Int, _ outcomes: [SubOperationTally.Outcome]) -> SubOperationTally {
        var tally = SubOperationTally(total: total)
        for (index, outcome) in outcomes.enumerated() { tally.record(outcome, sopInstanceUID: "1.2.\(index)") }
        return tally
    }

    @Test func pendingCountsCarryAllFourNumbers() {
        let tally = Self.tally(total: 5, [.completed, .warning, .failed])
        #expect(tally.pendingCounts == SubOperationCounts(remaining: 2, completed: 1, failed: 1, warning: 1))
    }

    @Test func everySubOperationCompletedIsSuccessWithoutRemaining() {
        let final = Self.tally(total: 2, [.completed, .completed]).finalResult(cancelled: false)
        #expect(final.result.status == .success)
        #expect(final.subOperations == SubOperationCounts(completed: 2, failed: 0, warning: 0))
        #expect(final.failedSOPInstanceUIDs.isEmpty)
    }

    @Test func nothingToRetrieveIsSuccess() {
        let final = SubOperationTally(total: 0).finalResult(cancelled: false)
        #expect(final.result.status == .success)
        #expect(final.subOperations == SubOperationCounts(completed: 0, failed: 0, warning: 0))
    }

    @Test func someFailuresAreWarningB000WithTheFailedList() {
        let final = Self.tally(total: 3, [.completed, .failed, .warning]).finalResult(cancelled: false, failureComment: "gone")
        #expect(final.result.status == .subOperationsCompleteWithFailures)
        #expect(final.failedSOPInstanceUIDs == ["1.2.1"])
        #expect(final.result.errorComment == "gone")
    }

    @Test func onlyWarningsAreWarningB000WithoutComment() {
        let final = Self.tally(total: 1, [.warning]).finalResult(cancelled: false, failureComment: "unused")
        #expect(final.result.status == .subOperationsCompleteWithFailures)
        #expect(final.result.errorComment == nil)
    }

    @Test func allFailedIsA702WithTheReason() {
        let final = Self.tally(total: 2, [.failed, .failed]).finalResult(cancelled: false, failureComment: "no storage context")
        #expect(final.result.status == .unableToPerformSubOperations)
        #expect(final.result.errorComment == "no storage context")
        #expect(final.failedSOPInstanceUIDs == ["1.2.0", "1.2.1"])
    }

    @Test func cancelledWithSubOperationsLeftIsCancelWithRemaining() {
        let final = Self.tally(total: 4, [.completed, .failed]).finalResult(cancelled: true)
        #expect(final.result.status == .cancel)
        #expect(final.subOperations == SubOperationCounts(remaining: 2, completed: 1, failed: 1, warning: 0))
        #expect(final.failedSOPInstanceUIDs == ["1.2.1"])
    }

    @Test func aCancelAfterTheLastSubOperationChangesNothing() {
        let final = Self.tally(total: 1, [.completed]).finalResult(cancelled: true)
        #expect(final.result.status == .success)
    }

    @Test func countsBeyondUS16AreReportedAsTheLargest() {
        let tally = SubOperationTally(total: 70_000)
        #expect(tally.pendingCounts.remaining == UInt16.max)
    }
}
