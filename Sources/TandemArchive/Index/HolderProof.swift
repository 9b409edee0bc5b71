import Foundation

/// A node's proof that it holds the cluster epoch (docs/design.md, "Cluster model"). `clusterctl promote`
/// records a fresh random token with each new epoch in `cluster_state` and writes the same token
/// into the node's own run directory (`/run/tandem/holder.json`, tmpfs, never the shared volume);
/// `demote` removes it. Names prove nothing — both nodes of a pair may be called the same — but only
/// the node that promoted last holds the token the index records.
public struct HolderProof: Codable, Sendable, Equatable {
    public var node: String
    public var epoch: Int64
    public var token: String

    public init(node: String, epoch: Int64, token: String) {
        self.node = node
        self.epoch = epoch
        self.token = token
    }

    public static let fileName = "holder.json"

    /// The node-local run directory: `$TANDEM_RUN_DIR`, else `/run/tandem`.
    public static func runDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let path = environment["TANDEM_RUN_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/run/tandem"
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// The proof in `runDirectory`, if there is a readable one.
    public static func load(runDirectory: URL) -> HolderProof? {
        guard let data = FileManager.default.contents(atPath: file(in: runDirectory).path) else { return nil }
        return try? JSONDecoder().decode(HolderProof.self, from: data)
    }

    public func save(runDirectory: URL) throws {
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        try JSONEncoder().encode(self).write(to: Self.file(in: runDirectory), options: .atomic)
    }

    /// Removes the proof; a missing one is not an error.
    public static func remove(runDirectory: URL) throws {
        let path = file(in: runDirectory).path
        guard unlink(path) == 0 || errno == ENOENT else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path,
                                                           NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
    }

    /// True when `state` is the epoch this proof was issued with.
    public func proves(_ state: ClusterState) -> Bool {
        state.holder == node && state.epoch == epoch && state.holderToken == token
    }

    static func file(in runDirectory: URL) -> URL {
        runDirectory.appendingPathComponent(fileName)
    }
}

/// A write refused to a process started without an epoch (no `TANDEM_EPOCH`: a cron line, a tool
/// run by hand) on a node that cannot prove it holds the current one: a passive node acts on nothing.
public struct PassiveNodeError: Error, Equatable, CustomStringConvertible {
    public let epoch: Int64
    public let holder: String
    public let runDirectory: String

    public var description: String {
        "passive node: epoch \(epoch) is held by \(holder) and \(runDirectory) holds no proof that this node "
            + "holds it; nothing done"
    }
}

/// A tool other than dcmrecv and clusterctl promote found no archive: it does not create one,
/// so an unmounted shared volume never gets an empty archive under its mount point.
public struct ArchiveNotFoundError: Error, Equatable, CustomStringConvertible {
    public let root: String

    public var description: String {
        "no archive at \(root) (no index.sqlite): the shared volume is not mounted on this node, or the archive "
            + "was never created (dcmrecv's first start or clusterctl promote creates it); nothing done"
    }
}
