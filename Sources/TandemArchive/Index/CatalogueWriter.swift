import Foundation
import GRDB

/// Inserts instances inside a transaction, maintaining the study and series counts and applying
/// the duplicate policy. Files that end up referenced by no row are returned, to be removed only
/// after the transaction commits (a rollback must leave every indexed file in place).
struct CatalogueWriter {
    let db: Database
    let policy: DuplicatePolicy
    private(set) var unreferencedFiles: [String] = []

    init(db: Database, policy: DuplicatePolicy) {
        self.db = db
        self.policy = policy
    }

    mutating func insert(_ record: InstanceRecord) throws -> InsertOutcome {
        try place(record, deferringReplacedRemoval: false).outcome
    }

    /// `insert` of a received record whose file is still being flushed (`UnflushedObjectSchema`):
    /// a row it adds is noted with `journalEntry`, and the file an overwrite replaces is returned
    /// instead of removed, for the caller to remove once the new file is durable. Without a
    /// journal entry the file is durable already (its flush ended before this transaction began):
    /// no note, and a replaced file goes after the commit. Either way a kept first copy whose own
    /// file is still being flushed by another reception is returned: the duplicate's success may
    /// only be answered once that file is durable.
    mutating func insert(_ record: InstanceRecord, unflushedJournalEntry journalEntry: String?) throws -> CommittedInsert {
        let placed = try place(record, deferringReplacedRemoval: journalEntry != nil)
        switch placed.outcome {
        case .stored, .overwritten:
            guard let journalEntry else { return CommittedInsert(outcome: placed.outcome) }
            try UnflushedObjectSchema.note(filePath: record.filePath, replacedPath: placed.replacedPath,
                                           journalEntry: journalEntry, db)
            return CommittedInsert(outcome: placed.outcome, replacedPath: placed.replacedPath, noted: true)
        case .duplicateKept, .rejected:
            let kept = try String.fetchOne(statement("""
                SELECT unflushed_object.file_path FROM instance
                JOIN unflushed_object ON unflushed_object.file_path = instance.file_path
                WHERE instance.sop_instance_uid = ?
                """), arguments: [record.sopInstanceUID])
            return CommittedInsert(outcome: placed.outcome, replacedPath: nil, unflushedKeptPath: kept)
        }
    }

    private mutating func place(_ record: InstanceRecord,
                                deferringReplacedRemoval: Bool) throws -> (outcome: InsertOutcome, replacedPath: String?) {
        try Self.validate(record)
        guard let existing = try Row.fetchOne(statement("""
            SELECT id, file_path, missing_since FROM instance WHERE sop_instance_uid = ?
            """), arguments: [record.sopInstanceUID]) else {
            try insertNew(record)
            return (.stored, nil)
        }
        let existingPath: String = existing["file_path"]
        let existingIsMissing = existing["missing_since"] as Date? != nil
        // A copy on the same path, or one replacing a lost file, restores the row whatever the policy.
        if existingPath == record.filePath || existingIsMissing {
            try removeInstance(id: existing["id"])
            try insertNew(record)
            return (.overwritten, nil)
        }
        switch policy {
        case .keepFirst:
            unreferencedFiles.append(record.filePath)
            return (.duplicateKept, nil)
        case .reject:
            unreferencedFiles.append(record.filePath)
            return (.rejected, nil)
        case .overwrite:
            try removeInstance(id: existing["id"])
            try insertNew(record)
            // The old file is an acknowledged copy: it goes only once the new one is durable.
            if deferringReplacedRemoval { return (.overwritten, existingPath) }
            unreferencedFiles.append(existingPath)
            return (.overwritten, nil)
        }
    }

