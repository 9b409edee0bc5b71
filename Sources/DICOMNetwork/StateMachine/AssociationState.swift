/// States of the DICOM upper layer protocol machine (PS3.8 §9.2.1, Table 9-1).
public enum AssociationState: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Idle.
    case sta1 = 1
    /// Transport connection open, awaiting A-ASSOCIATE-RQ PDU.
    case sta2
    /// Awaiting local A-ASSOCIATE response primitive.
    case sta3
    /// Awaiting transport connection opening to complete.
    case sta4
    /// Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU.
    case sta5
    /// Association established and ready for data transfer.
    case sta6
    /// Awaiting A-RELEASE-RP PDU.
    case sta7
    /// Awaiting local A-RELEASE response primitive.
    case sta8
    /// Release collision requestor side: awaiting A-RELEASE response primitive.
    case sta9
    /// Release collision acceptor side: awaiting A-RELEASE-RP PDU.
    case sta10
    /// Release collision requestor side: awaiting A-RELEASE-RP PDU.
    case sta11
    /// Release collision acceptor side: awaiting A-RELEASE response primitive.
    case sta12
    /// Awaiting transport connection close indication (association no longer exists).
    case sta13

    public var description: String { "Sta\(rawValue)" }
}

/// Events of the protocol machine (PS3.8 Table 9-10).
public enum AssociationEvent: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A-ASSOCIATE request primitive (local user).
    case evt1 = 1
    /// Transport connect confirmation.
    case evt2
    /// A-ASSOCIATE-AC PDU received.
    case evt3
    /// A-ASSOCIATE-RJ PDU received.
    case evt4
    /// Transport connection indication.
    case evt5
    /// A-ASSOCIATE-RQ PDU received.
    case evt6
    /// A-ASSOCIATE response primitive (accept).
    case evt7
    /// A-ASSOCIATE response primitive (reject).
    case evt8
    /// P-DATA request primitive.
    case evt9
    /// P-DATA-TF PDU received.
    case evt10
    /// A-RELEASE request primitive.
    case evt11
    /// A-RELEASE-RQ PDU received.
    case evt12
    /// A-RELEASE-RP PDU received.
    case evt13
    /// A-RELEASE response primitive.
    case evt14
    /// A-ABORT request primitive.
    case evt15
    /// A-ABORT PDU received.
    case evt16
    /// Transport connection closed indication.
    case evt17
    /// ARTIM timer expired.
    case evt18
    /// Unrecognized or invalid PDU received.
    case evt19

    public var description: String { "Evt\(rawValue)" }

    /// The event for a PDU that decoded successfully.
    public init(received pdu: PDU) {
        switch pdu {
        case .associateAC: self = .evt3
        case .associateRJ: self = .evt4
        case .associateRQ: self = .evt6
        case .dataTF: self = .evt10
        case .releaseRQ: self = .evt12
        case .releaseRP: self = .evt13
        case .abort: self = .evt16
        }
    }
}
