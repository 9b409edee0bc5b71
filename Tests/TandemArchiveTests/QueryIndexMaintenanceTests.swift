import Foundation
import GRDB
import Testing
@testable import TandemArchive

/// The "query-keys" migration and the ingest path keep the query columns right.
@Suite struct QueryIndexMaintenanceTests {
    @Test func migrationBackfillsExistingRows() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let queue = try DatabaseQueue(path: temporary.root.indexFile.path)
        try IndexSchema.migrator.migrate(queue, upTo: "routing-queue")
        // An archive as the previous schema wrote it.
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO patient (id, patient_id, patient_name) VALUES (1, 'P1', 'Müller^Hans'), (2, 'P2', '');
                INSERT INTO study (id, study_uid, patient_ref, study_date, last_received_at, number_of_series,
                                   number_of_instances, modalities_in_study)
                    VALUES (1, '1.2.3', 1, '20240101', '2024-01-01 00:00:00', 2, 3, 'CT\\SR'),
                           (2, '1.2.4', 2, '20240102', '2024-01-01 00:00:00', 1, 1, 'MR');
                INSERT INTO series (id, series_uid, study_ref, modality, number_of_instances)
                    VALUES (1, '1.2.3.1', 1, 'CT', 2), (2, '1.2.3.2', 1, 'SR', 1), (3, '1.2.4.1', 2, 'MR', 1);
                INSERT INTO instance (sop_instance_uid, series_ref, sop_class_uid, transfer_syntax_uid, file_path,
                                      file_size, received_at, calling_ae, called_ae)
                    VALUES ('1.2.3.1.1', 1, '1.2.840.10008.5.1.4.1.1.88.11', '1.2.840.10008.1.2.1', 'objects/a', 1,
                            '2024-01-01 00:00:00', 'A', 'B'),
                           ('1.2.3.1.2', 1, '1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.1.2.1', 'objects/b', 1,
                            '2024-01-01 00:00:00', 'A', 'B'),
                           ('1.2.3.2.1', 2, '1.2.840.10008.5.1.4.1.1.88.11', '1.2.840.10008.1.2.1', 'objects/c', 1,
                            '2024-01-01 00:00:00', 'A', 'B'),
                           ('1.2.4.1.1', 3, '1.2.840.10008.5.1.4.1.1.4', '1.2.840.10008.1.2.1', 'objects/d', 1,
                            '2024-01-01 00:00:00', 'A', 'B');
                """)
        }
        try queue.close()

        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let request = try QueryRequest(model: .studyRoot, level: .study, keys: [
            QueryKey(.patientName, "müller*"), QueryKey(.sopClassesInStudy), QueryKey(.studyID),
        ], options: QueryOptions(caseInsensitiveNames: true))
        let match = try #require(try index.find(request).matches.first)
        #expect(match.string(.studyInstanceUID) == "1.2.3")
        #expect(match[.sopClassesInStudy]?.values == ["1.2.840.10008.5.1.4.1.1.88.11", "1.2.840.10008.5.1.4.1.1.2"])
        #expect(match[.studyID]?.values == [])
        let folded = try index.read { db in try String.fetchAll(db, sql: "SELECT patient_name_folded FROM patient ORDER BY id") }
        #expect(folded == ["müller^hans", ""])
    }

    @Test func ingestFillsTheQueryColumnsAndKeepsThemOnRemoval() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, storage: StorageSettings(duplicatePolicy: .overwrite),
                                     environment: [:])
        var first = IndexFixtures.record(sop: "1.2.3.1.1.1", patientName: "")
        first.study.studyID = "42"
        var second = IndexFixtures.record(sop: "1.2.3.1.1.2", patientName: "Ångström^Anders")
        second.sopClassUID = "1.2.840.10008.5.1.4.1.1.4"
        _ = try index.insert([first, second])
        let request = try QueryRequest(model: .studyRoot, level: .study, keys: [
            QueryKey(.patientName, "ångström*"), QueryKey(.sopClassesInStudy), QueryKey(.studyID),
        ], options: QueryOptions(caseInsensitiveNames: true))
        // The second instance filled the blank name, and its folded copy with it.
        let match = try #require(try index.find(request).matches.first)
        #expect(match.string(.studyID) == "42")
        #expect(match[.sopClassesInStudy]?.values == ["1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4"])

        // Overwriting the MR instance with a CT one leaves one class.
        var replacement = second
        replacement.sopClassUID = "1.2.840.10008.5.1.4.1.1.2"
        replacement.filePath = "objects/fixture/replacement.dcm"
        #expect(try index.insert([replacement]) == [.overwritten])
        #expect(try index.find(request).matches.first?[.sopClassesInStudy]?.values == ["1.2.840.10008.5.1.4.1.1.2"])
    }
}
