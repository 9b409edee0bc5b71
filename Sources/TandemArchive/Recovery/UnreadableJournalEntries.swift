import Foundation

/// Journal entries in `incoming/` whose object was published but whose data cannot be read: a
/// power cut after the link and before the row's commit, which took the file's unflushed data
/// (it reads as empty or short). With no row, the object was never acknowledged: it is removed
/// with its entry. With a row (committed and no longer noted, so acknowledged), the entry only
/// settles, provided the object still has the size its row was committed with; otherwise both
/// stay and are reported, since an acknowledged instance is never removed.
///
/// The UIDs that name the object's place cannot be read, so its other link is found by its inode
/// under `objects/`: one walk of the directories, reading names and inode numbers only
/// (`readdir`), never a file. Recovery pays it only when such an entry exists.
extension ArchiveIndex {
    func settleUnreadable(_ entries: [(entry: IncomingFile, reason: String)], into summary: inout RecoverySummary) throws {
        guard !entries.isEmpty else { return }
        let published = publishedLinks(of: Set(entries.map { $0.entry.status.st_ino }))
        for (entry, reason) in entries {
            let entryPath = "incoming/" + entry.url.lastPathComponent
            guard let objectPath = published[entry.status.st_ino]?.first(where: { isSameFile($0, as: entry.status) }) else {
                summary.unreadable.append(UnreadableObject(
                    relativePath: entryPath, reason: "\(reason); its other link is not under objects/"))
                continue
            }
            let objectURL = root.url(relativePath: objectPath)
            let outcome = try write { db -> UnreadableEntryOutcome in
                guard let size = try Int64.fetchOne(db, sql: "SELECT file_size FROM instance WHERE file_path = ?",
                                                    arguments: [objectPath]) else {
                    // Never acknowledged; removed under the fence, so no other node indexes it meanwhile.
                    unlink(objectURL.path)
                    return .removed
                }
                return size == Int64(entry.status.st_size) ? .indexed : .damaged
            }
            switch outcome {
            case .removed: summary.removedUnreadable += 1
            case .indexed: summary.settled += 1
            case .damaged:
                summary.unreadable.append(UnreadableObject(
                    relativePath: objectPath, reason: "\(reason); indexed at another size, left in place"))
                continue
            }
            unlink(entry.url.path)
        }
    }

    private enum UnreadableEntryOutcome { case removed, indexed, damaged }

    /// The paths under `objects/` (fan-out, study, series, object) of the entries whose inode
    /// number is in `inodes`. Matched by number only: the caller checks the device.
    private func publishedLinks(of inodes: Set<ino_t>) -> [ino_t: [String]] {
        var found: [ino_t: [String]] = [:]
        let objects = ObjectLocation.objectsDirectoryName
        for fanOut in Self.directoryEntries(root.url(relativePath: objects).path) {
            let fanOutPath = objects + "/" + fanOut.name
            for study in Self.directoryEntries(root.url(relativePath: fanOutPath).path) {
                let studyPath = fanOutPath + "/" + study.name
                for series in Self.directoryEntries(root.url(relativePath: studyPath).path) {
                    let seriesPath = studyPath + "/" + series.name
                    for object in Self.directoryEntries(root.url(relativePath: seriesPath).path)
                    where inodes.contains(object.inode) {
                        found[object.inode, default: []].append(seriesPath + "/" + object.name)
                    }
                }
            }
        }
        return found
    }

    /// A directory's entries with their inode numbers, as `readdir` gives them (no `stat` per
    /// entry); empty when `path` is not a readable directory.
    private static func directoryEntries(_ path: String) -> [(name: String, inode: ino_t)] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var entries: [(name: String, inode: ino_t)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { entries.append((name, entry.pointee.d_ino)) }
        }
        return entries
    }
}