    /// UIDs and the path come from the network or a file walk: check them before they are stored.
    static func validate(_ record: InstanceRecord) throws {
        do {
            _ = try ValidatedUID(record.sopInstanceUID)
            _ = try ValidatedUID(record.study.studyInstanceUID)
            _ = try ValidatedUID(record.series.seriesInstanceUID)
        } catch {
            throw IndexError.invalidRecord(sopInstanceUID: record.sopInstanceUID, reason: error.description)
        }
        let components = record.filePath.split(separator: "/", omittingEmptySubsequences: false)
        guard components.count > 1, components.first == Substring(ObjectLocation.objectsDirectoryName),
              !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw IndexError.invalidRecord(sopInstanceUID: record.sopInstanceUID,
                                           reason: "path \(record.filePath.debugDescription) is not under objects/")
        }
    }

    private func insertNew(_ record: InstanceRecord) throws {
        let patientID = try patientRow(for: record)
        let studyID = try upsertStudy(record.study, patientID: patientID, receivedAt: record.receivedAt,
                                      callingAE: record.callingAE)
        let seriesID = try upsertSeries(record.series, studyID: studyID)
        try statement("""
            INSERT INTO instance (sop_instance_uid, series_ref, sop_class_uid, instance_number, transfer_syntax_uid,
                                  file_path, file_size, data_set_offset, received_at, calling_ae, called_ae)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [record.sopInstanceUID, seriesID, record.sopClassUID, record.instanceNumber,
                                     record.transferSyntaxUID, record.filePath, record.fileSize, record.dataSetOffset, record.receivedAt,
                                     record.callingAE, record.calledAE])
        if !record.sequences.isEmpty {
            try SequenceIndex.insert(record.sequences, owners: [
                .patient: patientID, .study: studyID, .series: seriesID, .instance: db.lastInsertedRowID,
            ], db)
        }
        try statement("UPDATE series SET number_of_instances = number_of_instances + 1 WHERE id = ?")
            .execute(arguments: [seriesID])
        // SOP Classes in Study gains the class when it is new to the study (arrival order).
        try statement("""
            UPDATE study SET number_of_instances = number_of_instances + 1, last_received_at = max(last_received_at, ?1),
                sop_classes_in_study = CASE
                    WHEN instr('\\' || sop_classes_in_study || '\\', '\\' || ?2 || '\\') > 0 THEN sop_classes_in_study
                    WHEN sop_classes_in_study = '' THEN ?2 ELSE sop_classes_in_study || '\\' || ?2 END
            WHERE id = ?3
            """).execute(arguments: [record.receivedAt, record.sopClassUID, studyID])
    }

    /// The patient row of a record: the one with its Patient ID within its issuer; for an empty
    /// Patient ID, the row of its study when the study is known, else a new row of its own (two
    /// unidentified studies are not the same patient).
    private func patientRow(for record: InstanceRecord) throws -> Int64 {
        let patient = record.patient
        let lookup = if patient.patientID.isEmpty {
            try Int64.fetchOne(statement("SELECT patient_ref FROM study WHERE study_uid = ?"),
                               arguments: [record.study.studyInstanceUID])
        } else {
            try Int64.fetchOne(statement("SELECT id FROM patient WHERE patient_id = ? AND issuer_of_patient_id = ?"),
                               arguments: [patient.patientID, patient.issuerOfPatientID])
        }
        if let id = lookup {
            try fillBlanks(table: "patient", id: id, ["patient_name": patient.name, "birth_date": patient.birthDate,
                                                       "sex": patient.sex,
                                                       "patient_name_folded": NameFolding.fold(patient.name)])
            return id
        }
        let key: StatementArguments = [patient.patientID, patient.issuerOfPatientID]
        try db.execute(sql: """
            INSERT INTO patient (patient_id, issuer_of_patient_id, patient_name, birth_date, sex, patient_name_folded)
            VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: key + [patient.name, patient.birthDate, patient.sex, NameFolding.fold(patient.name)])
        return db.lastInsertedRowID
    }

    private func upsertStudy(_ study: StudyAttributes, patientID: Int64, receivedAt: Date, callingAE: String) throws -> Int64 {
        if let id = try Int64.fetchOne(statement("SELECT id FROM study WHERE study_uid = ?"),
                                       arguments: [study.studyInstanceUID]) {
            try fillBlanks(table: "study", id: id, [
                "study_date": study.date, "study_time": study.time, "accession_number": study.accessionNumber,
                "study_id": study.studyID, "description": study.description,
                "referring_physician": study.referringPhysician,
            ])
            return id
        }
        try db.execute(sql: """
            INSERT INTO study (study_uid, patient_ref, study_date, study_time, accession_number, study_id, description,
                               referring_physician, last_received_at, first_received_at, calling_ae)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [study.studyInstanceUID, patientID, study.date, study.time, study.accessionNumber,
                             study.studyID, study.description, study.referringPhysician, receivedAt, receivedAt,
                             callingAE])
        return db.lastInsertedRowID
    }

    private func upsertSeries(_ series: SeriesAttributes, studyID: Int64) throws -> Int64 {
        if let id = try Int64.fetchOne(statement("SELECT id FROM series WHERE series_uid = ?"),
                                       arguments: [series.seriesInstanceUID]) {
            try fillBlanks(table: "series", id: id, ["series_number": series.number, "description": series.description,
                                                      "body_part": series.bodyPart])
            return id
        }
        try db.execute(sql: """
            INSERT INTO series (series_uid, study_ref, modality, series_number, description, body_part)
            VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [series.seriesInstanceUID, studyID, series.modality, series.number, series.description,
                             series.bodyPart])
        let seriesID = db.lastInsertedRowID
        try refreshStudySummary(studyID)
        return seriesID
    }

    /// The first instance's values win; a later instance only fills attributes that were absent.
    /// The WHERE clause skips the write (and the dirtied page) when nothing is blank, the usual case.
    private func fillBlanks(table: String, id: Int64,
                            _ values: KeyValuePairs<String, (any DatabaseValueConvertible)?>) throws {
        let present = values.filter { $0.value != nil }
        guard !present.isEmpty else { return }
        let blank = { (column: String) in "(\(column) IS NULL OR \(column) = '')" }
        let assignments = present.map { "\($0.key) = CASE WHEN \(blank($0.key)) THEN ? ELSE \($0.key) END" }
        let anyBlank = present.map { blank($0.key) }.joined(separator: " OR ")
        try statement("UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE id = ? AND (\(anyBlank))")
            .execute(arguments: StatementArguments(present.map(\.value) + [id]))
    }

    /// Statements are prepared once per connection: the same dozen run for every instance.
    private func statement(_ sql: String) throws -> Statement {
        try db.cachedStatement(sql: sql)
    }

    /// Removes an instance row and whatever it leaves empty, keeping every count exact.
    func removeInstance(id: Int64) throws {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT series.id AS series_id, series.study_ref AS study_id, study.patient_ref AS patient_id
            FROM instance JOIN series ON series.id = instance.series_ref JOIN study ON study.id = series.study_ref
            WHERE instance.id = ?
            """, arguments: [id]) else { return }
        let seriesID: Int64 = row["series_id"], studyID: Int64 = row["study_id"], patientID: Int64 = row["patient_id"]
        try db.execute(sql: "DELETE FROM instance WHERE id = ?", arguments: [id])
        try SequenceIndex.remove(.instance, id: id, db)
        try db.execute(sql: "UPDATE series SET number_of_instances = number_of_instances - 1 WHERE id = ?",
                       arguments: [seriesID])
        try db.execute(sql: "UPDATE study SET number_of_instances = number_of_instances - 1 WHERE id = ?",
                       arguments: [studyID])
        try db.execute(sql: "DELETE FROM series WHERE id = ? AND number_of_instances = 0", arguments: [seriesID])
        if db.changesCount > 0 { try SequenceIndex.remove(.series, id: seriesID, db) }
        try db.execute(sql: "DELETE FROM study WHERE id = ? AND number_of_instances = 0", arguments: [studyID])
        if db.changesCount > 0 { try SequenceIndex.remove(.study, id: studyID, db) }
        try refreshStudySummary(studyID)
        try db.execute(sql: "UPDATE study SET sop_classes_in_study = \(QuerySchema.sopClassesInStudy) WHERE id = ?",
                       arguments: [studyID])
        try db.execute(sql: """
            DELETE FROM patient WHERE id = ? AND NOT EXISTS (SELECT 1 FROM study WHERE patient_ref = ?)
            """, arguments: [patientID, patientID])
        if db.changesCount > 0 { try SequenceIndex.remove(.patient, id: patientID, db) }
    }

    /// Number of Study Related Series and Modalities in Study (sorted, backslash-separated as a
    /// multi-valued CS), recomputed whenever a series appears or disappears.
    private func refreshStudySummary(_ studyID: Int64) throws {
        let modalities = try String.fetchAll(db, sql: """
            SELECT DISTINCT modality FROM series WHERE study_ref = ? AND modality <> '' ORDER BY modality
            """, arguments: [studyID])
        try db.execute(sql: """
            UPDATE study SET number_of_series = (SELECT count(*) FROM series WHERE study_ref = study.id),
                             modalities_in_study = ?
            WHERE id = ?
            """, arguments: [modalities.joined(separator: "\\"), studyID])
    }
}

/// A record the index cannot take.
public enum IndexError: Error, Equatable, CustomStringConvertible {
    case invalidRecord(sopInstanceUID: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidRecord(uid, reason): "cannot index \(uid.debugDescription): \(reason)"
        }
    }
}
