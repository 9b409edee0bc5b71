import Foundation
import TandemArchive

/// The shared configuration and the index of one data root, as a tool opened them.
public struct OpenArchive: Sendable {
    public let root: DataRoot
    public let configuration: TandemConfiguration
    public let index: ArchiveIndex
}

extension TandemTool {
    /// `file` (an explicit `--config`) or ROOT/tandem.toml; all defaults where there is none.
    /// A broken one names file, line and key and exits 78.
    public func configuration(of root: DataRoot, file: String? = nil) throws -> TandemConfiguration {
        try file.map { try TandemConfiguration.load(file: URL(fileURLWithPath: $0)) } ?? TandemConfiguration.load(root: root)
    }

    /// Opens the archive of `root` under the cluster rules (docs/design.md, "Cluster model"). Only
    /// dcmrecv and `clusterctl promote` pass `creating`; any other tool finding no archive exits 66
    /// on the epoch holder, 7 elsewhere. A process without `TANDEM_EPOCH` on a node that cannot
    /// prove it holds the epoch opens it read-only in effect: its writes exit 7.
    public func openArchive(_ root: DataRoot, configuration: TandemConfiguration? = nil,
                            creating: Bool = false) throws -> OpenArchive {
        let configuration = try configuration ?? self.configuration(of: root)
        let index = try onArchive("open", at: root) {
            try ArchiveIndex(root: root, storage: configuration.storage, createIfMissing: creating)
        }
        return OpenArchive(root: root, configuration: configuration, index: index)
    }

    /// Runs `body` on the archive of `root`; a failure the exit table does not know (SQLite, the
    /// file system) exits 74 saying what could not be done: "cannot open the archive at …".
    public func onArchive<T>(_ action: String, at root: DataRoot, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch where TandemExit.known(error) == nil {
            throw ToolError(.ioError, "cannot \(action) the archive at \(root.url.path): \(error)")
        }
    }
}
