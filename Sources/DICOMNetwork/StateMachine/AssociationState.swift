import NIOCore

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
}

/// An event of PS3.8 Table 9-10 with what it carries: the primitive's PDU or parameters, or
/// the PDU received.
public enum AssociationInput: Hashable, Sendable {
    /// Evt1: A-ASSOCIATE request primitive; the request goes out once the transport connects (AE-2).
    case associateRequest(AAssociateRQ)
    /// Evt2: transport connect confirmation.
    case transportConnected
    /// Evt3, 4, 6, 10, 12, 13, 16: a PDU received, by its type.
    case received(PDU)
    /// Evt5: transport connection indication.
    case transportAccepted
    /// Evt7: A-ASSOCIATE response primitive (accept).
    case associateAccept(AAssociateAC)
    /// Evt8: A-ASSOCIATE response primitive (reject).
    case associateReject(AAssociateRJ)
    /// Evt9: P-DATA request primitives, as P-DATA-TF PDUs framed by the codec. Several PDUs may
    /// go as one event: DT-1 and AR-7 leave the state as it is.
    case pData(ByteBuffer)
    /// Evt11: A-RELEASE request primitive.
    case releaseRequest
    /// Evt14: A-RELEASE response primitive.
    case releaseResponse
    /// Evt15: A-ABORT request primitive.
    case abortRequest
    /// Evt17: transport connection closed indication.
    case transportClosed
    /// Evt18: ARTIM timer expired.
    case artimExpired
    /// Evt19: unrecognized or invalid PDU received; the A-ABORT gives `reason`.
    case invalidPDU(AAbort.Reason)

    /// The event number of Table 9-10.
    public var event: AssociationEvent {
        switch self {
        case .associateRequest: .evt1
        case .transportConnected: .evt2
        case .received(.associateAC): .evt3
        case .received(.associateRJ): .evt4
        case .transportAccepted: .evt5
        case .received(.associateRQ): .evt6
        case .associateAccept: .evt7
        case .associateReject: .evt8
        case .pData: .evt9
        case .received(.dataTF): .evt10
        case .releaseRequest: .evt11
        case .received(.releaseRQ): .evt12
        case .received(.releaseRP): .evt13
        case .releaseResponse: .evt14
        case .abortRequest: .evt15
        case .received(.abort): .evt16
        case .transportClosed: .evt17
        case .artimExpired: .evt18
        case .invalidPDU: .evt19
        }
    }
}
