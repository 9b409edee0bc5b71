import Foundation
import GRDB

/// Index rows committed while their object file was still being flushed.
///
/// Ingest commits an instance's row and flushes its file at the same time, and acknowledges once
/// both are durable. In the row's transaction it notes the file in `unflushed_object`, with the
/// file an overwrite replaced (removed only once the new file is durable) and its writer's journal
/// entry in `incoming/`; a later transaction clears the note. After a crash, recovery visits the
/// notes only — what was in flight, never the whole archive — newest first: a complete file keeps
/// its row; a missing or short one loses it (it was never acknowledged), and the file it replaced,
/// still on disk, is indexed again.
enum UnflushedObjectSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "unflushed_object") { table in
            // The order of the notes is the order of the commits: recovery undoes the newest first.
            table.autoIncrementedPrimaryKey("id")
            table.column("file_path", .text).notNull().unique()
            table.column("replaced_path", .text)
            table.column("journal_entry", .text).notNull()
        }
    }

    static func note(filePath: String, replacedPath: String?, journalEntry: String, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO unflushed_object (file_path, replaced_path, journal_entry) VALUES (?, ?, ?)
            """).execute(arguments: [filePath, replacedPath, journalEntry])
    }

    static func clear(_ filePaths: [String], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM unflushed_object WHERE file_path = ?")
        for path in filePaths { try statement.execute(arguments: [path]) }
    }

    /// The SQL condition "the instance row `alias` is settled": its file is not being flushed.
    /// Every reader that reports or hands out instances (C-FIND and QIDO at the instance level,
    /// C-MOVE/C-GET and WADO selection, storage commitment, routing) adds it, so a row that a
    /// crash could still take back is never seen (docs/design.md, "Durability"). A lookup in
    /// the note table's unique `file_path` index; the table holds only what is in flight.
    static func settled(_ alias: String) -> String {
        "NOT EXISTS (SELECT 1 FROM unflushed_object WHERE unflushed_object.file_path = \(alias).file_path)"
    }

    /// The lowest instance row id still noted, as SQL (NULL when none is): the routing cursor
    /// stops below it, so an instance is met by the rules once, after it is settled.
    static let lowestNotedInstanceID = """
        (SELECT min(instance.id) FROM unflushed_object JOIN instance ON instance.file_path = unflushed_object.file_path)
        """
}

/// A note of `unflushed_object`.
struct UnflushedObject {
    let filePath: String
    let replacedPath: String?
    let journalEntry: String

    init(row: Row) {
        filePath = row["file_path"]
        replacedPath = row["replaced_path"]
        journalEntry = row["journal_entry"]
    }
}

extension ArchiveIndex {
    /// Clears the notes of files now durable, in a fenced transaction whose commit is not
    /// fsynced (`synchronous = NORMAL` for this one commit): the note only hides the row from
    /// readers, and a crash that loses the clearing leaves recovery a complete file to confirm.
    /// The next synced commit makes it durable with its own.
    func clearUnflushedNotes(_ filePaths: [String]) async throws {
        try requireWriteRight()
        let epoch = self.epoch
        do {
            try await database.writeWithoutTransaction { db in try Self.clearUnsynced(filePaths, epoch: epoch, db) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw Self.outOfResources(error)
        }
    }

    /// `clearUnflushedNotes` on the calling (blocking) thread: the thread that has just flushed
    /// the file clears its note without a trip through the group committer.
    func clearUnflushedNotesNow(_ filePaths: [String]) throws {
        try requireWriteRight()
        let epoch = self.epoch
        do {
            try database.writeWithoutTransaction { db in try Self.clearUnsynced(filePaths, epoch: epoch, db) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw Self.outOfResources(error)
        }
    }

    private static func clearUnsynced(_ filePaths: [String], epoch: Int64, _ db: Database) throws {
        // Never a cached statement: SQLite applies this pragma when it compiles it, so executing
        // a prepared one again would change nothing.
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        // Every other commit must stay synced, whatever happened to this one.
        defer { restoreFullSynchronous(db) }
        try db.inTransaction(.immediate) {
            try ClusterStateTable.checkEpoch(epoch, db)
            try UnflushedObjectSchema.clear(filePaths, db)
            return .commit
        }
    }

    private static func outOfResources(_ error: DatabaseError) -> StorageError {
        StorageError.outOfResources("index: \(error.message ?? "database or disk is full")")
    }

    private static func restoreFullSynchronous(_ db: Database) {
        do {
            try db.execute(sql: "PRAGMA synchronous = FULL")
        } catch {
            // SQLite refuses this pragma only on a broken connection. Going on would commit
            // acknowledged rows without an fsync, breaking the durability rule: stop instead.
            fatalError("cannot restore PRAGMA synchronous = FULL: \(error)")
        }
    }

    /// Settles, on a live node, the notes of writers that died since it started (a `dcmweb` or a
    /// second receiver killed mid-flush): until then they hide their instance and hold the routing
    /// cursor. Cheap when there are none (one read of the note table); the routing worker calls it
    /// on each pass. Fenced like every write.
    public func settleNotesOfDeadWriters() throws -> RecoverySummary {
        try settleNotesOfDeadWriters(parse: IndexAttributes.recoveredRecord(fileAt:))
    }

    func settleNotesOfDeadWriters(parse: (URL) throws -> InstanceRecord) throws -> RecoverySummary {
        var summary = RecoverySummary()
        try settleUnflushed(parse: parse, into: &summary)
        return summary
    }

    /// Settles the notes of writers that are gone (a live writer's note stays, as its files in
    /// `incoming/` do), each with its journal entry.
    func settleUnflushed(parse: (URL) throws -> InstanceRecord, into summary: inout RecoverySummary) throws {
        let notes = try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM unflushed_object ORDER BY id DESC").map(UnflushedObject.init(row:))
        }
        for note in notes {
            if let owner = IncomingFileName(note.journalEntry), owner.mayStillBeWriting { continue }
            try settle(note, parse: parse, into: &summary)
        }
    }

    /// Undoes the row of a file that did not become durable (the flush failed): the row goes,
    /// the file it replaced is indexed again. Used by ingest on the live process, where nothing
    /// will acknowledge the instance.
    func rollBackUnflushed(_ filePath: String, parse: (URL) throws -> InstanceRecord) throws {
        let note = try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM unflushed_object WHERE file_path = ?", arguments: [filePath])
                .map(UnflushedObject.init(row:))
        }
        guard let note else { return }
        var summary = RecoverySummary()
        try settle(note, parse: parse, keepingComplete: false, into: &summary)
    }

    private func settle(_ note: UnflushedObject, parse: (URL) throws -> InstanceRecord, keepingComplete: Bool = true,
                        into summary: inout RecoverySummary) throws {
        // Files are read outside the transaction; the write re-checks the rows it relies on.
        let rowSize = try read { db in
            try Int64.fetchOne(db, sql: "SELECT file_size FROM instance WHERE file_path = ?", arguments: [note.filePath])
        }
        let keep = keepingComplete && rowSize.map { isComplete(note.filePath, size: $0, parse: parse) } == true
        if keep {
            // Complete in the page cache is not durable: the writer died before its flush ended.
            // A failure leaves the note for a later pass (the note may be of an acknowledged
            // instance whose clearing was lost, so the row is not undone for it).
            try DurableFileSystem.syncLinkedFile(root.url(relativePath: note.filePath).path)
        }
        var replacement: InstanceRecord?
        if !keep, let replaced = note.replacedPath {
            do {
                replacement = try readObject(replaced, parse: parse)
            } catch {
                summary.unreadable.append(UnreadableObject(relativePath: replaced, reason: "\(error)"))
            }
        }
        let (unreferenced, restored) = try write { db -> ([String], Bool) in
            var writer = CatalogueWriter(db: db, policy: .keepFirst)
            var unreferenced: [String] = []
            var restored = false
            if keep {
                if let replaced = note.replacedPath, try !Self.isReferenced(replaced, db) { unreferenced.append(replaced) }
            } else {
                if let id = try Int64.fetchOne(db, sql: "SELECT id FROM instance WHERE file_path = ?",
                                               arguments: [note.filePath]) {
                    try writer.removeInstance(id: id)
                }
                unreferenced.append(note.filePath)
                if let replacement, try !Self.isReferenced(replacement.filePath, db) {
                    restored = try writer.insert(replacement) == .stored
                }
            }
            try UnflushedObjectSchema.clear([note.filePath], db)
            return (unreferenced + writer.unreferencedFiles, restored)
        }
        removeFiles(unreferenced)
        if !note.journalEntry.contains("/") {
            unlink(root.incomingDirectory.appendingPathComponent(note.journalEntry).path)
        }
        if keep {
            summary.confirmedUnflushed += 1
        } else if rowSize != nil {
            summary.rolledBackUnflushed += 1
        }
        if restored { summary.restoredReplaced += 1 }
    }

    /// The record of the object at `relativePath`, with its actual path and size; nil when it is gone.
    private func readObject(_ relativePath: String, parse: (URL) throws -> InstanceRecord) throws -> InstanceRecord? {
        let url = root.url(relativePath: relativePath)
        var status = stat()
        guard lstat(url.path, &status) == 0 else { return nil }
        var record = try parse(url)
        record.filePath = relativePath
        record.fileSize = Int64(status.st_size)
        return record
    }

    /// The file is there at the size its row was committed with and reads as a whole data set.
    private func isComplete(_ relativePath: String, size: Int64, parse: (URL) throws -> InstanceRecord) -> Bool {
        let url = root.url(relativePath: relativePath)
        var status = stat()
        guard lstat(url.path, &status) == 0, Int64(status.st_size) == size else { return false }
        return (try? parse(url)) != nil
    }

    private static func isReferenced(_ relativePath: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM instance WHERE file_path = ?", arguments: [relativePath]) ?? false
    }
}
