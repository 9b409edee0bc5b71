import Foundation
import GRDB

extension ArchiveIndex {
    /// Indexes a batch in ONE fenced transaction (one fsync for all of them) and returns one outcome
    /// per record, in order. Files the outcome leaves unreferenced (a kept-first duplicate's new
    /// copy, an overwritten instance's old file) are removed once the transaction has committed.
    public func insert(_ records: [InstanceRecord]) throws -> [InsertOutcome] {
        try insert(records, policy: duplicatePolicy)
    }

    /// The async form of `insert`, for the receiver's tasks.
    public func insert(_ records: [InstanceRecord]) async throws -> [InsertOutcome] {
        let policy = duplicatePolicy
        let (outcomes, unreferenced) = try await write { db in try Self.insert(records, policy: policy, db) }
        removeFiles(unreferenced)
        return outcomes
    }

    /// Ingest's form of `insert` (`CatalogueWriter.insert(_:unflushedJournalEntry:)` for each
    /// received record). The notes of `flushed` files, durable by now, are cleared in the same
    /// transaction, which costs no commit of its own.
    func insert(_ records: [(record: InstanceRecord, kind: GroupCommitter.InsertKind)],
                clearingNotesOf flushed: [String]) async throws -> [CommittedInsert] {
        let policy = duplicatePolicy
        let (results, unreferenced) = try await write { db in
            try UnflushedObjectSchema.clear(flushed, db)
            var writer = CatalogueWriter(db: db, policy: policy)
            let results = try records.map { record, kind in
                switch kind {
                case .plain: return CommittedInsert(outcome: try writer.insert(record))
                case .received(let journalEntry): return try writer.insert(record, unflushedJournalEntry: journalEntry)
                }
            }
            return (results, writer.unreferencedFiles)
        }
        removeFiles(unreferenced)
        return results
    }

    func insert(_ records: [InstanceRecord], policy: DuplicatePolicy) throws -> [InsertOutcome] {
        let (outcomes, unreferenced) = try write { db in try Self.insert(records, policy: policy, db) }
        removeFiles(unreferenced)
        return outcomes
    }

    private static func insert(_ records: [InstanceRecord], policy: DuplicatePolicy,
                               _ db: Database) throws -> ([InsertOutcome], [String]) {
        var writer = CatalogueWriter(db: db, policy: policy)
        let outcomes = try records.map { try writer.insert($0) }
        return (outcomes, writer.unreferencedFiles)
    }

    /// Best effort: a file left behind here is dropped again because its SOP instance is indexed
    /// under another path — by start-up recovery when it is a new copy (still journaled in
    /// `incoming/`), by `clusterctl fsck --repair` when it is an overwritten old file.
    func removeFiles(_ relativePaths: [String]) {
        for path in relativePaths {
            unlink(root.url(relativePath: path).path)
        }
    }

    /// Removes an object linked under `objects/` whose indexing failed, inside a fenced write:
    /// while this process holds the write lock under the current epoch no promotion, and so no
    /// other node's recovery, can index the file meanwhile. Throws `FencedError` (the file is
    /// left alone) when this process was fenced; never removes a file a row points to.
    public func discardUnindexedObject(_ relativePath: String) async throws {
        let path = root.url(relativePath: relativePath).path
        try await write { db in
            let indexed = try Bool.fetchOne(db, sql: "SELECT 1 FROM instance WHERE file_path = ?",
                                            arguments: [relativePath]) ?? false
            if !indexed { unlink(path) }
        }
    }

    // MARK: - Lookups

    public func instance(sopInstanceUID: String) throws -> IndexedInstance? {
        try read { db in
            try Row.fetchOne(db, sql: IndexedInstance.selectSQL + " WHERE instance.sop_instance_uid = ?",
                             arguments: [sopInstanceUID]).map(IndexedInstance.init(row:))
        }
    }

    public func study(studyInstanceUID: String) throws -> StudySummary? {
        try read { db in
            try Row.fetchOne(db, sql: StudySummary.selectSQL + " WHERE study.study_uid = ?",
                             arguments: [studyInstanceUID]).map(StudySummary.init(row:))
        }
    }

    public func series(seriesInstanceUID: String) throws -> SeriesSummary? {
        try read { db in
            try Row.fetchOne(db, sql: SeriesSummary.selectSQL + " WHERE series_uid = ?",
                             arguments: [seriesInstanceUID]).map(SeriesSummary.init(row:))
        }
    }

    public func counts() throws -> ArchiveCounts {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM patient) AS patients, (SELECT count(*) FROM study) AS studies,
                       (SELECT count(*) FROM series) AS series, (SELECT count(*) FROM instance) AS instances,
                       (SELECT count(*) FROM instance WHERE missing_since IS NOT NULL) AS missing
                """)!
            return ArchiveCounts(patients: row["patients"], studies: row["studies"], series: row["series"],
                                 instances: row["instances"], missingInstances: row["missing"])
        }
    }
}

/// Totals across the archive.
public struct ArchiveCounts: Sendable, Equatable {
    public var patients: Int
    public var studies: Int
    public var series: Int
    public var instances: Int
    /// Indexed instances whose file was not found at the last start-up check.
    public var missingInstances: Int
}
