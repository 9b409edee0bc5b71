import Foundation
import GRDB
import Testing
@testable import TandemArchive

/// The routing queue's rules of state: exactly-once routing of each instance, due and stable
/// claims, leases, conclusions, fencing, and the admin requests.
@Suite struct JobQueueTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let toReview = RouteTarget(destination: "REVIEW1", routeName: "r", stableAfterSeconds: 0)

    /// An index holding `sops` of one study, received at `receivedAt`.
    static func index(_ temporary: TemporaryRoot, sops: [String], receivedAt: Date = Date(timeIntervalSince1970: 1_700_000_000))
        throws -> ArchiveIndex {
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        try insert(sops, into: index, receivedAt: receivedAt)
        return index
    }

    static func insert(_ sops: [String], into index: ArchiveIndex, receivedAt: Date) throws {
        _ = try index.insert(sops.map {
            var record = IndexFixtures.record(sop: $0)
            record.receivedAt = receivedAt
            return record
        })
    }

    static func routeAll(_ queue: JobQueue, to target: RouteTarget = toReview, now: Date = now) async throws -> Int {
        try await queue.routeNewInstances(now: now) { _ in [target] }
    }

    @Test func eachInstanceMeetsTheRulesOnce() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let queue = JobQueue(index: try Self.index(temporary, sops: ["1.2.3.1.1.1", "1.2.3.1.1.2"]))
        #expect(try await Self.routeAll(queue) == 2)
        #expect(try await Self.routeAll(queue) == 0)
        let jobs = try queue.jobs()
        #expect(jobs.count == 1)
        #expect(jobs[0].state == .pending && jobs[0].queuedItems == 2)
    }

    @Test func routingStartsAfterWhatWasArchivedBeforeTheQueueExisted() async throws {
        // The migration sets the cursor to the last instance: history is not forwarded.
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try Self.index(temporary, sops: ["1.2.3.1.1.1"])
        try await index.write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'routing-queue'")
            try db.execute(sql: "DROP TABLE route_item; DROP TABLE route_job; DROP TABLE routing_cursor")
        }
        let reopened = try ArchiveIndex(root: temporary.root, environment: [:])
        #expect(try await Self.routeAll(JobQueue(index: reopened)) == 0)
    }

    @Test func aClaimWaitsForTheStudyToBeStable() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let queue = JobQueue(index: try Self.index(temporary, sops: ["1.2.3.1.1.1"], receivedAt: Self.now))
        let stable = RouteTarget(destination: "REVIEW1", routeName: "r", stableAfterSeconds: 60)
        _ = try await Self.routeAll(queue, to: stable)
        #expect(try await queue.claim(limit: 5, owner: "w", lease: .seconds(30), now: Self.now.addingTimeInterval(59)).isEmpty)
        let claimed = try await queue.claim(limit: 5, owner: "w", lease: .seconds(30), now: Self.now.addingTimeInterval(61))
        #expect(claimed.map(\.state) == [.running])
    }

    @Test func aNewInstanceRestartsTheStabilityWait() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try Self.index(temporary, sops: ["1.2.3.1.1.1"], receivedAt: Self.now)
        let queue = JobQueue(index: index)
        let stable = RouteTarget(destination: "REVIEW1", routeName: "r", stableAfterSeconds: 60)
        _ = try await Self.routeAll(queue, to: stable)
        try Self.insert(["1.2.3.1.1.2"], into: index, receivedAt: Self.now.addingTimeInterval(50))
        _ = try await Self.routeAll(queue, to: stable)
        #expect(try await queue.claim(limit: 5, owner: "w", lease: .seconds(30), now: Self.now.addingTimeInterval(61)).isEmpty)
        let claimed = try await queue.claim(limit: 5, owner: "w", lease: .seconds(30), now: Self.now.addingTimeInterval(111))
        #expect(claimed.first?.queuedItems == 2)
    }

    @Test func aClaimHoldsUntilItsLeaseExpires() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let queue = JobQueue(index: try Self.index(temporary, sops: ["1.2.3.1.1.1"]))
        _ = try await Self.routeAll(queue)
        let first = try #require(try await queue.claim(limit: 5, owner: "a", lease: .seconds(30), now: Self.now).first)
        #expect(try await queue.claim(limit: 5, owner: "b", lease: .seconds(30), now: Self.now.addingTimeInterval(29)).isEmpty)
        let reclaimed = try await queue.claim(limit: 5, owner: "b", lease: .seconds(30), now: Self.now.addingTimeInterval(31))
        #expect(reclaimed.first?.leaseOwner == "b")
        // The first worker's claim is gone: it may no longer record or conclude.
        await #expect(throws: LeaseLostError.self) {
            try await queue.finish(first.id, claim: first.claimID!, .delivered, now: Self.now.addingTimeInterval(32))
        }
    }

    @Test func deliveredInstancesAreNeverQueuedAgainAndNewOnesReopenTheJob() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try Self.index(temporary, sops: ["1.2.3.1.1.1"])
        let queue = JobQueue(index: index)
        _ = try await Self.routeAll(queue)
        let job = try #require(try await queue.claim(limit: 1, owner: "w", lease: .seconds(30), now: Self.now).first)
        try await queue.record([ItemResult(sopInstanceUID: "1.2.3.1.1.1", state: .delivered, status: 0)],
                               of: job.id, claim: job.claimID!, lease: .seconds(30), now: Self.now)
        #expect(try await queue.finish(job.id, claim: job.claimID!, .delivered, now: Self.now)?.state == .done)

        // Manual enqueue of the same study: the delivered instance stays delivered.
        let again = try queue.enqueue(studyInstanceUID: "1.2.3.1", destination: "REVIEW1", now: Self.now)
        #expect(again.state == .pending && again.queuedItems == 0 && again.deliveredItems == 1)

        try Self.insert(["1.2.3.1.1.2"], into: index, receivedAt: Self.now)
        _ = try await Self.routeAll(queue)
        let grown = try #require(try queue.job(job.id))
        #expect(grown.state == .pending)
        #expect(try queue.queuedInstances(of: job.id).map(\.sopInstanceUID) == ["1.2.3.1.1.2"])
    }

    @Test func conclusionsMoveTheJobAsTheyShould() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let queue = JobQueue(index: try Self.index(temporary, sops: ["1.2.3.1.1.1", "1.2.3.1.1.2"]))
        _ = try await Self.routeAll(queue)
        var job = try #require(try await queue.claim(limit: 1, owner: "w", lease: .seconds(30), now: Self.now).first)
        let later = Self.now.addingTimeInterval(45)
        let retried = try await queue.finish(job.id, claim: job.claimID!, .retry(at: later, reason: "peer down"), now: Self.now)
        #expect(retried?.state == .failedWillRetry && retried?.attempts == 1 && retried?.lastError == "peer down")
        #expect(try await queue.claim(limit: 1, owner: "w", lease: .seconds(30), now: later.addingTimeInterval(-1)).isEmpty)

        job = try #require(try await queue.claim(limit: 1, owner: "w", lease: .seconds(30), now: later).first)
        try await queue.record([ItemResult(sopInstanceUID: "1.2.3.1.1.1", state: .delivered, status: 0),
                                ItemResult(sopInstanceUID: "1.2.3.1.1.2", state: .failed, status: 0xA900, detail: "A900")],
                               of: job.id, claim: job.claimID!, lease: .seconds(30), now: later)
        let dead = try await queue.finish(job.id, claim: job.claimID!, .delivered, now: later)
        #expect(dead?.state == .dead && dead?.failedItems == 1 && dead?.deliveredItems == 1)

        // retry: fresh attempts, the refused instance queued again, the delivered one left alone.
        let revived = try queue.retry(job.id, now: later)
        #expect(revived.state == .pending && revived.attempts == 0 && revived.queuedItems == 1 && revived.deliveredItems == 1)
        job = try #require(try await queue.claim(limit: 1, owner: "w", lease: .seconds(30), now: later).first)
        #expect(try await queue.finish(job.id, claim: job.claimID!, .released, now: later)?.state == .pending)
        #expect(try queue.cancel(job.id, now: later).state == .cancelled)
        #expect(try await queue.claim(limit: 1, owner: "w", lease: .seconds(30), now: later).isEmpty)
        #expect(throws: JobRequestError.notFound("no job 99")) { try queue.retry(99) }
    }

    @Test func promotionReleasesJobsClaimedUnderOlderEpochs() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try Self.index(temporary, sops: ["1.2.3.1.1.1"])
        let queue = JobQueue(index: index)
        _ = try await Self.routeAll(queue)
        let job = try #require(try await queue.claim(limit: 1, owner: "old", lease: .seconds(300), now: Self.now).first)

        let promoting = try ArchiveIndex(root: temporary.root, environment: [:])
        try promoting.promote(node: "node2")
        #expect(try JobQueue(index: promoting).releaseJobs(claimedBefore: promoting.epoch, now: Self.now) == 1)
        #expect(try queue.job(job.id)?.state == .pending)
    }

    @Test func aFencedWorkerChangesNothing() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try Self.index(temporary, sops: ["1.2.3.1.1.1"])
        let queue = JobQueue(index: index)
        _ = try await Self.routeAll(queue)
        let newActive = try ArchiveIndex(root: temporary.root, environment: [:])
        try newActive.promote(node: "node2")
        try Self.insert(["1.2.3.1.1.2"], into: newActive, receivedAt: Self.now)  // received on the new active node
        let before = try queue.jobs()

        #expect(throws: FencedError.self) { try index.checkEpoch() }
        await #expect(throws: FencedError.self) { try await queue.claim(limit: 1, owner: "w", lease: .seconds(30), now: Self.now) }
        await #expect(throws: FencedError.self) { try await Self.routeAll(queue) }
        #expect(throws: FencedError.self) { try queue.enqueue(studyInstanceUID: "1.2.3.1", destination: "OTHER") }
        #expect(try queue.jobs() == before)
    }
}
