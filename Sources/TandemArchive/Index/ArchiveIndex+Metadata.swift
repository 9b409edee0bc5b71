import Foundation
import GRDB

/// A cache of each instance's WADO-RS metadata (its DICOM JSON without bulk data), so that a
/// study's `/metadata` is one indexed read instead of one file parse per instance. Derived data:
/// filled by dcmweb off the ingest path (on first request, and by a background filler), never
/// by a store. A row belongs to one `instance` row: an overwrite or removal replaces that row
/// (a new id), and the foreign key's cascade drops the stale entry with it.
public struct CachedInstance: Sendable {
    /// The `instance` row's id, which the cache is keyed by.
    public var instanceID: Int64
    public var record: InstanceRecord
}

/// An instance as a `/metadata` answer lists it: its row id and the UIDs of its WADO-RS URL.
public struct MetadataEntry: Sendable, Equatable {
    public var instanceID: Int64
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var sopInstanceUID: String
}

/// One page of a `/metadata` answer as the cache holds it: the templates found, and the
/// instances without one (to be read from their files).
public struct MetadataPage: Sendable {
    public var templates: [Int64: Data]
    public var misses: [CachedInstance]
}

enum MetadataCacheSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "instance_metadata") { table in
            table.primaryKey("instance_ref", .integer).references("instance", onDelete: .cascade)
            // The writer's format version: a newer dcmweb ignores (and rewrites) older entries.
            table.column("format", .integer).notNull()
            table.column("json", .blob).notNull()
        }
    }
}

extension ArchiveIndex {
    /// The present (not missing) instances of a study, optionally narrowed to one series and one
    /// SOP instance, in retrieve order, with their row ids.
    public func cachedInstances(studyInstanceUID: String, seriesInstanceUID: String? = nil,
                                sopInstanceUID: String? = nil) throws -> [CachedInstance] {
        let query = Self.retrieveQuery(studyInstanceUID: studyInstanceUID, seriesInstanceUID: seriesInstanceUID,
                                       sopInstanceUID: sopInstanceUID, presentOnly: true)
        return try read { db in
            try Row.fetchAll(db, sql: query.sql, arguments: query.arguments).map {
                CachedInstance(instanceID: $0["id"], record: IndexedInstance(row: $0).record)
            }
        }
    }

    /// What a `/metadata` answer lists, in retrieve order: only the row id and the UIDs, read by
    /// column position, since decoding whole records by name cost more than the rest of a
    /// cached answer together.
    public func metadataEntries(studyInstanceUID: String, seriesInstanceUID: String? = nil,
                                sopInstanceUID: String? = nil) throws -> [MetadataEntry] {
        let query = Self.retrieveQuery(studyInstanceUID: studyInstanceUID, seriesInstanceUID: seriesInstanceUID,
                                       sopInstanceUID: sopInstanceUID, presentOnly: true, select: """
            SELECT instance.id, study.study_uid, series.series_uid, instance.sop_instance_uid
            FROM instance JOIN series ON series.id = instance.series_ref JOIN study ON study.id = series.study_ref
            """)
        return try read { db in
            var entries: [MetadataEntry] = []
            let rows = try Row.fetchCursor(db, sql: query.sql, arguments: query.arguments)
            while let row = try rows.next() {
                entries.append(MetadataEntry(instanceID: row[0], studyInstanceUID: row[1], seriesInstanceUID: row[2],
                                             sopInstanceUID: row[3]))
            }
            return entries
        }
    }

    /// The cached metadata of `instanceIDs` written in `format`, by instance id; absent ids are misses.
    public func cachedMetadata(_ instanceIDs: [Int64], format: Int) throws -> [Int64: Data] {
        try read { db in try Self.templates(db, instanceIDs, format: format) }
    }

    /// The cached metadata of `instanceIDs` written in `format`, with the records of those that
    /// have none (and are still present), in one read.
    public func metadataPage(_ instanceIDs: [Int64], format: Int) throws -> MetadataPage {
        try read { db in
            let templates = try Self.templates(db, instanceIDs, format: format)
            let missing = instanceIDs.filter { templates[$0] == nil }
            guard !missing.isEmpty else { return MetadataPage(templates: templates, misses: []) }
            let misses = try Row.fetchAll(db, sql: IndexedInstance.selectSQL + """
                 WHERE instance.missing_since IS NULL AND instance.id IN (\(databaseQuestionMarks(count: missing.count)))
                """, arguments: StatementArguments(missing)).map {
                CachedInstance(instanceID: $0["id"], record: IndexedInstance(row: $0).record)
            }
            return MetadataPage(templates: templates, misses: misses)
        }
    }

    private static func templates(_ db: Database, _ instanceIDs: [Int64], format: Int) throws -> [Int64: Data] {
        guard !instanceIDs.isEmpty else { return [:] }
        var found: [Int64: Data] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT instance_ref, json FROM instance_metadata
            WHERE format = ? AND instance_ref IN (\(databaseQuestionMarks(count: instanceIDs.count)))
            """, arguments: StatementArguments([Int64(format)] + instanceIDs))
        while let row = try rows.next() { found[row[0]] = row[1] }
        return found
    }

    /// Stores metadata entries (a fenced write). An instance removed meanwhile is skipped.
    public func storeMetadata(_ entries: [(instanceID: Int64, json: Data)], format: Int) async throws {
        guard !entries.isEmpty else { return }
        let ids = entries.map(\.instanceID), documents = entries.map(\.json)
        try await write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO instance_metadata (instance_ref, format, json)
                SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM instance WHERE id = ?1)
                """)
            for (id, json) in zip(ids, documents) {
                try statement.execute(arguments: [id, Int64(format), json])
            }
        }
    }

    /// Up to `limit` present instances without a metadata entry in `format`, among those with ids
    /// in `ids`, highest id (newest) first: what the background filler works through.
    public func instancesWithoutMetadata(ids: ClosedRange<Int64>, format: Int, limit: Int) throws -> [CachedInstance] {
        try read { db in
            try Row.fetchAll(db, sql: IndexedInstance.selectSQL + """
                 LEFT JOIN instance_metadata ON instance_metadata.instance_ref = instance.id AND instance_metadata.format = ?
                 WHERE instance.id BETWEEN ? AND ? AND instance.missing_since IS NULL
                   AND instance_metadata.instance_ref IS NULL
                 ORDER BY instance.id DESC LIMIT ?
                """, arguments: [Int64(format), ids.lowerBound, ids.upperBound, limit]).map {
                CachedInstance(instanceID: $0["id"], record: IndexedInstance(row: $0).record)
            }
        }
    }

    /// The highest instance row id so far (0 for an empty archive).
    public func highestInstanceID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM instance") ?? 0 }
    }
}
