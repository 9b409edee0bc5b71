import DICOMCore
import Foundation

/// The whole of `ROOT/tandem.toml` (docs/design.md, "Configuration"), read once by every tool.
/// Every value has a default, so a missing file yields a working single-node setup.
/// `docs/configuration.md` documents each key.
public struct TandemConfiguration: Sendable, Equatable {
    public var node: NodeSettings
    public var security: SecuritySettings
    public var storage: StorageSettings
    public var peers: [PeerSettings]
    public var routes: [RouteSettings]
    public var retry: RetrySettings
    public var cluster: ClusterSettings
    public var limits: LimitsSettings
    public var query: QuerySettings
    public var commitment: CommitmentSettings
    public var web: WebSettings

    public init(node: NodeSettings = NodeSettings(),
                security: SecuritySettings = SecuritySettings(),
                storage: StorageSettings = StorageSettings(),
                peers: [PeerSettings] = [],
                routes: [RouteSettings] = [],
                retry: RetrySettings = RetrySettings(),
                cluster: ClusterSettings = ClusterSettings(),
                limits: LimitsSettings = LimitsSettings(),
                query: QuerySettings = QuerySettings(),
                commitment: CommitmentSettings = CommitmentSettings(),
                web: WebSettings = WebSettings()) {
        self.node = node
        self.security = security
        self.storage = storage
        self.peers = peers
        self.routes = routes
        self.retry = retry
        self.cluster = cluster
        self.limits = limits
        self.query = query
        self.commitment = commitment
        self.web = web
    }

    /// The configuration used when `tandem.toml` does not exist.
    public static func defaults() -> TandemConfiguration {
        TandemConfiguration(node: NodeSettings())
    }

    /// The peer with this AE title, if one is configured.
    public func peer(aeTitle: String) -> PeerSettings? {
        peers.first { $0.aeTitle == aeTitle }
    }
}

/// `[node]`: where the archive listens, the same on both nodes of a pair (the file is shared; a
/// node's name is not configured here but is node-local, see `NodeIdentity`).
public struct NodeSettings: Sendable, Equatable {
    public var aeTitle: String
    public var dicomPort: Int
    public var httpPort: Int
    public var bind: String

    public init(aeTitle: String = "TANDEM", dicomPort: Int = 11112, httpPort: Int = 8080,
                bind: String = "0.0.0.0") {
        self.aeTitle = aeTitle
        self.dicomPort = dicomPort
        self.httpPort = httpPort
        self.bind = bind
    }
}

/// `[security]`.
public struct SecuritySettings: Sendable, Equatable {
    /// When true, only `[[peer]]` AE titles, calling from their configured host, may associate.
    public var requireKnownCallers: Bool

    public init(requireKnownCallers: Bool = false) {
        self.requireKnownCallers = requireKnownCallers
    }
}

/// What to do when a SOP Instance UID that is already archived arrives again.
public enum DuplicatePolicy: String, Sendable, CaseIterable {
    /// Keep the archived copy and answer success: senders retry after timeouts, and the copy is the same.
    case keepFirst = "keep-first"
    /// Replace the archived copy (index row and file) with the new one.
    case overwrite
    /// Refuse the new copy; the receiver answers a failure status.
    case reject
}

/// SQLite journal mode of `index.sqlite`.
public enum JournalMode: String, Sendable, CaseIterable {
    /// Write-ahead log: readers never block the writer. Needs shared memory, so a local file system.
    case wal
    /// Rollback journal: for a data root on NFS, where WAL's shared-memory index is unsafe.
    case delete
}

/// `[storage]`.
public struct StorageSettings: Sendable, Equatable {
    public var duplicatePolicy: DuplicatePolicy
    /// Store objects in an uncompressed transfer syntax when the sender offers one.
    public var preferUncompressed: Bool
    /// New objects are refused ("out of resources") while the data root has less free space than this.
    public var minFreeBytes: Int64
    public var journalMode: JournalMode

    public static let defaultMinFreeBytes: Int64 = 64 * 1024 * 1024

    public init(duplicatePolicy: DuplicatePolicy = .keepFirst, preferUncompressed: Bool = false,
                minFreeBytes: Int64 = StorageSettings.defaultMinFreeBytes, journalMode: JournalMode = .wal) {
        self.duplicatePolicy = duplicatePolicy
        self.preferUncompressed = preferUncompressed
        self.minFreeBytes = minFreeBytes
        self.journalMode = journalMode
    }
}

/// What a `[[peer]]` may ask of this archive.
public enum PeerService: String, Sendable, CaseIterable {
    case store, find, move, get
}

