import DICOMCore

/// A service class provider (SCP) for the abstract syntaxes it is routed (PS3.4): one method per
/// DIMSE service it performs. The defaults answer "unrecognized operation" (0211H, PS3.7 C.5.4),
/// so a provider implements only its own services.
public protocol DIMSEServiceProvider: Sendable {
    /// C-ECHO (PS3.4 Annex A).
    func echo(_ request: CEchoRequest, context: DIMSERequestContext) async throws -> DIMSEResult
    /// C-STORE (PS3.4 Annex B): consume the data set fragments (they come off the socket as they
    /// are read) and return the response's status once the instance is safe.
    func store(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws -> DIMSEResult
    /// C-STORE on an association with an asynchronous operations window (PS3.7 §D.3.3.3): consume
    /// the data set, then return the rest of the operation (making the instance safe), which the
    /// router runs while it reads the next request. The default performs `store` whole first.
    func receiveStore(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws
        -> StoreCompletion
    /// Told how long sending a C-STORE response took, once it went out (for per-phase timing).
    func storeResponseSent(after elapsed: Duration)
    /// C-FIND (PS3.4 C.4.1): send each match with `responder.pending`, stop once it reports the
    /// operation cancelled, and return the final status (the router sends Cancel, FE00H, after a C-CANCEL).
    func find(_ request: CFindRequest, identifier: DataSet, responder: CFindResponder) async throws -> DIMSEResult
    /// C-GET (PS3.4 C.4.3): store each instance with `responder.store` on this association,
    /// report counts with `responder.pending`, stop once cancelled.
    func get(_ request: CGetRequest, identifier: DataSet, responder: RetrieveResponder) async throws -> RetrieveResult
    /// C-MOVE (PS3.4 C.4.2): store each instance on an association to the Move Destination,
    /// report counts with `responder.pending`, stop once cancelled.
    func move(_ request: CMoveRequest, identifier: DataSet, responder: RetrieveResponder) async throws -> RetrieveResult
    /// N-ACTION (PS3.7 §10.1.4), e.g. a Storage Commitment request (PS3.4 J.3.2); answered at
    /// once with the status and an optional Action Reply, then any follow-up runs.
    func action(_ request: NActionRequest, information: DataSet?, context: DIMSERequestContext) async throws -> NActionOutcome
}

/// The rest of a C-STORE whose data set was read: returns the response's status once the
/// instance is safe.
public typealias StoreCompletion = @Sendable () async throws -> DIMSEResult

extension DIMSEServiceProvider {
    public func storeResponseSent(after elapsed: Duration) {}

    public func receiveStore(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws
        -> StoreCompletion
    {
        let result = try await store(request, dataSet: dataSet, context: context)
        return { result }
    }

    public func echo(_ request: CEchoRequest, context: DIMSERequestContext) async throws -> DIMSEResult {
        DIMSEResult(.unrecognizedOperation)
    }

    public func store(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws -> DIMSEResult {
        for try await _ in dataSet {}  // the response follows the whole message (PS3.7 §9.3.1)
        return DIMSEResult(.unrecognizedOperation)
    }

    public func find(_ request: CFindRequest, identifier: DataSet, responder: CFindResponder) async throws -> DIMSEResult {
        DIMSEResult(.unrecognizedOperation)
    }

    public func get(_ request: CGetRequest, identifier: DataSet, responder: RetrieveResponder) async throws -> RetrieveResult {
        RetrieveResult(DIMSEResult(.unrecognizedOperation))
    }

    public func move(_ request: CMoveRequest, identifier: DataSet, responder: RetrieveResponder) async throws -> RetrieveResult {
        RetrieveResult(DIMSEResult(.unrecognizedOperation))
    }

    public func action(_ request: NActionRequest, information: DataSet?, context: DIMSERequestContext) async throws
        -> NActionOutcome
    {
        NActionOutcome(DIMSEResult(.unrecognizedOperation))
    }
}

/// What a provider knows of the request besides the command: the association and the
/// presentation context the request arrived on.
public struct DIMSERequestContext: Sendable {
    public let association: Association
    public let presentationContext: AcceptedPresentationContext

    public var transferSyntax: TransferSyntax { TransferSyntax(uid: presentationContext.transferSyntax) }

    /// Waits until the association being served has ended, or `limit` has passed; true when it
    /// ended. Lets storage commitment give a requestor that releases at once its report on a new
    /// association (PS3.4 J.3.3).
    public func awaitAssociationEnd(atMost limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while !association.responseWaiters.hasEnded {
            guard ContinuousClock.now < deadline, (try? await Task.sleep(for: .milliseconds(20))) != nil else {
                return association.responseWaiters.hasEnded
            }
        }
        return true
    }

    /// Sends a request of this side on the association being served (e.g. storage commitment's
    /// N-EVENT-REPORT, PS3.4 J.3.3) and returns the response the router reads.
    /// `request` builds the command around the Message ID this side assigns.
    public func request(presentationContextID: UInt8, dataSet: DataSetSource? = nil,
                        _ request: (_ messageID: UInt16) -> DIMSECommand) async throws -> DIMSECommand {
        let messageID = association.nextMessageID()
        return try await association.request(request(messageID), messageID: messageID,
                                             presentationContextID: presentationContextID, dataSet: dataSet)
    }
}

/// The outcome an operation's final response carries.
public struct DIMSEResult: Hashable, Sendable {
    public var status: DIMSEStatus
    /// Error Comment (0000,0902) for failures and warnings.
    public var errorComment: String?
    /// Offending Element (0000,0901), e.g. the query keys that could not be understood.
    public var offendingElements: [Tag]

    public init(_ status: DIMSEStatus, errorComment: String? = nil, offendingElements: [Tag] = []) {
        self.status = status
        self.errorComment = errorComment
        self.offendingElements = offendingElements
    }

    public static let success = DIMSEResult(.success)
}

/// How an N-ACTION ends: its response, and work that may only start once the response is out.
public struct NActionOutcome: Sendable {
    public var result: DIMSEResult
    /// Action Reply, sent with the response.
    public var reply: DataSet?
    /// Runs in its own task after the N-ACTION-RSP went out, while the router reads on: e.g.
    /// storage commitment's N-EVENT-REPORT on the same association (PS3.4 J.3.3), which
    /// `DIMSERequestContext.request` sends and whose response it awaits. The router waits for
    /// it before `serve` returns; after the association ended, requests on it throw.
    public var followUp: (@Sendable () async -> Void)?

    public init(_ result: DIMSEResult, reply: DataSet? = nil, followUp: (@Sendable () async -> Void)? = nil) {
        self.result = result
        self.reply = reply
        self.followUp = followUp
    }
}
