import Foundation
import GRDB
import Testing
@testable import TandemArchive

@Suite struct GroupCommitterTests {
    @Test func concurrentInsertsAreAllCommitted() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let committer = GroupCommitter(index: index, maximumBatch: 8)
        let outcomes = try await withThrowingTaskGroup(of: InsertOutcome.self) { group in
            for number in 1...50 {
                group.addTask { try await committer.insert(IndexFixtures.record(sop: "1.2.3.1.1.\(number)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes == Array(repeating: .stored, count: 50))
        #expect(try index.counts().instances == 50)
        #expect(try index.series(seriesInstanceUID: "1.2.3.1.1")?.numberOfInstances == 50)
    }

    /// While one commit waits for the database, later inserts queue up and share the next commit.
    @Test func insertsArrivingDuringACommitShareTheNextOne() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let committer = GroupCommitter(index: index)
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: temporary.root.indexFile.path, configuration: configuration)
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }

        let first = Task { try await committer.insert(IndexFixtures.record(sop: "1.2.3.1.1.1")) }
        while await committer.committingCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let later = (2...11).map { number in
            Task { try await committer.insert(IndexFixtures.record(sop: "1.2.3.1.1.\(number)")) }
        }
        while await committer.waitingCount < 10 { try await Task.sleep(for: .milliseconds(1)) }
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }

        #expect(try await first.value == .stored)
        for task in later { #expect(try await task.value == .stored) }
        #expect(await committer.statistics == GroupCommitStatistics(commits: 2, instances: 11))
    }

    @Test func aBadRecordFailsOnlyItsOwnCaller() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let committer = GroupCommitter(index: index)
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for number in 1...20 {
                let sop = number == 7 ? "1.2.bad" : "1.2.3.1.1.\(number)"
                group.addTask {
                    let succeeded = (try? await committer.insert(IndexFixtures.record(sop: sop))) == .stored
                    return (number, succeeded)
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.filter { !$0.value }.map(\.key) == [7])
        #expect(try index.counts().instances == 19)
    }

    /// Holds the index's write lock from another connection until `release` is called.
    private static func lockedIndex(_ temporary: TemporaryRoot) async throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: temporary.root.indexFile.path, configuration: configuration)
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        return blocker
    }

    /// Busy is the database's state, not a record's: the batch waits and commits whole instead of
    /// each record waiting out the busy timeout in turn.
    @Test func aBusyBatchIsRetriedWhole() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:], busyTimeout: 0.05)
        let committer = GroupCommitter(index: index, busyRetryWindow: .seconds(60))
        let blocker = try await Self.lockedIndex(temporary)
        let inserts = (1...8).map { number in
            Task { try await committer.insert(IndexFixtures.record(sop: "1.2.3.1.1.\(number)")) }
        }
        while await committer.committingCount + committer.waitingCount < 8 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(500))  // several busy timeouts
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }

        for insert in inserts { #expect(try await insert.value == .stored) }
        #expect(await committer.statistics.commits < 8)
    }

    @Test func aBatchStillBusyAfterTheWindowFailsWholeAndTheNextOneCommits() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:], busyTimeout: 0.05)
        let committer = GroupCommitter(index: index, busyRetryWindow: .milliseconds(300))
        let blocker = try await Self.lockedIndex(temporary)
        let inserts = (1...4).map { number in
            Task { try await committer.insert(IndexFixtures.record(sop: "1.2.3.1.1.\(number)")) }
        }
        for insert in inserts {
            await #expect(throws: DatabaseError.self) { try await insert.value }
        }
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        #expect(try await committer.insert(IndexFixtures.record(sop: "1.2.3.1.1.9")) == .stored)
        #expect(await committer.statistics == GroupCommitStatistics(commits: 1, instances: 1))
    }
}
