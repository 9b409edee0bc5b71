import NIOCore

/// Actions of the protocol machine (PS3.8 Table 9-9), named as in the standard. What each one
/// does is listed as `steps`, which the I/O layer carries out in order.
public enum AssociationAction: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case ae1 = "AE-1", ae2 = "AE-2", ae3 = "AE-3", ae4 = "AE-4", ae5 = "AE-5", ae6 = "AE-6", ae7 = "AE-7", ae8 = "AE-8"
    case dt1 = "DT-1", dt2 = "DT-2"
    case ar1 = "AR-1", ar2 = "AR-2", ar3 = "AR-3", ar4 = "AR-4", ar5 = "AR-5"
    case ar6 = "AR-6", ar7 = "AR-7", ar8 = "AR-8", ar9 = "AR-9", ar10 = "AR-10"
    case aa1 = "AA-1", aa2 = "AA-2", aa3 = "AA-3", aa4 = "AA-4", aa5 = "AA-5", aa6 = "AA-6", aa7 = "AA-7", aa8 = "AA-8"

    public var description: String { rawValue }
}

/// One thing an action asks the I/O layer to do, with what it needs to do it: the PDU to
/// write, or what to indicate to the local user.
public enum AssociationStep: Hashable, Sendable {
    case openTransport
    case closeTransport
    case startARTIM
    case stopARTIM
    /// Write this PDU. An A-ABORT ends the association: the transport is closed after it.
    case send(PDU)
    /// Write these P-DATA-TF PDUs, framed by the codec (`PDataTF.header`).
    case sendPData(ByteBuffer)
    /// A-ASSOCIATE indication to the local acceptor, which answers with Evt7 or Evt8.
    case indicateAssociateRequest(AAssociateRQ)
    /// A-ASSOCIATE confirmation (accept) to the local requestor.
    case confirmAssociateAccepted(AAssociateAC)
    /// A-ASSOCIATE confirmation (reject) to the local requestor.
    case confirmAssociateRejected(AAssociateRJ)
    case indicatePData(PDataTF)
    /// A-RELEASE indication; the local user answers with Evt14 once the machine allows it.
    case indicateReleaseRequest
    case confirmRelease
    /// A-ABORT (peer user) or A-P-ABORT (peer provider) indication, as the received PDU says.
    case indicateAbort(AAbort)
    /// A-P-ABORT indication: the local provider ended the association.
    case indicateProviderAbort
    case ignorePDU
}

/// The result of one event: the action taken, what it does, and the state after it.
public struct AssociationTransition: Hashable, Sendable {
    public let action: AssociationAction
    public let steps: [AssociationStep]
    public let nextState: AssociationState
}
