import Foundation
import GRDB

/// What start-up recovery found in `incoming/` and did.
public struct RecoverySummary: Sendable, Equatable {
    /// Temp files of dead writers that were never published under `objects/`: removed.
    public var removedIncoming = 0
    /// Published objects that had no index row (a crash between link and commit): now indexed.
    public var reindexed = 0
    /// Journal entries of objects already indexed (a crash between commit and settle): removed.
    public var settled = 0
    /// Published objects whose SOP instance was already indexed under another path (an
    /// overwrite interrupted before the old file went, or a never-acknowledged second copy): removed.
    public var droppedDuplicates = 0
    /// Rows committed while their file was being flushed whose file turned out complete: kept.
    public var confirmedUnflushed = 0
    /// Rows committed while their file was being flushed whose file is missing or short (never
    /// acknowledged): removed.
    public var rolledBackUnflushed = 0
    /// Files an overwrite had replaced, indexed again because the new file did not survive.
    public var restoredReplaced = 0
    /// Unparsable journal entries of published objects without a row (their data lost in a power
    /// cut, never acknowledged): removed with the object.
    public var removedUnreadable = 0
    /// Journal entries that could not be settled (their object not where its UIDs say, or not
    /// found under `objects/`, or an indexed object now of another size): left in place for an
    /// operator to inspect.
    public var unreadable: [UnreadableObject] = []

    public init() {}
}

/// An object file that could not be (re-)indexed.
public struct UnreadableObject: Sendable, Equatable, Codable {
    public var relativePath: String
    public var reason: String
}

extension ArchiveIndex {
    /// Brings the data root and the index back in line after a crash (docs/design.md,
    /// "Durability") by settling the rows committed while their file was being flushed
    /// (`UnflushedObjectSchema`), then the journal in `incoming/` — never by walking `objects/`,
    /// so it costs what was in flight, not the archive's size. Each file whose writer is gone is either
    /// an unpublished temp file (one link: removed) or the journal entry of a published object
    /// (two links: the object is found under `objects/`, indexed keep-first if it has no row,
    /// and the entry removed), read with ingest's own reading of a Part 10 file
    /// (`IndexAttributes`); an entry that does not parse is settled by its inode
    /// (`settleUnreadable`). Writes are fenced like any other. The whole-archive check is
    /// `checkConsistency` (`clusterctl fsck`).
    public func recover() throws -> RecoverySummary {
        try recover(parse: IndexAttributes.recoveredRecord(fileAt:))
    }

    /// Recovery with `parse` reading an object file into a record; its `filePath` and `fileSize`
    /// are replaced by the file's actual ones. Tests pass stand-ins for files that are not DICOM.
    func recover(parse: (URL) throws -> InstanceRecord) throws -> RecoverySummary {
        // A process started under a superseded epoch settles nothing, even with nothing to write.
        try checkEpoch()
        var summary = RecoverySummary()
        try settleUnflushed(parse: parse, into: &summary)
        var unparsable: [(entry: IncomingFile, reason: String)] = []
        for entry in try abandonedIncomingFiles() {
            if entry.isPublished {
                let record: InstanceRecord
                do {
                    record = try parse(entry.url)
                } catch {
                    unparsable.append((entry, "\(error)"))
                    continue
                }
                try settle(entry, record: record, into: &summary)
            } else if unlink(entry.url.path) == 0 {
                summary.removedIncoming += 1
            }
        }
        try settleUnreadable(unparsable, into: &summary)
        return summary
    }

    /// Removes the temp files of dead writers that were never published; journal entries of
    /// published objects stay for `recover(parse:)`, which has the parser (promotion housekeeping
    /// runs this before the hooks start `dcmrecv`). Returns how many were removed.
    @discardableResult
    public func removeIncomingLeftovers() throws -> Int {
        try abandonedIncomingFiles().filter { !$0.isPublished && unlink($0.url.path) == 0 }.count
    }

    /// A file in `incoming/` whose writer is gone.
    struct IncomingFile {
        let url: URL
        let status: stat
        /// A second link: the object was published under `objects/` and may lack its row.
        var isPublished: Bool { status.st_nlink > 1 }
    }

    /// Files in `incoming/` of processes no longer running, or of an earlier process that had
    /// this process's id. A live process's files stay.
    func abandonedIncomingFiles() throws -> [IncomingFile] {
        let incoming = root.incomingDirectory
        guard FileManager.default.fileExists(atPath: incoming.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: incoming.path).compactMap { name in
            if let owner = IncomingFileName(name), owner.mayStillBeWriting { return nil }
            let url = incoming.appendingPathComponent(name)
            var status = stat()
            guard lstat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
            return IncomingFile(url: url, status: status)
        }
    }

    /// Settles a journal entry `record` was parsed from.
    private func settle(_ entry: IncomingFile, record parsed: InstanceRecord, into summary: inout RecoverySummary) throws {
        let entryPath = "incoming/" + entry.url.lastPathComponent
        var record = parsed
        guard let published = publishedPath(of: record, sameFileAs: entry.status) else {
            summary.unreadable.append(UnreadableObject(
                relativePath: entryPath, reason: "its other link is not in its series directory under objects/"))
            return
        }
        record.filePath = published
        record.fileSize = Int64(entry.status.st_size)
        do {
            switch try indexRecovered(record) {
            case nil: summary.settled += 1
            case .duplicateKept?: summary.droppedDuplicates += 1
            default: summary.reindexed += 1
            }
        } catch let error as IndexError {
            summary.unreadable.append(UnreadableObject(relativePath: entryPath, reason: error.description))
            return
        }
        unlink(entry.url.path)
    }

    /// Where under `objects/` the file with `status`'s inode was linked: its series directory,
    /// under its SOP Instance UID with or without a duplicate's suffix. One directory is read.
    private func publishedPath(of record: InstanceRecord, sameFileAs status: stat) -> String? {
        guard let location = try? ObjectLocation(studyUID: record.study.studyInstanceUID,
                                                 seriesUID: record.series.seriesInstanceUID,
                                                 sopInstanceUID: record.sopInstanceUID) else { return nil }
        let directory = location.directoryComponents.joined(separator: "/")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.url.path + "/" + directory)) ?? []
        let sop = location.sopInstanceUID.value
        return names.lazy
            .filter { $0 == location.fileName() || $0.hasPrefix(sop + ".") && $0.hasSuffix(".dcm") }
            .map { directory + "/" + $0 }
            .first { isSameFile($0, as: status) }
    }

    /// Whether `relativePath` names the file `status` describes (same inode on the same device),
    /// without following a symbolic link.
    func isSameFile(_ relativePath: String, as status: stat) -> Bool {
        var candidate = stat()
        return lstat(root.url(relativePath: relativePath).path, &candidate) == 0
            && candidate.st_ino == status.st_ino && candidate.st_dev == status.st_dev
    }

    /// Indexes a recovered object keep-first whatever the configured policy (an indexed row was
    /// acknowledged, a recovered object was not), unless a row already points at its file: nil
    /// then. Checked inside the write, so a receiver that indexed it meanwhile wins.
    func indexRecovered(_ record: InstanceRecord) throws -> InsertOutcome? {
        let (outcome, unreferenced) = try write { db -> (InsertOutcome?, [String]) in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM instance WHERE file_path = ?", arguments: [record.filePath]) ?? false {
                return (nil, [])
            }
            var writer = CatalogueWriter(db: db, policy: .keepFirst)
            return (try writer.insert(record), writer.unreferencedFiles)
        }
        removeFiles(unreferenced)
        return outcome
    }
}
