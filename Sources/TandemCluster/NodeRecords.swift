import Foundation

/// This node's role, kept in the node-local run directory (tmpfs `/run/tandem`):
/// it must not survive a reboot, and must never be on the shared volume, where
/// the other node would read it as its own.
public struct RoleRecord: Codable, Sendable, Equatable {
    public var role: NodeRole
    public var node: String
    public var epoch: Int64?
    public var since: Date

    public init(role: NodeRole, node: String, epoch: Int64?, since: Date) {
        self.role = role
        self.node = node
        self.epoch = epoch
        self.since = since
    }

    static func load(from file: URL) -> RoleRecord? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        return try? JSONCoding.decoder.decode(RoleRecord.self, from: data)
    }

    func save(to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try JSONCoding.encoder.encode(self).write(to: file, options: .atomic)
    }
}

/// One promote or demote, as shown by `clusterctl status`.
public struct Transition: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable { case promote, demote }
    public enum Outcome: String, Codable, Sendable { case ok, failed }

    public var time: Date
    public var node: String
    public var action: Action
    public var epoch: Int64?
    public var outcome: Outcome
    public var detail: String

    public init(time: Date, node: String, action: Action, epoch: Int64?, outcome: Outcome, detail: String) {
        self.time = time
        self.node = node
        self.action = action
        self.epoch = epoch
        self.outcome = outcome
        self.detail = detail
    }
}

/// Append-only JSON-lines log of transitions in the data root (`cluster/transitions.jsonl`),
/// so either node's status shows both nodes' history. Each line is written with one
/// append and fsynced: a crash loses at most the line being written.
public struct TransitionLog: Sendable {
    public let file: URL
    let root: URL

    public init(root: URL) {
        self.root = root
        file = root.appendingPathComponent("cluster", isDirectory: true)
            .appendingPathComponent("transitions.jsonl")
    }

    /// Appends to the log of an existing archive only: where the shared volume is not mounted,
    /// nothing is created under its mount point.
    public func append(_ transition: Transition) throws {
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("index.sqlite").path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: root.path,
                                                         NSLocalizedDescriptionKey: "no archive at \(root.path)"])
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        var line = try JSONCoding.lineEncoder.encode(transition)
        line.append(UInt8(ascii: "\n"))
        let fd = open(file.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path]) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }

    /// The last `limit` transitions, oldest first; lines that do not parse are skipped.
    public func recent(limit: Int) -> [Transition] {
        guard let data = FileManager.default.contents(atPath: file.path) else { return [] }
        let lines = data.split(separator: UInt8(ascii: "\n"))
        return lines.suffix(limit).compactMap { try? JSONCoding.decoder.decode(Transition.self, from: Data($0)) }
    }
}

enum JSONCoding {
    // Computed: JSONEncoder/JSONDecoder are not Sendable, so no shared instances.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return encoder
    }

    static var lineEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
