import Foundation
import GRDB

/// What a whole-archive consistency check (`clusterctl fsck`) found, and repaired when asked.
public struct ConsistencyReport: Sendable, Equatable, Codable {
    /// Files under `objects/` and index rows looked at.
    public var filesChecked = 0
    public var rowsChecked = 0
    /// Files no row points at, relative to the root (journaled files in flight excluded).
    public var orphans: [String] = []
    /// Orphans indexed by the repair (keep-first).
    public var reindexed = 0
    /// Orphans removed by the repair: their SOP instance is indexed under another path.
    public var droppedDuplicates = 0
    /// Orphans the parser refused: left in place.
    public var unreadable: [UnreadableObject] = []
    /// Published files still journaled in `incoming/`: being indexed now, or settled by the
    /// next start-up recovery. Not orphans.
    public var inFlight = 0
    /// Rows whose file is absent.
    public var missing: [MissingObject] = []
    /// Of those, marked `missing_since` by this repair (the rest were marked before).
    public var markedMissing = 0
    /// Rows marked missing whose file is back (the repair clears the mark).
    public var reappeared = 0

    public init() {}

    /// Nothing found: every file is indexed and every row has its file.
    public var isConsistent: Bool { orphans.isEmpty && missing.isEmpty && reappeared == 0 }
}

/// An index row without its file.
public struct MissingObject: Sendable, Equatable, Codable {
    public var sopInstanceUID: String
    public var relativePath: String
}

extension ArchiveIndex {
    /// Compares the whole of `objects/` with the whole index: files without rows (orphans) and
    /// rows without files (missing). With `repair`, orphans are indexed keep-first (or removed
    /// when their SOP instance is indexed elsewhere), missing rows are marked
    /// `missing_since` (queries and routing then know; a copy received again restores them), and
    /// rows whose file is back are unmarked.
    ///
    /// Meant to run while the archive serves: files are listed outside any transaction, rows are
    /// read in pages of `pageSize` (each a short read, which never blocks a WAL writer), and
    /// each repair is its own small fenced write that checks again, inside it, that the problem
    /// is still there. A file still journaled in `incoming/` is in flight, not an orphan.
    /// Orphans are read with ingest's own `IndexAttributes`.
    public func checkConsistency(repair: Bool, pageSize: Int = 500) throws -> ConsistencyReport {
        try checkConsistency(repair: repair, pageSize: pageSize, parse: IndexAttributes.recoveredRecord(fileAt:))
    }

    /// The check with `parse` reading an orphan into a record (tests pass stand-ins).
    func checkConsistency(repair: Bool, pageSize: Int = 500,
                          parse: (URL) throws -> InstanceRecord) throws -> ConsistencyReport {
        var report = ConsistencyReport()
        var page: [String] = []
        for relativePath in objectFiles() {
            page.append(relativePath)
            if page.count == pageSize {
                try checkFiles(page, repair: repair, parse: parse, into: &report)
                page.removeAll(keepingCapacity: true)
            }
        }
        try checkFiles(page, repair: repair, parse: parse, into: &report)
        try checkRows(repair: repair, pageSize: pageSize, into: &report)
        return report
    }

    /// Regular files under `objects/`, relative to the root, listed lazily.
    private func objectFiles() -> AnySequence<String> {
        let prefix = root.url.path + "/"
        guard let enumerator = FileManager.default.enumerator(at: root.objectsDirectory,
                                                              includingPropertiesForKeys: [.isRegularFileKey])
        else { return AnySequence([]) }
        return AnySequence(enumerator.lazy.compactMap { item in
            guard let url = item as? URL,
                  (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  url.path.hasPrefix(prefix) else { return nil }
            return String(url.path.dropFirst(prefix.count))
        })
    }

    private func checkFiles(_ paths: [String], repair: Bool, parse: (URL) throws -> InstanceRecord,
                            into report: inout ConsistencyReport) throws {
        guard !paths.isEmpty else { return }
        report.filesChecked += paths.count
        let indexed = try read { db in
            try Set(String.fetchAll(db, sql: """
                SELECT file_path FROM instance WHERE file_path IN (\(databaseQuestionMarks(count: paths.count)))
                """, arguments: StatementArguments(paths)))
        }
        for relativePath in paths where !indexed.contains(relativePath) {
            let url = root.url(relativePath: relativePath)
            var status = stat()
            guard lstat(url.path, &status) == 0 else { continue }  // removed meanwhile
            if status.st_nlink > 1 {
                report.inFlight += 1
                continue
            }
            // Indexed and settled between the page's read and the link count: not an orphan.
            if try isIndexed(relativePath) { continue }
            report.orphans.append(relativePath)
            if repair { try reindexOrphan(relativePath, size: Int64(status.st_size), parse: parse, into: &report) }
        }
    }

    private func isIndexed(_ relativePath: String) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM instance WHERE file_path = ?", arguments: [relativePath]) ?? false
        }
    }

    private func reindexOrphan(_ relativePath: String, size: Int64, parse: (URL) throws -> InstanceRecord,
                               into report: inout ConsistencyReport) throws {
        var record: InstanceRecord
        do {
            record = try parse(root.url(relativePath: relativePath))
        } catch {
            report.unreadable.append(UnreadableObject(relativePath: relativePath, reason: "\(error)"))
            return
        }
        record.filePath = relativePath
        record.fileSize = size
        do {
            switch try indexRecovered(record) {
            case .duplicateKept?: report.droppedDuplicates += 1
            case nil: break
            default: report.reindexed += 1
            }
        } catch let error as IndexError {
            report.unreadable.append(UnreadableObject(relativePath: relativePath, reason: error.description))
        }
    }

    private func checkRows(repair: Bool, pageSize: Int, into report: inout ConsistencyReport) throws {
        var after: Int64 = 0
        while true {
            let rows = try read { db in
                try Row.fetchAll(db, sql: """
                    SELECT id, sop_instance_uid, file_path, missing_since FROM instance WHERE id > ? ORDER BY id LIMIT ?
                    """, arguments: [after, pageSize])
            }
            guard let last = rows.last else { return }
            after = last["id"]
            report.rowsChecked += rows.count
            for row in rows {
                let relativePath: String = row["file_path"]
                let present = access(root.url(relativePath: relativePath).path, F_OK) == 0
                let marked = (row["missing_since"] as Date?) != nil
                if !present {
                    report.missing.append(MissingObject(sopInstanceUID: row["sop_instance_uid"], relativePath: relativePath))
                }
                if present && marked { report.reappeared += 1 }
                if repair && present == marked, try mark(row["id"], relativePath, missing: !present) {
                    if !present { report.markedMissing += 1 }
                }
            }
        }
    }

    /// Sets or clears `missing_since` if the row still points at `relativePath` and the file is
    /// still as seen (checked inside the write: a copy received meanwhile is not marked lost).
    private func mark(_ id: Int64, _ relativePath: String, missing: Bool) throws -> Bool {
        let path = root.url(relativePath: relativePath).path
        return try write { db in
            guard (access(path, F_OK) != 0) == missing else { return false }
            try db.execute(sql: """
                UPDATE instance SET missing_since = ? WHERE id = ? AND file_path = ? AND (missing_since IS NULL) = ?
                """, arguments: [missing ? Date() : nil, id, relativePath, missing])
            return db.changesCount > 0
        }
    }
}
