import DICOMNetwork
import Foundation
import TandemArchive
import Testing
@testable import TandemRouting

@Suite("Job delivery")
struct JobDeliveryTests {
    @Test("delivers every queued instance as archived, from its index row, and concludes the job done")
    func deliversFromIndexRows() async throws {
        let archive = try await RoutedArchive.make()
        defer { archive.remove() }
        let peer = PeerSCP()
        let concluded = try await archive.deliver(to: peer).concluded
        #expect(concluded?.state == .done)
        #expect(concluded?.deliveredItems == archive.dataSets.count)
        let received = await peer.received.dataSets
        #expect(received.map(\.sopInstanceUID) == archive.dataSets.map(\.sopInstanceUID))
        #expect(received.map(\.bytes) == archive.dataSets.map(\.bytes))
    }

    @Test("rows indexed before the data set offset was kept are sent by reading their file")
    func rowsWithoutOffsetFallBackToTheFile() async throws {
        let archive = try await RoutedArchive.make()
        defer { archive.remove() }
        try await archive.index.write { db in try db.execute(sql: "UPDATE instance SET data_set_offset = NULL") }
        let peer = PeerSCP()
        let concluded = try await archive.deliver(to: peer).concluded
        #expect(concluded?.state == .done)
        #expect(await peer.received.dataSets.map(\.bytes) == archive.dataSets.map(\.bytes))
    }

    @Test("an instance the peer refuses is recorded failed with its status; out of resources waits for a retry")
    func peerStatusesBecomeItemStates() async throws {
        let archive = try await RoutedArchive.make()
        defer { archive.remove() }
        let uids = archive.dataSets.map(\.sopInstanceUID)
        let peer = PeerSCP(statuses: [uids[0]: .dataSetDoesNotMatchSOPClass, uids[1]: .outOfResources])
        let (job, concluded) = try await archive.deliver(to: peer)
        #expect(concluded?.state == .failedWillRetry)
        #expect(concluded?.attempts == 1)
        let items = try archive.items(of: job)
        #expect(items[uids[0]]?.state == .failed && items[uids[0]]?.status == 0xA900)
        #expect(items[uids[1]]?.state == .queued && items[uids[1]]?.status == 0xA700)
        #expect(items[uids[2]]?.state == .delivered && items[uids[2]]?.status == 0)
    }

    @Test("an archived file gone from disk is recorded failed; the others are delivered and the job ends dead")
    func missingFileIsRefused() async throws {
        let archive = try await RoutedArchive.make()
        defer { archive.remove() }
        let lost = archive.dataSets[1].sopInstanceUID
        let path = try #require(try archive.index.instance(sopInstanceUID: lost)).record.filePath
        try FileManager.default.removeItem(at: archive.index.root.url(relativePath: path))
        let peer = PeerSCP()
        let (job, concluded) = try await archive.deliver(to: peer)
        #expect(concluded?.state == .dead)
        #expect(try archive.items(of: job)[lost]?.state == .failed)
        #expect(await peer.received.dataSets.map(\.sopInstanceUID) == archive.dataSets.map(\.sopInstanceUID).filter { $0 != lost })
    }

    @Test("an unreachable destination: the job waits for a retry with the reason, nothing recorded delivered")
    func unreachablePeer() async throws {
        let archive = try await RoutedArchive.make()
        defer { archive.remove() }
        let settings = archive.settings(port: try await closedPort())
        let job = try await archive.claimedJob(settings: settings)
        let concluded = try await archive.delivery(settings).deliver(job)
        #expect(concluded?.state == .failedWillRetry)
        #expect(concluded?.lastError?.isEmpty == false)
        #expect(try archive.items(of: job).values.allSatisfy { $0.state == .queued })
    }

    @Test("while a response is outstanding the claim is renewed, so no other worker can take the job")
    func claimRenewedWhileWaiting() async throws {
        let archive = try await RoutedArchive.make(instances: 1)
        defer { archive.remove() }
        let gate = ResponseGate()
        let peer = PeerSCP(gate: gate)
        let concluded = try await peer.serve { port in
            let settings = archive.settings(port: port, lease: .seconds(3))
            let job = try await archive.claimedJob(settings: settings)
            let firstExpiry = try #require(job.leaseExpiresAt)
            let delivering = Task { try await archive.delivery(settings).deliver(job) }
            while await gate.arrivals == 0 { try await Task.sleep(for: .milliseconds(20)) }
            // Past the first claim's expiry: only renewals keep the job from another worker.
            try await Task.sleep(for: .seconds(firstExpiry.timeIntervalSinceNow + 0.5))
            let taken = try await archive.queue.claim(limit: 1, owner: "other-worker", lease: .seconds(30))
            let renewed = try archive.queue.job(job.id)?.leaseExpiresAt
            await gate.open()
            let concluded = try await delivering.value
            #expect(taken.isEmpty)
            #expect(renewed.map { $0 > firstExpiry } == true)
            return concluded
        }
        #expect(concluded?.state == .done)
    }
}
