import Foundation
import Testing
@testable import TandemArchive

/// The table of storage commitment reports kept for retry: due order, back-off bookkeeping,
/// removal, and the fence every write goes through.
@Suite struct PendingCommitmentReportTests {
    @Test func reportsFallDueInOrderAndAreDeferredThenRemoved() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let now = Date()
        let first = try await index.keepCommitmentReport(
            transactionUID: "1.2.3.7", requestorAETitle: "MODALITY", eventTypeID: 2, eventInformation: [1, 2, 3],
            error: "connection refused", createdAt: now, nextAttemptAt: now.addingTimeInterval(5))
        let second = try await index.keepCommitmentReport(
            transactionUID: "1.2.3.8", requestorAETitle: "MODALITY", eventTypeID: 1, eventInformation: [4],
            error: "connection refused", createdAt: now, nextAttemptAt: now.addingTimeInterval(1))

        #expect(try await index.dueCommitmentReports(now: now).isEmpty)
        #expect(try await index.dueCommitmentReports(now: now.addingTimeInterval(10)).map(\.id) == [second, first])
        let kept = try #require(try await index.pendingCommitmentReports().first)
        #expect(kept.transactionUID == "1.2.3.7" && kept.requestorAETitle == "MODALITY" && kept.eventTypeID == 2)
        #expect(kept.eventInformation == [1, 2, 3] && kept.attempts == 1 && kept.lastError == "connection refused")
        #expect(abs(try #require(try await index.nextCommitmentReportAttempt()).timeIntervalSince(now) - 1) < 0.01)

        try await index.deferCommitmentReport(second, error: "timed out", nextAttemptAt: now.addingTimeInterval(60))
        let deferred = try #require(try await index.pendingCommitmentReports().last)
        #expect(deferred.attempts == 2 && deferred.lastError == "timed out")
        #expect(try await index.dueCommitmentReports(now: now.addingTimeInterval(10)).map(\.id) == [first])

        try await index.removeCommitmentReport(first)
        try await index.removeCommitmentReport(second)
        #expect(try await index.pendingCommitmentReports().isEmpty)
        #expect(try await index.nextCommitmentReportAttempt() == nil)
    }

    @Test func aFencedProcessKeepsNothing() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let stale = try ArchiveIndex(root: temporary.root, environment: [:])
        _ = try ArchiveIndex(root: temporary.root, environment: [:]).promote(node: "node2")
        await #expect(throws: FencedError.self) {
            try await stale.keepCommitmentReport(transactionUID: "1.2.3.7", requestorAETitle: "MODALITY", eventTypeID: 1,
                                                 eventInformation: [], error: "refused", createdAt: Date(), nextAttemptAt: Date())
        }
        #expect(try await stale.pendingCommitmentReports().isEmpty)
    }
}
