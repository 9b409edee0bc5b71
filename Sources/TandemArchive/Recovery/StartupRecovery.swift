import Foundation
import GRDB

/// What start-up recovery found and did.
public struct RecoverySummary: Sendable, Equatable {
    /// Partial receives removed from `incoming/`.
    public var removedIncoming = 0
    /// Complete objects that had no index row (a crash between rename and commit), now indexed.
    public var reindexed = 0
    /// Unindexed files whose SOP instance was already indexed under another path (an overwrite
    /// interrupted before the old file went, or a never-acknowledged second copy): removed.
    public var droppedDuplicates = 0
    /// Unindexed files the parser refused; left in place for an operator to inspect.
    public var unreadable: [UnreadableObject] = []
    /// SOP Instance UIDs whose file disappeared since the last check, now marked `missing_since`.
    public var newlyMissing: [String] = []
    /// Instances marked missing earlier whose file is back.
    public var reappeared = 0
    /// All instances currently marked missing.
    public var missing = 0

    public init() {}
}

/// An object file that could not be re-indexed.
public struct UnreadableObject: Sendable, Equatable {
    public var relativePath: String
    public var reason: String
}

extension ArchiveIndex {
    /// Brings the data root and the index back in line after a crash (docs/design.md, "Durability"):
    /// removes `incoming/` leftovers, indexes object files that have no row with ingest's own
    /// reading of a Part 10 file (`IndexAttributes`), and marks rows whose file is gone. Writes
    /// are fenced like any other.
    public func recover() throws -> RecoverySummary {
        try recover(parse: IndexAttributes.recoveredRecord(fileAt:))
    }

    /// Recovery with `parse` reading an object file into a record; its `filePath` and `fileSize`
    /// are replaced by the file's actual ones. Tests pass stand-ins for files that are not DICOM.
    func recover(parse: (URL) throws -> InstanceRecord) throws -> RecoverySummary {
        var summary = RecoverySummary()
        summary.removedIncoming = try removeIncomingLeftovers()
        try reindexOrphans(parse: parse, into: &summary)
        try markMissingFiles(into: &summary)
        return summary
    }

    /// Removes partial receives whose writer is gone: those of processes no longer running, and
    /// those of an earlier process that had this process's id. A live process's files stay.
    @discardableResult
    public func removeIncomingLeftovers() throws -> Int {
        let incoming = root.incomingDirectory
        guard FileManager.default.fileExists(atPath: incoming.path) else { return 0 }
        var removed = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: incoming.path) {
            if let owner = IncomingFileName(name), owner.mayStillBeWriting { continue }
            if unlink(incoming.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    private func reindexOrphans(parse: (URL) throws -> InstanceRecord, into summary: inout RecoverySummary) throws {
        for relativePath in objectFiles() {
            let indexed = try read { db in
                try Bool.fetchOne(db, sql: "SELECT 1 FROM instance WHERE file_path = ?",
                                  arguments: [relativePath]) ?? false
            }
            if indexed { continue }
            let url = root.url(relativePath: relativePath)
            var record: InstanceRecord
            do {
                record = try parse(url)
            } catch {
                summary.unreadable.append(UnreadableObject(relativePath: relativePath, reason: "\(error)"))
                continue
            }
            record.filePath = relativePath
            record.fileSize = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64) ?? 0
            do {
                // Keep-first whatever the configured policy: an indexed row was acknowledged, an orphan was not.
                switch try insert([record], policy: .keepFirst).first {
                case .duplicateKept: summary.droppedDuplicates += 1
                default: summary.reindexed += 1
                }
            } catch let error as IndexError {
                summary.unreadable.append(UnreadableObject(relativePath: relativePath, reason: error.description))
            }
        }
    }

    /// Regular files under `objects/`, relative to the root.
    private func objectFiles() -> [String] {
        let objects = root.objectsDirectory
        guard let enumerator = FileManager.default.enumerator(at: objects,
                                                              includingPropertiesForKeys: [.isRegularFileKey])
        else { return [] }
        let prefix = root.url.path + "/"
        return enumerator.compactMap { item in
            guard let url = item as? URL,
                  (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  url.path.hasPrefix(prefix) else { return nil }
            return String(url.path.dropFirst(prefix.count))
        }
    }

    private func markMissingFiles(into summary: inout RecoverySummary) throws {
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT id, sop_instance_uid, file_path, missing_since FROM instance")
        }
        var lost: [(id: Int64, uid: String)] = []
        var found: [Int64] = []
        for row in rows {
            let exists = access(root.url(relativePath: row["file_path"]).path, F_OK) == 0
            let markedMissing = (row["missing_since"] as Date?) != nil
            if !exists && !markedMissing { lost.append((row["id"], row["sop_instance_uid"])) }
            if exists && markedMissing { found.append(row["id"]) }
        }
        let now = Date()
        summary.missing = try write { db in
            for entry in lost {
                try db.execute(sql: "UPDATE instance SET missing_since = ? WHERE id = ?", arguments: [now, entry.id])
            }
            for id in found {
                try db.execute(sql: "UPDATE instance SET missing_since = NULL WHERE id = ?", arguments: [id])
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM instance WHERE missing_since IS NOT NULL") ?? 0
        }
        summary.newlyMissing = lost.map(\.uid)
        summary.reappeared = found.count
    }
}
