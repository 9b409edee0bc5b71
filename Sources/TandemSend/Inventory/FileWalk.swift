import Foundation

/// The regular files under the paths a sender is given, found one at a time: each folder is
/// listed when the walk reaches it, in name order, and walked depth first, so the first file is
/// known before the rest of the tree is read. A path given as such is yielded whatever it is
/// (a file, a pipe); inside folders only regular files count, and symbolic links to folders are
/// not followed.
public struct FileWalk: Sequence, IteratorProtocol, Sendable {
    /// Paths still to visit, the next one last; given paths are marked as such.
    private var pending: [(path: String, given: Bool)]

    /// Throws `FileInventory.MissingPath` for a given path that does not exist, before any walking.
    public init(paths: [String]) throws {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw FileInventory.MissingPath(path: path)
        }
        pending = paths.reversed().map { ($0, true) }
    }

    public mutating func next() -> String? {
        while let (path, given) = pending.popLast() {
            var status = stat()
            // A given path is followed if it is a link; one found inside a folder is looked at itself first.
            guard (given ? stat(path, &status) : lstat(path, &status)) == 0 else { continue }  // gone since
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                let folder = given ? URL(fileURLWithPath: path).path : path
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                pending += names.sorted(by: >).map { (folder + "/" + $0, false) }
            case S_IFREG:
                return path
            case S_IFLNK:
                if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG { return path }
            default:
                if given { return path }
            }
        }
        return nil
    }
}
