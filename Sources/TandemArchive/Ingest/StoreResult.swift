/// What ingest did with one instance, in the archive's terms. Each network edge maps it to its
/// own vocabulary in one place (the storage SCP to a C-STORE status, STOW-RS to an HTTP answer).
public enum IngestOutcome: Hashable, Sendable, CustomStringConvertible {
    /// Stored, fsynced and indexed — or the same SOP instance is archived already and the
    /// duplicate policy keeps the first copy (or replaced it).
    case stored
    /// The disk or quota is full, free space is below `min_free_bytes`, or a local I/O error
    /// kept the object from being stored: worth retrying later.
    case outOfResources
    /// The data set is not the instance announced (another SOP class or instance), or lacks a
    /// Type 1 UID every storage IOD requires.
    case doesNotMatchAnnouncement
    /// The data set cannot be parsed.
    case unreadable
    /// The announced SOP Instance UID breaks the UID rules (PS3.5 §9.1), so it can neither be
    /// archived nor become a file name.
    case invalidSOPInstanceUID
    /// Archived already and `duplicate_policy = "reject"`: resending the same instance cannot succeed.
    case duplicateRejected

    public var description: String {
        switch self {
        case .stored: "stored"
        case .outOfResources: "out of resources"
        case .doesNotMatchAnnouncement: "does not match the announced instance"
        case .unreadable: "unreadable"
        case .invalidSOPInstanceUID: "invalid SOP Instance UID"
        case .duplicateRejected: "duplicate rejected"
        }
    }
}

/// The answer to one instance offered for ingest.
public struct StoreResult: Sendable, Equatable {
    public var outcome: IngestOutcome
    /// Why, when not stored; free text for logs and the edge's own error field.
    public var reason: String?
    /// Data set bytes received (excluding the meta header the archive adds).
    public var bytes: Int64

    public init(_ outcome: IngestOutcome, reason: String? = nil, bytes: Int64 = 0) {
        self.outcome = outcome
        self.reason = reason
        self.bytes = bytes
    }

    public var isStored: Bool { outcome == .stored }
}
