import Foundation
import Testing
@testable import TandemArchive

@Suite struct ClusterEpochTests {
    @Test func startsAtEpochOneWithNoHolder() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let state = try index.clusterState()
        #expect(state.epoch == 1)
        #expect(state.holder == nil)
        #expect(index.epoch == 1)
    }

    @Test func promoteBumpsOnceForTheSameNode() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        #expect(try index.promote(node: "node1").epoch == 2)
        #expect(try index.promote(node: "node1").epoch == 2)
        let state = try index.promote(node: "node2")
        #expect(state.epoch == 3)
        #expect(state.holder == "node2")
        // The promoting process adopts the new epoch and may write.
        #expect(index.epoch == 3)
        #expect(try index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1")]) == [.stored])
    }

    @Test func staleProcessIsFencedFromEveryWrite() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let stale = try ArchiveIndex(root: temporary.root, environment: [:])
        #expect(try await stale.insert([IndexFixtures.record(sop: "1.2.3.1.1.1")]) == [.stored])

        let other = try ArchiveIndex(root: temporary.root, environment: [:])
        #expect(try other.promote(node: "node2").epoch == 2)

        let expected = FencedError(processEpoch: 1, currentEpoch: 2, holder: "node2")
        expectBlockingWritesFenced(stale, expected)
        await #expect(throws: expected) { try await stale.insert([IndexFixtures.record(sop: "1.2.3.1.1.3")]) }
        await #expect(throws: expected) {
            try await GroupCommitter(index: stale).insert(IndexFixtures.record(sop: "1.2.3.1.1.5"))
        }
        #expect(try other.counts().instances == 1)
    }

    private func expectBlockingWritesFenced(_ stale: ArchiveIndex, _ expected: FencedError) {
        #expect(throws: expected) { try stale.insert([IndexFixtures.record(sop: "1.2.3.1.1.2")]) }
        #expect(throws: expected) { try stale.write { db in try db.execute(sql: "DELETE FROM instance") } }
        #expect(throws: expected) { try stale.recover { _ in IndexFixtures.record(sop: "1.2.3.1.1.4") } }
    }

    @Test func startupEpochComesFromTheEnvironment() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let started = try ArchiveIndex(root: temporary.root, environment: ["TANDEM_EPOCH": "2"])
        #expect(started.epoch == 2)
        // Started for an epoch the cluster has not reached: not current, so refused too.
        #expect(throws: FencedError.self) { try started.insert([IndexFixtures.record(sop: "1.2.3.1.1.1")]) }

        try started.promote(node: "node1")
        let current = try ArchiveIndex(root: temporary.root, environment: ["TANDEM_EPOCH": "2"])
        #expect(try current.insert([IndexFixtures.record(sop: "1.2.3.1.1.1")]) == [.stored])

        #expect(throws: ConfigurationError.self) {
            try ArchiveIndex(root: temporary.root, environment: ["TANDEM_EPOCH": "two"])
        }
    }
}

/// Tools started together on a fresh data root (dcmrecv and dcmroute from one script) each
/// open and migrate the index: every one of them must succeed.
@Suite struct ConcurrentOpenTests {
    @Test func toolsOpeningAFreshRootTogetherAllSucceed() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let root = temporary.root
        let failures = LockedFailures()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do { _ = try ArchiveIndex(root: root, environment: [:]) } catch { failures.append("\(error)") }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(try ArchiveIndex(root: root, environment: [:]).counts().instances == 0)
    }
}

final class LockedFailures: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var failures: [String] = []
    func append(_ failure: String) { lock.withLock { failures.append(failure) } }
    var all: [String] { lock.withLock { failures } }
}
