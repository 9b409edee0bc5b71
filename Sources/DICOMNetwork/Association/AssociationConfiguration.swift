import DICOMCore
import NIOCore

/// Settings shared by requestor and acceptor.
public struct AssociationConfiguration: Sendable {
    /// This application entity's title.
    public var aeTitle: AETitle
    /// Largest P-DATA-TF variable field this side accepts, announced to the peer (PS3.8 §D.1).
    public var maximumReceivePDULength: UInt32 = 64 * 1024
    /// Hard limit on any incoming PDU; larger claims are answered with A-ABORT before any
    /// allocation. Never below `maximumReceivePDULength`.
    public var maximumIncomingPDULength: UInt32 = 1024 * 1024
    /// Upper bound on a reassembled command set (commands are small; this bounds memory).
    public var maximumCommandLength: Int = 64 * 1024
    /// PS3.7 §D.3.3.2.
    public var implementationClassUID = Implementation.classUID
    public var implementationVersionName = Implementation.versionName
    /// TCP connect timeout of the requestor.
    public var connectTimeout: TimeAmount = .seconds(10)
    /// ARTIM (PS3.8 §9.1.5): waiting for A-ASSOCIATE-RQ after a connection opens, and for the
    /// transport to close after a release or reject.
    public var artimTimeout: TimeAmount = .seconds(30)
    /// Requestor: waiting for A-ASSOCIATE-AC/RJ, and for A-RELEASE-RP.
    public var associationTimeout: TimeAmount = .seconds(30)
    /// Established association with nothing arriving while a PDU is awaited.
    public var idleTimeout: TimeAmount = .seconds(300)

    /// Asynchronous operations window (PS3.7 §D.3.3.3): how many operations the requestor may
    /// have outstanding. The requestor proposes it; the acceptor grants at most this many to a
    /// requestor that proposes a window. 1: one at a time, nothing proposed.
    public var maximumOperationsInvoked: UInt16 = 1

    public init(aeTitle: AETitle) { self.aeTitle = aeTitle }

    var frameLimit: UInt32 { max(maximumIncomingPDULength, maximumReceivePDULength) }

    func userInformation(
        roleSelections: [RoleSelection] = [], asynchronousOperationsWindow: AsynchronousOperationsWindow? = nil,
        extendedNegotiations: [SOPClassExtendedNegotiation] = []
    ) -> UserInformation {
        UserInformation(
            maximumLength: maximumReceivePDULength, implementationClassUID: implementationClassUID,
            implementationVersionName: implementationVersionName,
            asynchronousOperationsWindow: asynchronousOperationsWindow, roleSelections: roleSelections,
            extendedNegotiations: extendedNegotiations)
    }
}
