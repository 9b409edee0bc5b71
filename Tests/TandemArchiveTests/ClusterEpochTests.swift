import Foundation
import NIOConcurrencyHelpers
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

    /// docs/design.md, "Cluster model": only the proof a promotion handed out keeps the epoch; a node
    /// name, even the holder's, does not.
    @Test func promoteKeepsTheEpochOnlyForItsOwnProof() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let first = try index.promote(node: "node1")
        let proof = try #require(first.proof)
        #expect(proof.epoch == 2 && proof.node == "node1")
        #expect(try index.promote(node: "node1", proof: proof).proof == proof)
        // The same name without the proof: another node configured alike.
        let twin = try index.promote(node: "node1")
        #expect(twin.epoch == 3 && twin.holderToken != proof.token)
        #expect(try index.promote(node: "node1", proof: proof).epoch == 4)
        let state = try index.promote(node: "node2")
        #expect(state.epoch == 5)
        #expect(state.holder == "node2")
        // The promoting process adopts the new epoch and may write.
        #expect(index.epoch == 5)
        #expect(try index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1")]) == [.stored])
    }

    /// A process without TANDEM_EPOCH writes on a never-promoted root, or with the holder's proof
    /// in its run directory; elsewhere every write is refused. Missing archives are not created.
    @Test func aProcessWithoutAnEpochWritesOnlyWhereItsNodeHoldsIt() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let single = try ArchiveIndex(root: temporary.root, environment: [:])
        #expect(try single.insert([IndexFixtures.record(sop: "1.2.3.1.1.1")]) == [.stored])

        let proof = try #require(try single.promote(node: "node1").proof)
        let holderRun = temporary.root.url.appendingPathComponent("run-holder")
        let passiveRun = temporary.root.url.appendingPathComponent("run-passive")
        try proof.save(runDirectory: holderRun)
        let holder = try ArchiveIndex(root: temporary.root, environment: ["TANDEM_RUN_DIR": holderRun.path])
        #expect(try holder.insert([IndexFixtures.record(sop: "1.2.3.1.1.2")]) == [.stored])

        let passive = try ArchiveIndex(root: temporary.root, environment: ["TANDEM_RUN_DIR": passiveRun.path])
        let refusal = PassiveNodeError(epoch: 2, holder: "node1", runDirectory: passiveRun.path)
        #expect(throws: refusal) { try passive.requireWriteRight() }
        #expect(throws: refusal) { try passive.insert([IndexFixtures.record(sop: "1.2.3.1.1.3")]) }
        // A proof of an earlier promotion proves nothing.
        try single.promote(node: "node1")
        let stale = try ArchiveIndex(root: temporary.root, environment: ["TANDEM_RUN_DIR": holderRun.path])
        #expect(throws: PassiveNodeError.self) { try stale.requireWriteRight() }
        #expect(try single.counts().instances == 2)

        let unmounted = DataRoot(url: temporary.root.url.appendingPathComponent("not-mounted"))
        #expect(throws: ArchiveNotFoundError(root: unmounted.url.path)) {
            try ArchiveIndex(root: unmounted, createIfMissing: false, environment: [:])
        }
        #expect(!FileManager.default.fileExists(atPath: unmounted.url.path))
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
        let failures = NIOLockedValueBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do { _ = try ArchiveIndex(root: root, environment: [:]) } catch { failures.withLockedValue { $0.append("\(error)") } }
        }
        let seen = failures.withLockedValue { $0 }
        #expect(seen.isEmpty, "\(seen)")
        #expect(try ArchiveIndex(root: root, environment: [:]).counts().instances == 0)
    }
}
