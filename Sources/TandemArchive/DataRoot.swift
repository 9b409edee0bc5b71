import Foundation

/// The data root every tool shares (docs/design.md, "Data root"):
/// `--root DIR`, else `$TANDEM_ROOT`, else `./tandem-data`.
public struct DataRoot: Sendable, Equatable {
    public let url: URL
    /// `url`'s path, taken once: the ingest path builds its file names from strings, since each
    /// `URL` operation costs microseconds per instance.
    public let path: String

    public init(url: URL) {
        self.url = url.standardizedFileURL
        self.path = self.url.path
    }

    /// Resolves the root from an explicit option, then the environment, then the default.
    public static func resolve(option: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> DataRoot {
        let path = option ?? environment["TANDEM_ROOT"] ?? "tandem-data"
        return DataRoot(url: URL(fileURLWithPath: path))
    }

    public var configFile: URL { url.appendingPathComponent("tandem.toml") }
    public var indexFile: URL { url.appendingPathComponent("index.sqlite") }
    public var objectsDirectory: URL { url.appendingPathComponent("objects", isDirectory: true) }
    public var incomingDirectory: URL { url.appendingPathComponent("incoming", isDirectory: true) }
    public var incomingPath: String { path + "/incoming" }

    /// Creates the root, `objects/` and `incoming/` when missing ("created on first use").
    public func prepare() throws {
        for directory in [url, objectsDirectory, incomingDirectory] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }

    /// The absolute URL of a path relative to the root, as the index stores object paths.
    public func url(relativePath: String) -> URL {
        url.appendingPathComponent(relativePath, isDirectory: false)
    }
}
