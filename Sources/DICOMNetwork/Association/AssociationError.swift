/// Why an association ended other than by an orderly release.
public enum AssociationError: Error, Hashable, Sendable {
    /// The acceptor answered A-ASSOCIATE-RJ.
    case rejected(AAssociateRJ)
    /// The peer sent A-ABORT.
    case abortedByPeer(AAbort)
    /// This side aborted because the peer broke the protocol (PS3.8 A-P-ABORT); the A-ABORT
    /// sent carried this reason.
    case protocolViolation(AAbort.Reason, String)
    /// This side aborted the association (A-ABORT, service-user source).
    case abortedLocally
    /// The transport closed without release or abort.
    case connectionClosed
    /// The peer released the association while a request of this side awaited its response,
    /// which can then never come (the releasing peer sends no P-DATA, PS3.8 Table 9-10 Sta7).
    case releasedByPeer
    /// A configured timeout expired.
    case timedOut(UpperLayerTimeout)
    /// An operation that the association's state does not allow (local misuse).
    case notAllowed(String)
    /// A presentation context that was not accepted for this association.
    case presentationContextNotAccepted(UInt8)
}

/// The timers an association runs.
public enum UpperLayerTimeout: Error, Hashable, Sendable {
    case artim
    case association
    case idle
}
