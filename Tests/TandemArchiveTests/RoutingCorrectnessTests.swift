import Foundation
import Testing
@testable import TandemArchive

/// What the queue owes a study that keeps changing after it was routed, and how a claim is told
/// apart from an earlier claim of the same worker.
@Suite struct RoutingCorrectnessTests {
    static let now = JobQueueTests.now
    static let lease = Duration.seconds(30)

    private static func deliveredJob(_ queue: JobQueue, sop: String) async throws -> RouteJob {
        _ = try await JobQueueTests.routeAll(queue)
        let job = try #require(try await queue.claim(limit: 1, owner: "w", lease: lease, now: now).first)
        try await queue.record([ItemResult(sopInstanceUID: sop, state: .delivered, status: 0)],
                               of: job.id, claim: job.claimID!, lease: lease, now: now)
        #expect(try await queue.finish(job.id, claim: job.claimID!, .delivered, now: now)?.state == .done)
        return job
    }

    @Test func aDeadJobReopensWhenItsStudyGrows() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try JobQueueTests.index(temporary, sops: ["1.2.3.1.1.1"])
        let queue = JobQueue(index: index)
        _ = try await JobQueueTests.routeAll(queue)
        let job = try #require(try await queue.claim(limit: 1, owner: "w", lease: Self.lease, now: Self.now).first)
        try await queue.record([ItemResult(sopInstanceUID: "1.2.3.1.1.1", state: .failed, status: 0xA900)],
                               of: job.id, claim: job.claimID!, lease: Self.lease, now: Self.now)
        #expect(try await queue.finish(job.id, claim: job.claimID!, .delivered, now: Self.now)?.state == .dead)

