import Foundation
@testable import TandemArchive

/// A fresh data root under the system temp directory, removed by `remove()`.
struct TemporaryRoot {
    let root: DataRoot

    /// The root sits alone in its own directory, so a test can tell whether anything was written
    /// beside it (a path escaping the root) while other tests create their own roots.
    init() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-test-\(UUID().uuidString)")
        root = DataRoot(url: parent.appendingPathComponent("root"))
        try root.prepare()
    }

    func remove() {
        try? FileManager.default.removeItem(at: root.url.deletingLastPathComponent())
    }

    /// Runs `body` with a data root on a 2 MiB tmpfs mounted under this root: a file system
    /// that really fills up. Needs root; unmounted afterwards.
    func withSmallFileSystem<T>(_ body: (DataRoot) throws -> T) throws -> T {
        let mountPoint = root.url.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard try run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.path]) == 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSLocalizedDescriptionKey: "cannot mount a tmpfs"])
        }
        defer { _ = try? run("/bin/umount", [mountPoint.path]) }
        let small = DataRoot(url: mountPoint)
        try small.prepare()
        return try body(small)
    }

    func files(in directory: URL) -> [String] {
        Self.files(in: directory, relativeTo: root)
    }

    /// Regular files under `directory` (relative to the root), sorted.
    func files(under directory: String) -> [String] {
        files(in: root.url.appendingPathComponent(directory))
    }

    /// Regular files under the whole root, relative to it.
    static func files(under root: DataRoot) -> [String] {
        files(in: root.url, relativeTo: root)
    }

    private static func files(in directory: URL, relativeTo root: DataRoot) -> [String] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        return (enumerator?.allObjects as? [URL] ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map { String($0.path.dropFirst(root.url.path.count + 1)) }
            .sorted()
    }
}

/// Runs a program and returns its exit status.
@discardableResult
func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
