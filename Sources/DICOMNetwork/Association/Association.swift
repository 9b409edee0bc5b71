import NIOConcurrencyHelpers
import NIOCore

/// An established association (PS3.8 §7.1), driven by `AssociationStateMachine` over one
/// connection. One task reads it (`receive()`, the data set fragments): the requestor's body
/// or the acceptor's `DIMSEServiceRouter`. Sending is open to other tasks meanwhile, such as an
/// operation sending pending responses while the router watches for its C-CANCEL. Each message
/// goes out whole: concurrent senders take turns message by message.
///
/// Nothing is read from the socket until the reader asks for the next message or data set
/// fragment, so a slow consumer slows the peer down instead of filling memory.
public final class Association: @unchecked Sendable {
    public let request: AAssociateRQ
    public let answer: AAssociateAC
    /// Accepted presentation contexts by ID.
    public let acceptedContexts: [UInt8: AcceptedPresentationContext]
    /// Largest P-DATA-TF variable field the peer accepts; 0 means no limit (PS3.8 §D.1).
    public let peerMaximumPDULength: UInt32
    /// Operations the requestor may have outstanding at once, as negotiated (PS3.7 §D.3.3.3); 1
    /// unless both sides agreed on a window.
    public let operationsWindow: Int
    /// Kept by the service providers for the end-of-association summary (acceptor side).
    public var serviceCounts: ServiceCounts { counts.withLockedValue { $0 } }
    private let counts = NIOLockedValueBox(ServiceCounts())

    /// Counts an operation for the summary; providers running in several tasks may call it.
    public func updateServiceCounts(_ update: (inout ServiceCounts) -> Void) {
        counts.withLockedValue { update(&$0) }
    }

    let connection: UpperLayerConnection
    /// This side's requests on an association the router serves, awaiting their responses.
    let responseWaiters = ResponseWaiters()
    /// The requestor's operations the router performs, concurrently within `operationsWindow`.
    let operationsBeingPerformed: RunningOperations
    /// Keeps each outgoing DIMSE message whole when several tasks send.
    let sendLock = MessageSendLock()
    /// Lets one request of this side at a time await its response.
    let ownRequestTurn = MessageSendLock()
    private let lastMessageID = NIOLockedValueBox<UInt16>(0)
    // The reader's state, touched only by the reading task.
    /// PDVs of the last P-DATA-TF not yet consumed.
    var pendingValues: ArraySlice<PresentationDataValue> = []
    /// Context of the data set being received, until its last fragment.
    var dataSetInProgress: UInt8?

    init(request: AAssociateRQ, answer: AAssociateAC, connection: UpperLayerConnection) {
        self.request = request
        self.answer = answer
        self.connection = connection
        acceptedContexts = AssociationNegotiation.acceptedContexts(request: request, answer: answer)
        let peerInfo = connection.machine.role == .requestor ? answer.userInformation : request.userInformation
        peerMaximumPDULength = peerInfo.maximumLength
        operationsWindow = AsynchronousOperationsWindow.invokedLimit(
            proposal: request.userInformation.asynchronousOperationsWindow,
            answer: answer.userInformation.asynchronousOperationsWindow)
        operationsBeingPerformed = RunningOperations(limit: operationsWindow)
    }

    /// A Message ID for a request of this side, unique among those outstanding (PS3.7 §9.3.1.1).
    func nextMessageID() -> UInt16 {
        lastMessageID.withLockedValue { id in
            id &+= 1
            return id
        }
    }

    /// Sends a request on an association the router serves and returns the response it reads.
    func request(_ request: DIMSECommand, messageID: UInt16, presentationContextID: UInt8,
                 dataSet: DataSetSource? = nil) async throws -> DIMSECommand {
        // One request of this side's outstanding at a time: the window grants the peer Maximum
        // Number Operations Performed 1 (PS3.7 §D.3.3.3), even when several C-GETs or a C-GET
        // and a storage commitment report send at once.
        try await ownRequestTurn.withLock {
            try responseWaiters.expect(messageID)
            try await send(command: request.encode(), presentationContextID: presentationContextID, dataSet: dataSet)
            return try await responseWaiters.response(to: messageID)
        }
    }

    // MARK: Release and abort

    /// Releases the association (A-RELEASE, PS3.8 §7.2), including a release collision.
    /// Data still arriving during the release is discarded (AR-6).
    public func release() async throws {
        try connection.checkOpen()
        try await connection.handle(.releaseRequest)  // AR-1
        while let pdu = try await connection.readPDU() {
            let steps = try await connection.handleReceived(pdu)
            if steps.contains(.closeTransport) { return }  // AR-3: released
            // A release collision (AR-8; on the acceptor's side AR-10 first): this side answers
            // the peer's request when the machine lets it (AR-9, or AR-4 after which the peer closes).
            if connection.allows(.evt14), try await connection.handle(.releaseResponse).contains(.startARTIM) {
                try await connection.awaitTransportClose()
                return
            }
        }
    }

    /// Whether this side may still release the association (it is established, no release under way).
    var canRelease: Bool { connection.allows(.evt11) }

    /// Aborts the association as its user (A-ABORT, PS3.8 §7.3).
    public func abort() async {
        await connection.abort()
    }
}
