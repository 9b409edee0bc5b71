import DICOMCore
import Foundation
import GRDB
import Logging
import Testing
@testable import TandemArchive

/// Migration "sequence-keys" on an archive that already holds instances: their sequences are
/// read from their files after start-up (`fillSequenceKeys`), never by rebuilding the index.
@Suite struct SequenceBackfillTests {
    /// Instance `number` of study 1.2.826.0.1.3680043.10.9.100, a file on disk whose Procedure
    /// Code Sequence holds `code`; the record the index gets carries no sequences, as before the migration.
    static func stored(_ number: Int, code: String, in root: DataRoot) throws -> InstanceRecord {
        let study = "1.2.826.0.1.3680043.10.9.100", series = "\(study).\(number)", sop = "\(series).1"
        var dataSet = DataSet()
        try dataSet.set(.sopClassUID, vr: .UI, string: "1.2.840.10008.5.1.4.1.1.2")
        try dataSet.set(.sopInstanceUID, vr: .UI, string: sop)
        try dataSet.set(.studyInstanceUID, vr: .UI, string: study)
        try dataSet.set(.seriesInstanceUID, vr: .UI, string: series)
        var item = DataSet()
        try item.set(.codeValue, vr: .SH, string: code)
        dataSet.set(.procedureCodeSequence, items: [item])
        var anatomy = DataSet()
        try anatomy.set(.codeValue, vr: .SH, string: "T-A0100-\(number)")
        dataSet.set(.anatomicRegionSequence, items: [anatomy])
        let path = "objects/backfill/\(number).dcm"
        let url = root.url(relativePath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(try DICOMFile(dataSet: dataSet, transferSyntax: .explicitVRLittleEndian).encoded()).write(to: url)
        return InstanceRecord(
            patient: PatientAttributes(patientID: "BACKFILL"), study: StudyAttributes(studyInstanceUID: study),
            series: SeriesAttributes(seriesInstanceUID: series, modality: "CT"), sopInstanceUID: sop,
            sopClassUID: "1.2.840.10008.5.1.4.1.1.2", transferSyntaxUID: "1.2.840.10008.1.2.1", filePath: path,
            fileSize: 10)
    }

    static func studies(withCode code: String, in index: ArchiveIndex) throws -> Int {
        var identifier = DataSet()
        try identifier.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
        var item = DataSet()
        try item.set(.codeValue, vr: .SH, string: code)
        identifier.set(.procedureCodeSequence, items: [item])
        return try index.find(QueryRequest(identifier: identifier, model: .studyRoot)).matches.count
    }

    @Test func instancesArchivedBeforeTheMigrationGetTheirSequencesFromTheirFiles() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let records = try (1...3).map { try Self.stored($0, code: $0 == 1 ? "FIRST" : "LATER", in: temporary.root) }
        do {
            let index = try ArchiveIndex(root: temporary.root, environment: [:])
            _ = try await index.insert(records)
            // As the previous schema left it: the migration has not run.
            try await index.write { db in
                try db.execute(sql: """
                    DROP TABLE sequence_attribute; DROP TABLE sequence_backfill;
                    DELETE FROM grdb_migrations WHERE identifier = 'sequence-keys'
                    """)
            }
        }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        #expect(try Self.studies(withCode: "FIRST", in: index) == 0)  // not read yet

        try await index.fillSequenceKeys(logger: Logger(label: "test"))
        // The study's sequence is its first instance's; each instance keeps its own anatomy.
        #expect(try Self.studies(withCode: "FIRST", in: index) == 1)
        #expect(try Self.studies(withCode: "LATER", in: index) == 0)
        let rows = try index.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sequence_attribute WHERE sequence_tag = ?",
                             arguments: [Int64(DICOMCore.Tag.anatomicRegionSequence.value)])
        }
        #expect(rows == 3)
        #expect(try await index.nextSequenceBackfillBatch() == nil)  // done: the next start-up reads nothing
    }

    @Test func aNewArchiveHasNothingToFill() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        #expect(try await index.nextSequenceBackfillBatch() == nil)
    }
}
