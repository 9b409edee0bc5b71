import DICOMCore
import Foundation
import TOMLKit

extension TandemConfiguration {
    /// Reads `ROOT/tandem.toml`; a missing file means all defaults.
    public static func load(root: DataRoot) throws -> TandemConfiguration {
        try load(file: root.configFile)
    }

    /// Reads a configuration file; a missing file means all defaults.
    public static func load(file: URL) throws -> TandemConfiguration {
        guard FileManager.default.fileExists(atPath: file.path) else { return defaults() }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw ConfigurationError(file: file.path, line: nil, key: nil, reason: "cannot read: \(error)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: file.path, line: nil, key: nil, reason: "not UTF-8 text")
        }
        return try parse(text, file: file.path)
    }

    /// Parses and validates TOML text; `file` is only used in error messages.
    public static func parse(_ text: String, file: String) throws -> TandemConfiguration {
        let document: TOMLTable
        do {
            document = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, line: error.source.begin.line, key: nil, reason: error.description)
        }
        let source = ConfigurationSource(file: file, locator: SourceLocator(text: text))
        let root = TableReader(table: document, source: source, header: nil)
        var configuration = defaults()
        if let table = try root.table("node") {
            configuration.node = try readNode(root.child(table, header: "node"), defaults: configuration.node)
        }
        if let table = try root.table("security") {
            configuration.security = try readSecurity(root.child(table, header: "security"))
        }
        if let table = try root.table("storage") {
            configuration.storage = try readStorage(root.child(table, header: "storage"))
        }
        if let table = try root.table("retry") {
            configuration.retry = try readRetry(root.child(table, header: "retry"))
        }
        if let table = try root.table("query") {
            configuration.query = try readQuery(root.child(table, header: "query"))
        }
        if let table = try root.table("commitment") {
            configuration.commitment = try readCommitment(root.child(table, header: "commitment"))
        }
        if let table = try root.table("web") {
            configuration.web = try readWeb(root.child(table, header: "web"))
        }
        if let table = try root.table("cluster") {
            configuration.cluster = try readCluster(root.child(table, header: "cluster"))
        }
        if let table = try root.table("limits") {
            configuration.limits = try readLimits(root.child(table, header: "limits"))
        }
        for (index, table) in (try root.tables("peer") ?? []).enumerated() {
            configuration.peers.append(try readPeer(root.child(table, header: "peer", occurrence: index),
                                                    earlier: configuration.peers))
        }
        for (index, table) in (try root.tables("route") ?? []).enumerated() {
            configuration.routes.append(try readRoute(root.child(table, header: "route", occurrence: index),
                                                      peers: configuration.peers, earlier: configuration.routes))
        }
        try root.finish()
        return configuration
    }

    private static func readNode(_ reader: TableReader, defaults: NodeSettings) throws -> NodeSettings {
        var node = defaults
        if try reader.string("name") != nil {
            throw reader.invalid("name", "a node's name is node-local and cannot come from this file, which both nodes "
                                 + "read (two nodes of one name would defeat the epoch fencing): remove it and use "
                                 + "clusterctl --node, $TANDEM_NODE or the host name")
        }
        if let title = try reader.string("ae_title") { node.aeTitle = try aeTitle(title, key: "ae_title", reader) }
        if let port = try reader.int("dicom_port") { node.dicomPort = try self.port(port, key: "dicom_port", reader) }
        if let port = try reader.int("http_port") { node.httpPort = try self.port(port, key: "http_port", reader) }
        if let bind = try reader.string("bind") {
            guard !bind.isEmpty else { throw reader.invalid("bind", "must not be empty") }
            node.bind = bind
        }
        try reader.finish()
        return node
    }

    private static func readSecurity(_ reader: TableReader) throws -> SecuritySettings {
        var security = SecuritySettings()
        if let value = try reader.bool("require_known_callers") { security.requireKnownCallers = value }
        try reader.finish()
        return security
    }

    private static func readStorage(_ reader: TableReader) throws -> StorageSettings {
        var storage = StorageSettings()
        if let value = try reader.string("duplicate_policy") {
            storage.duplicatePolicy = try choice(value, key: "duplicate_policy", reader)
        }
        if let value = try reader.bool("prefer_uncompressed") { storage.preferUncompressed = value }
        if let value = try reader.int("min_free_bytes") {
            guard value >= 0 else { throw reader.invalid("min_free_bytes", "must not be negative") }
            storage.minFreeBytes = Int64(value)
        }
        if let value = try reader.string("journal_mode") {
            storage.journalMode = try choice(value, key: "journal_mode", reader)
        }
        try reader.finish()
        return storage
    }

    private static func readRetry(_ reader: TableReader) throws -> RetrySettings {
        var retry = RetrySettings()
        if let value = try reader.int("max_attempts") {
            guard value >= 1 else { throw reader.invalid("max_attempts", "must be at least 1") }
            retry.maxAttempts = value
        }
        if let value = try reader.number("initial_delay") {
            guard value >= 0 else { throw reader.invalid("initial_delay", "must not be negative") }
            retry.initialDelaySeconds = value
        }
        if let value = try reader.number("multiplier") {
            guard value >= 1 else { throw reader.invalid("multiplier", "must be at least 1.0") }
            retry.multiplier = value
        }
        if let value = try reader.number("max_delay") {
            guard value >= retry.initialDelaySeconds else {
                throw reader.invalid("max_delay", "must not be less than initial_delay (\(retry.initialDelaySeconds))")
            }
            retry.maxDelaySeconds = value
        }
        try reader.finish()
        return retry
    }

    private static func readQuery(_ reader: TableReader) throws -> QuerySettings {
        var query = QuerySettings()
        if let value = try reader.bool("case_insensitive_names") { query.caseInsensitiveNames = value }
        try reader.finish()
        return query
    }

    private static func readCommitment(_ reader: TableReader) throws -> CommitmentSettings {
        var commitment = CommitmentSettings()
        if let value = try reader.number("report_delay") {
            guard (0...3600).contains(value) else { throw reader.invalid("report_delay", "must be between 0 and 3600 seconds") }
            commitment.reportDelaySeconds = value
        }
        if let value = try reader.number("report_max_age") {
            guard value >= 0 else { throw reader.invalid("report_max_age", "must not be negative") }
            commitment.reportMaxAgeSeconds = value
        }
        try reader.finish()
        return commitment
    }

    private static func readCluster(_ reader: TableReader) throws -> ClusterSettings {
        var cluster = ClusterSettings()
        if let hooks = try reader.string("hooks") {
            guard !hooks.isEmpty else { throw reader.invalid("hooks", "must not be empty") }
            cluster.hooksDirectory = hooks
        }
        try reader.finish()
        return cluster
    }

    private static func readPeer(_ reader: TableReader, earlier: [PeerSettings]) throws -> PeerSettings {
        guard let title = try reader.string("ae_title") else { throw reader.invalid("ae_title", "is required") }
        guard !earlier.contains(where: { $0.aeTitle == title }) else {
            throw reader.invalid("ae_title", "\"\(title)\" is already used by another [[peer]]")
        }
        guard let host = try reader.string("host"), !host.isEmpty else { throw reader.invalid("host", "is required") }
        guard let port = try reader.int("port") else { throw reader.invalid("port", "is required") }
        var peer = PeerSettings(aeTitle: try aeTitle(title, key: "ae_title", reader), host: host,
                                port: try self.port(port, key: "port", reader))
        if let names = try reader.strings("services") {
            peer.services = Set(try names.map { try choice($0, key: "services", reader) as PeerService })
        }
        if let name = try reader.string("name") {
            guard !name.isEmpty, name.count <= 64 else { throw reader.invalid("name", "must be 1 to 64 characters") }
            peer.name = name
        }
        if let uids = try reader.strings("transfer_syntaxes") {
            guard !uids.isEmpty else { throw reader.invalid("transfer_syntaxes", "must name at least one transfer syntax UID") }
            peer.transferSyntaxes = try uids.map { uid in
                guard let syntax = TransferSyntax(knownUID: uid) else {
                    throw reader.invalid("transfer_syntaxes", "\"\(uid)\" is not a transfer syntax UID this archive knows")
                }
                return syntax
            }
        }
        try reader.finish()
        return peer
    }

    private static func readRoute(_ reader: TableReader, peers: [PeerSettings],
                                  earlier: [RouteSettings]) throws -> RouteSettings {
        guard let name = try reader.string("name"), !name.isEmpty else { throw reader.invalid("name", "is required") }
        guard !earlier.contains(where: { $0.name == name }) else {
            throw reader.invalid("name", "\"\(name)\" is already used by another [[route]]")
        }
        guard let destinations = try reader.strings("to"), !destinations.isEmpty else {
            throw reader.invalid("to", "is required: a list of [[peer]] AE titles")
        }
        for title in destinations where !peers.contains(where: { $0.aeTitle == title }) {
            throw reader.invalid("to", "\"\(title)\" is not the ae_title of any [[peer]]")
        }
        var route = RouteSettings(name: name, match: try readMatch(reader), destinations: destinations)
        if let value = try reader.string("trigger") { route.trigger = try choice(value, key: "trigger", reader) }
        if let value = try reader.int("stable_after") {
            guard value >= 1 else { throw reader.invalid("stable_after", "must be at least 1 second") }
            route.stableAfterSeconds = value
        }
        try reader.finish()
        return route
    }

    /// `match = { modality = "MR", calling_ae = "SITE*" }`; a missing table matches everything.
    private static func readMatch(_ reader: TableReader) throws -> [RouteMatchKey: String] {
        guard let table = try reader.table("match") else { return [:] }
        var match: [RouteMatchKey: String] = [:]
        for key in table.keys.sorted() {
            guard let matchKey = RouteMatchKey(configurationKey: key) else {
                let known = RouteMatchKey.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.invalid("match", "unknown attribute \"\(key)\" (known: \(known))")
            }
            guard let pattern = table[key]?.string else {
                throw reader.invalid("match", "\"\(key)\" must be a string (a DICOM wildcard pattern)")
            }
            match[matchKey] = pattern
        }
        return match
    }

    private static func aeTitle(_ title: String, key: String, _ reader: TableReader) throws -> String {
        if let problem = ConfigurationRules.aeTitleProblem(title) { throw reader.invalid(key, problem) }
        return title
    }

    private static func port(_ port: Int, key: String, _ reader: TableReader) throws -> Int {
        guard ConfigurationRules.portRange.contains(port) else {
            throw reader.invalid(key, "\(port) is not a port number (1–65535)")
        }
        return port
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ value: String, key: String,
                                                                   _ reader: TableReader) throws -> T
        where T.RawValue == String {
        guard let choice = T(rawValue: value) else {
            let allowed = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw reader.invalid(key, "\"\(value)\" is not one of \(allowed)")
        }
        return choice
    }
}
