/// How an accepted association ended.
public enum AssociationEnd: Hashable, Sendable, CustomStringConvertible {
    /// The requestor released it (A-RELEASE, PS3.8 §7.2).
    case released
    /// The peer sent A-ABORT (PS3.8 §7.3).
    case abortedByPeer
    /// This side aborted as the service user: the service failed, or the process is stopping.
    case abortedLocally(String)
    /// This side aborted because the peer broke the protocol (A-P-ABORT, PS3.8 §7.4).
    case protocolViolation(String)
    /// The transport closed without release or abort.
    case connectionClosed
    /// A timer expired (e.g. nothing arrived within the idle timeout).
    case timedOut(UpperLayerTimeout)

    public var description: String {
        switch self {
        case .released: "released"
        case .abortedByPeer: "aborted by peer"
        case .abortedLocally(let reason): "aborted: \(reason)"
        case .protocolViolation(let detail): "aborted for a protocol violation: \(detail)"
        case .connectionClosed: "connection closed without release"
        case .timedOut(let timer): "timed out (\(timer))"
        }
    }

    /// The end an error of the association's service loop stands for.
    init(_ error: any Error) {
        switch error {
        case AssociationError.abortedByPeer: self = .abortedByPeer
        case AssociationError.abortedLocally: self = .abortedLocally("by the service")
        case AssociationError.protocolViolation(_, let detail): self = .protocolViolation(detail)
        case AssociationError.connectionClosed: self = .connectionClosed
        case AssociationError.timedOut(let timer): self = .timedOut(timer)
        case is CancellationError: self = .abortedLocally("stopping")
        default: self = .abortedLocally("\(error)")
        }
    }
}

/// What the service user did on one association, counted by its handler in
/// `Association.serviceCounts` for the end-of-association summary.
public struct ServiceCounts: Hashable, Sendable {
    /// Operations answered with success (for a storage SCP: instances stored).
    public var completed = 0
    /// Operations answered with a failure status.
    public var failed = 0
    /// Data set bytes of the completed operations.
    public var bytes: Int64 = 0
    /// C-FIND operations answered (PS3.4 C.4.1), whatever their final status.
    public var queries = 0
    /// Matches sent in C-FIND pending responses.
    public var matches = 0

    public init() {}
}

/// One accepted association from A-ASSOCIATE-AC to its end, handed to
/// `AssociationServiceHandler.associationEnded` (e.g. for a per-association log line).
public struct AssociationSummary: Sendable {
    public let callingAETitle: AETitle
    public let calledAETitle: AETitle
    /// The TCP peer; nil when the transport did not say.
    public let peer: PeerAddress?
    /// From the connection's opening to the association's end.
    public let duration: Duration
    public let end: AssociationEnd
    public let counts: ServiceCounts
    /// Operations the requestor could have outstanding at once (1 without an asynchronous
    /// operations window, PS3.7 §D.3.3.3).
    public let operationsWindow: Int
}