/// `[[peer]]`: a known DICOM node, both a caller we accept and a destination we send to.
public struct PeerSettings: Sendable, Equatable {
    public var aeTitle: String
    public var host: String
    public var port: Int
    public var services: Set<PeerService>
    /// What people call this node (an imaging centre's name), shown in the worklist.
    public var name: String?
    /// `transfer_syntaxes`: the only syntaxes proposed when sending to this peer; a file stored in
    /// another is converted or transcoded to one of them. nil: the stored syntax first, then
    /// Explicit and Implicit VR Little Endian.
    public var transferSyntaxes: [TransferSyntax]?

    public init(aeTitle: String, host: String, port: Int, services: Set<PeerService> = Set(PeerService.allCases),
                name: String? = nil, transferSyntaxes: [TransferSyntax]? = nil) {
        self.aeTitle = aeTitle
        self.host = host
        self.port = port
        self.services = services
        self.name = name
        self.transferSyntaxes = transferSyntaxes
    }
}

/// When a route forwards what it matched.
public enum RouteTrigger: String, Sendable, CaseIterable {
    /// Each instance as soon as it is archived.
    case onReceive = "on-receive"
    /// The whole study once no instance has arrived for `stable_after` seconds.
    case onStable = "on-stable"
}

/// `[[route]]`: a forwarding rule.
public struct RouteSettings: Sendable, Equatable {
    public var name: String
    /// Attribute → DICOM wildcard pattern (`*`, `?`); all must match.
    public var match: [RouteMatchKey: String]
    /// Destination peer AE titles; each names a `[[peer]]`.
    public var destinations: [String]
    public var trigger: RouteTrigger
    public var stableAfterSeconds: Int

    public init(name: String, match: [RouteMatchKey: String], destinations: [String],
                trigger: RouteTrigger = .onReceive, stableAfterSeconds: Int = 60) {
        self.name = name
        self.match = match
        self.destinations = destinations
        self.trigger = trigger
        self.stableAfterSeconds = stableAfterSeconds
    }
}

/// `[retry]`: exponential back-off for deliveries to peers.
public struct RetrySettings: Sendable, Equatable {
    public var maxAttempts: Int
    public var initialDelaySeconds: Double
    public var multiplier: Double
    public var maxDelaySeconds: Double

    public init(maxAttempts: Int = 20, initialDelaySeconds: Double = 30, multiplier: Double = 2.0,
                maxDelaySeconds: Double = 3600) {
        self.maxAttempts = maxAttempts
        self.initialDelaySeconds = initialDelaySeconds
        self.multiplier = multiplier
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// Delay before attempt `attempt` (1 = the first retry): initial × multiplierⁿ⁻¹, capped at max_delay.
    public func delay(beforeRetry attempt: Int) -> Double {
        let exponent = Double(max(attempt - 1, 0))
        return min(initialDelaySeconds * pow(multiplier, exponent), maxDelaySeconds)
    }
}

/// `[cluster]`.
public struct ClusterSettings: Sendable, Equatable {
    /// Directory holding `promote.d/` and `demote.d/`.
    public var hooksDirectory: String

    public init(hooksDirectory: String = "/etc/tandem/hooks") {
        self.hooksDirectory = hooksDirectory
    }
}

/// `[query]`: how C-FIND and QIDO-RS match.
public struct QuerySettings: Sendable, Equatable {
    /// Person names (PN) match regardless of case and Unicode composition (PS3.4 C.2.2.2.1 allows
    /// it); by default they match exactly, as the standard's other text does.
    public var caseInsensitiveNames: Bool

    public init(caseInsensitiveNames: Bool = false) {
        self.caseInsensitiveNames = caseInsensitiveNames
    }
}

/// `[commitment]`: when storage commitment reports (N-EVENT-REPORT, PS3.4 J.3.3) go out, and how
/// long an undelivered one is retried (with `[retry]`'s back-off).
public struct CommitmentSettings: Sendable, Equatable {
    /// Seconds the report waits after the N-ACTION response for the requestor to release: 0 sends
    /// it on the requestor's association at once; otherwise it goes on a new association as soon
    /// as the requestor's ends, or on the same one once the delay has passed.
    public var reportDelaySeconds: Double
    /// Seconds after which an undelivered report is given up (logged as an error).
    public var reportMaxAgeSeconds: Double

    public init(reportDelaySeconds: Double = 0, reportMaxAgeSeconds: Double = 86_400) {
        self.reportDelaySeconds = reportDelaySeconds
        self.reportMaxAgeSeconds = reportMaxAgeSeconds
    }
}
