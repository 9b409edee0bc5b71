import Foundation
import TandemArchive
import Testing
@testable import TandemCluster

/// The epoch authority against a real index in a scratch data root.
@Suite struct ArchiveBindingTests {
    @Test func noHolderUntilTheFirstPromotionThenBumpsUnlessProven() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let authority = ArchiveEpochAuthority(root: DataRoot(url: scratch.root))
        #expect(try authority.current() == nil)

        let first = try authority.promote(node: "node1", proof: nil)
        #expect(try authority.promote(node: "node1", proof: first) == first)
        let twin = try authority.promote(node: "node1", proof: nil)
        #expect(twin.epoch == first.epoch + 1 && twin.node == "node1" && twin.token != first.token)
        let second = try authority.promote(node: "node2", proof: first)
        #expect(second.epoch == twin.epoch + 1 && second.node == "node2")
        #expect(try authority.current() == EpochState(epoch: second.epoch, holder: "node2"))
    }

    @Test func aServiceOfTheOldEpochIsFencedAfterAPromotionElsewhere() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let root = DataRoot(url: scratch.root)
        let old = try ArchiveEpochAuthority(root: root).promote(node: "node1", proof: nil)
        let staleService = try ArchiveIndex(root: root, epoch: old.epoch)
        _ = try ArchiveEpochAuthority(root: root).promote(node: "node2", proof: nil)

        #expect(throws: FencedError.self) {
            try staleService.write { db in try db.execute(sql: "SELECT 1") }
        }
    }

    @Test func promotionRemovesPartialReceivesOfDeadWriters() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let root = DataRoot(url: scratch.root)
        let housekeeping = ArchiveHousekeeping(root: root)
        #expect(try housekeeping.recoverIncoming() == 0)
        try FileManager.default.createDirectory(at: root.incomingDirectory, withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: root.incomingDirectory.appendingPathComponent("leftover.part"))
        #expect(try housekeeping.recoverIncoming() == 1)
    }

    @Test func promotionReleasesJobsTheOldActiveNodeHadClaimed() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let root = DataRoot(url: scratch.root)
        let housekeeping = ArchiveHousekeeping(root: root)
        #expect(try housekeeping.queueDepth() == nil)  // nothing mounted here yet

        let old = try ArchiveEpochAuthority(root: root).promote(node: "node1", proof: nil)
        let oldWorker = JobQueue(index: try ArchiveIndex(root: root, epoch: old.epoch))
        _ = try await oldWorker.index.insert([Self.record(sop: "1.2.3.4.5")])
        _ = try await oldWorker.routeNewInstances { _ in [RouteTarget(destination: "DEST", routeName: "r", stableAfterSeconds: 0)] }
        let claimed = try await oldWorker.claim(limit: 1, owner: "node1/42", lease: .seconds(3600))
        #expect(claimed.count == 1)

        let new = try ArchiveEpochAuthority(root: root).promote(node: "node2", proof: nil)
        #expect(try housekeeping.releaseJobs(claimedBefore: new.epoch) == 1)
        #expect(try oldWorker.job(claimed[0].id)?.state == .pending)
        #expect(try housekeeping.queueDepth() == 1)
    }

    static func record(sop: String) -> InstanceRecord {
        InstanceRecord(
            patient: PatientAttributes(patientID: "P1", name: "DOE^JANE", birthDate: nil, sex: nil),
            study: StudyAttributes(studyInstanceUID: "1.2.3", date: nil, time: nil, accessionNumber: nil, description: nil,
                                   referringPhysician: nil),
            series: SeriesAttributes(seriesInstanceUID: "1.2.3.4", modality: "CT", number: 1, description: nil, bodyPart: nil),
            sopInstanceUID: sop, sopClassUID: "1.2.840.10008.5.1.4.1.1.2", instanceNumber: 1,
            transferSyntaxUID: "1.2.840.10008.1.2.1", filePath: "objects/x/\(sop).dcm", fileSize: 1, receivedAt: Date(),
            callingAE: "SITE1", calledAE: "TANDEM")
    }
}
