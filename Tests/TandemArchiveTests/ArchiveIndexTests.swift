import Foundation
import GRDB
import Testing
@testable import TandemArchive

@Suite struct ArchiveIndexTests {
    @Test func walModeCommitsWithFullSync() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        #expect(try index.journalMode() == "wal")
        // synchronous is per connection: ask the one that commits.
        #expect(try index.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        let migrations = try index.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        }
        #expect(migrations == ["catalogue", "cluster-state", "instance-missing-since", "routing-queue", "route-claim-id",
                             "patient-without-id", "instance-data-set-offset", "query-keys",
                             "cluster-holder-token", "web-access", "web-audit", "instance-metadata-cache",
                             "commitment-reports", "reading-room", "web-audit-series", "unflushed-object", "sequence-keys"])
    }

    @Test func rollbackJournalModeForNFS() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, storage: StorageSettings(journalMode: .delete),
                                     environment: [:])
        #expect(try index.journalMode() == "delete")
        #expect(try index.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        #expect(try index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1")]) == [.stored])
    }

    @Test func countsAreMaintainedOnInsert() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let outcomes = try index.insert([
            IndexFixtures.record(sop: "1.2.3.1.1.1", patientName: "Yamada^Tarou=山田^太郎"),
            IndexFixtures.record(sop: "1.2.3.1.1.2"),
            IndexFixtures.record(series: "1.2.3.1.2", sop: "1.2.3.1.2.1", modality: "SR"),
            IndexFixtures.record(study: "1.2.3.2", series: "1.2.3.2.1", sop: "1.2.3.2.1.1", modality: "MR"),
        ])
        #expect(outcomes == [.stored, .stored, .stored, .stored])
        #expect(try index.counts() == ArchiveCounts(patients: 1, studies: 2, series: 3, instances: 4, missingInstances: 0))

        let study = try #require(try index.study(studyInstanceUID: "1.2.3.1"))
        #expect(study.numberOfSeries == 2)
        #expect(study.numberOfInstances == 3)
        #expect(study.modalitiesInStudy == ["CT", "SR"])
        #expect(study.patientName == "Yamada^Tarou=山田^太郎")
        #expect(try index.series(seriesInstanceUID: "1.2.3.1.1")?.numberOfInstances == 2)

        let instance = try #require(try index.instance(sopInstanceUID: "1.2.3.1.2.1"))
        #expect(instance.record == IndexFixtures.record(series: "1.2.3.1.2", sop: "1.2.3.1.2.1", modality: "SR",
                                                        patientName: "Yamada^Tarou=山田^太郎"))
        #expect(instance.missingSince == nil)
        #expect(try index.instance(sopInstanceUID: "9.9") == nil)
        #expect(try index.study(studyInstanceUID: "9.9") == nil)
    }

    @Test func laterInstancesOnlyFillBlankAttributes() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        var second = IndexFixtures.record(sop: "1.2.3.1.1.2", accession: "A200")
        second.study.description = "OTHER"
        _ = try index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1", accession: nil), second])
        let study = try #require(try index.study(studyInstanceUID: "1.2.3.1"))
        #expect(study.attributes.accessionNumber == "A200")
        #expect(study.attributes.description == "CT HEAD")
    }

    @Test func samePatientIDFromAnotherIssuerIsAnotherPatient() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        var other = IndexFixtures.record(study: "1.2.3.2", series: "1.2.3.2.1", sop: "1.2.3.2.1.1")
        other.patient.issuerOfPatientID = "SITE2"
        _ = try index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1"), other])
        #expect(try index.counts().patients == 2)
    }

    @Test func aBadRecordRollsBackTheWholeBatch() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let traversal = IndexFixtures.record(sop: "1.2.3.1.1.2", path: "objects/../../etc/passwd")
        #expect(throws: IndexError.self) {
            try index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1"), traversal])
        }
        #expect(throws: IndexError.self) { try index.insert([IndexFixtures.record(sop: "1.2.x")]) }
        #expect(try index.counts().instances == 0)
    }
}

@Suite struct IndexFullDiskTests {
    /// The index on a 2 MiB tmpfs whose space is then used up by another file.
    @Test(.enabled(if: geteuid() == 0, "mounting tmpfs needs root"))
    func aFullDiskIsOutOfResourcesAndCommitsNothing() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        try temporary.withSmallFileSystem { root in
            let index = try ArchiveIndex(root: root, environment: [:])
            #expect(try index.insert([IndexFixtures.record(sop: "1.2.3.1.1.1")]) == [.stored])

            let fillerURL = root.url.appendingPathComponent("filler")
            #expect(FileManager.default.createFile(atPath: fillerURL.path, contents: nil))
            let filler = try FileHandle(forWritingTo: fillerURL)
            while (try? filler.write(contentsOf: Data(count: 64 * 1024))) != nil {}
            try? filler.close()

            let batch = (2...400).map { IndexFixtures.record(sop: "1.2.3.1.1.\($0)") }
            #expect {
                _ = try index.insert(batch)
            } throws: { error in
                guard case .outOfResources? = error as? StorageError else { return false }
                return true
            }
            #expect(try index.counts().instances == 1)
        }
    }
}