        // A later series of the same study must still be sent.
        try JobQueueTests.insert(["1.2.3.1.1.2"], into: index, receivedAt: Self.now)
        _ = try await JobQueueTests.routeAll(queue)
        let reopened = try #require(try queue.job(job.id))
        #expect(reopened.state == .pending && reopened.attempts == 0)
        #expect(try queue.queuedInstances(of: job.id).map(\.sopInstanceUID) == ["1.2.3.1.1.2"])
        #expect(reopened.failedItems == 1)
    }

    @Test func aCancelledJobStaysCancelledWhenItsStudyGrows() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try JobQueueTests.index(temporary, sops: ["1.2.3.1.1.1"])
        let queue = JobQueue(index: index)
        _ = try await JobQueueTests.routeAll(queue)
        let job = try #require(try queue.jobs().first)
        _ = try queue.cancel(job.id, now: Self.now)

        try JobQueueTests.insert(["1.2.3.1.1.2"], into: index, receivedAt: Self.now)
        _ = try await JobQueueTests.routeAll(queue)
        #expect(try queue.job(job.id)?.state == .cancelled)
    }

    @Test func anOverwrittenInstanceIsForwardedAgain() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, storage: StorageSettings(duplicatePolicy: .overwrite),
                                     environment: [:])
        _ = try await index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1", path: "objects/fixture/first.dcm")])
        let queue = JobQueue(index: index)
        let job = try await Self.deliveredJob(queue, sop: "1.2.3.1.1.1")

        let replacement = IndexFixtures.record(sop: "1.2.3.1.1.1", path: "objects/fixture/corrected.dcm")
        #expect(try await index.insert([replacement]) == [.overwritten])
        #expect(try await JobQueueTests.routeAll(queue) == 1)
        let reopened = try #require(try queue.job(job.id))
        #expect(reopened.state == .pending && reopened.queuedItems == 1 && reopened.deliveredItems == 0)
        #expect(try queue.queuedInstances(of: job.id).map(\.file?.filePath) == ["objects/fixture/corrected.dcm"])
    }

    @Test func aKeptFirstDuplicateIsNotForwardedAgain() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        _ = try await index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1", path: "objects/fixture/first.dcm")])
        let queue = JobQueue(index: index)
        let job = try await Self.deliveredJob(queue, sop: "1.2.3.1.1.1")

        #expect(try await index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1", path: "objects/fixture/second.dcm")])
            == [.duplicateKept])
        #expect(try await JobQueueTests.routeAll(queue) == 0)
        #expect(try queue.job(job.id)?.state == .done)
    }

    @Test func aWorkerCannotActOnItsOwnExpiredClaim() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let queue = JobQueue(index: try JobQueueTests.index(temporary, sops: ["1.2.3.1.1.1"]))
        _ = try await JobQueueTests.routeAll(queue)
        let first = try #require(try await queue.claim(limit: 1, owner: "w", lease: Self.lease, now: Self.now).first)
        // The first delivery is still running when its lease runs out; the same worker claims again.
        let later = Self.now.addingTimeInterval(31)
        let second = try #require(try await queue.claim(limit: 1, owner: "w", lease: Self.lease, now: later).first)
        #expect(second.id == first.id && second.claimID != first.claimID)

        let delivered = [ItemResult(sopInstanceUID: "1.2.3.1.1.1", state: .delivered, status: 0)]
        await #expect(throws: LeaseLostError.self) {
            try await queue.record(delivered, of: first.id, claim: first.claimID!, lease: Self.lease, now: later)
        }
        await #expect(throws: LeaseLostError.self) {
            try await queue.finish(first.id, claim: first.claimID!, .retry(at: later, reason: "x"), now: later)
        }
        try await queue.record(delivered, of: second.id, claim: second.claimID!, lease: Self.lease, now: later)
        #expect(try await queue.finish(second.id, claim: second.claimID!, .delivered, now: later)?.state == .done)
    }

    @Test func cancelThenRetryEndsTheOldClaim() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let queue = JobQueue(index: try JobQueueTests.index(temporary, sops: ["1.2.3.1.1.1"]))
        _ = try await JobQueueTests.routeAll(queue)
        let old = try #require(try await queue.claim(limit: 1, owner: "w", lease: Self.lease, now: Self.now).first)
        _ = try queue.cancel(old.id, now: Self.now)
        _ = try queue.retry(old.id, now: Self.now)
        let new = try #require(try await queue.claim(limit: 1, owner: "w", lease: Self.lease, now: Self.now).first)

        let refused = [ItemResult(sopInstanceUID: "1.2.3.1.1.1", state: .failed, status: 0xA900)]
        await #expect(throws: LeaseLostError.self) {
            try await queue.record(refused, of: old.id, claim: old.claimID!, lease: Self.lease, now: Self.now)
        }
        #expect(try queue.job(new.id)?.failedItems == 0)
        #expect(try queue.job(new.id)?.claimID == new.claimID)
    }

    @Test func studiesWithoutPatientIDDoNotShareAPatient() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        _ = try index.insert([
            IndexFixtures.record(study: "1.2.3.1", series: "1.2.3.1.1", sop: "1.2.3.1.1.1", patientID: "", patientName: "DOE^JANE"),
            IndexFixtures.record(study: "1.2.3.2", series: "1.2.3.2.1", sop: "1.2.3.2.1.1", patientID: "", patientName: "ROE^RICHARD"),
            IndexFixtures.record(study: "1.2.3.1", series: "1.2.3.1.2", sop: "1.2.3.1.2.1", patientID: "", patientName: "DOE^JANE"),
        ])
        #expect(try index.instance(sopInstanceUID: "1.2.3.2.1.1")?.record.patient.name == "ROE^RICHARD")
        #expect(try index.study(studyInstanceUID: "1.2.3.1")?.patientName == "DOE^JANE")
        #expect(try index.counts().patients == 2)

        // A Patient ID still names one patient across studies.
        _ = try index.insert([
            IndexFixtures.record(study: "1.2.3.3", series: "1.2.3.3.1", sop: "1.2.3.3.1.1", patientID: "P9"),
            IndexFixtures.record(study: "1.2.3.4", series: "1.2.3.4.1", sop: "1.2.3.4.1.1", patientID: "P9"),
        ])
        #expect(try index.counts().patients == 3)
    }
}
