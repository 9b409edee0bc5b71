import DICOMCore

/// A DIMSE command, decoded once from its command set by its Command Field (PS3.7 §E.1).
public enum DIMSECommand: Hashable, Sendable {
    case cEchoRQ(CEchoRequest)
    case cEchoRSP(CEchoResponse)
    case cStoreRQ(CStoreRequest)
    case cStoreRSP(CStoreResponse)
    case cFindRQ(CFindRequest)
    case cFindRSP(CFindResponse)
    case cGetRQ(CGetRequest)
    case cGetRSP(CGetResponse)
    case cMoveRQ(CMoveRequest)
    case cMoveRSP(CMoveResponse)
    case cCancelRQ(CCancelRequest)
    case nEventReportRQ(NEventReportRequest)
    case nEventReportRSP(NEventReportResponse)
    case nActionRQ(NActionRequest)
    case nActionRSP(NActionResponse)
    /// A command this layer does not decode (N-GET, N-SET, N-CREATE, N-DELETE…).
    case unsupported(commandField: UInt16, messageID: UInt16?, hasDataSet: Bool)

    public init(decoding bytes: [UInt8]) throws {
        try self.init(try CommandSet.decode(bytes))
    }

    /// Decodes the elements of a command set.
    public init(_ command: DataSet) throws {
        guard let field = command.uint16(CommandSet.commandField) else {
            throw DIMSEDecodingError("missing or invalid \(CommandSet.commandField)")
        }
        switch CommandField(rawValue: field) {
        case .cEchoRQ: self = .cEchoRQ(try CEchoRequest(command))
        case .cEchoRSP: self = .cEchoRSP(try CEchoResponse(command))
        case .cStoreRQ: self = .cStoreRQ(try CStoreRequest(command))
        case .cStoreRSP: self = .cStoreRSP(try CStoreResponse(command))
        case .cFindRQ: self = .cFindRQ(try CFindRequest(command))
        case .cFindRSP: self = .cFindRSP(try CFindResponse(command))
        case .cGetRQ: self = .cGetRQ(try CGetRequest(command))
        case .cGetRSP: self = .cGetRSP(try CGetResponse(command))
        case .cMoveRQ: self = .cMoveRQ(try CMoveRequest(command))
        case .cMoveRSP: self = .cMoveRSP(try CMoveResponse(command))
        case .cCancelRQ: self = .cCancelRQ(try CCancelRequest(command))
        case .nEventReportRQ: self = .nEventReportRQ(try NEventReportRequest(command))
        case .nEventReportRSP: self = .nEventReportRSP(try NEventReportResponse(command))
        case .nActionRQ: self = .nActionRQ(try NActionRequest(command))
        case .nActionRSP: self = .nActionRSP(try NActionResponse(command))
        case nil:
            guard let hasDataSet = CommandSet.announcesDataSet(command) else {
                throw DIMSEDecodingError("missing or invalid \(CommandSet.commandDataSetType)")
            }
            self = .unsupported(commandField: field, messageID: command.uint16(CommandSet.messageID), hasDataSet: hasDataSet)
        }
    }

    private var message: (any CommandFieldTable)? {
        switch self {
        case .cEchoRQ(let message): message
        case .cEchoRSP(let message): message
        case .cStoreRQ(let message): message
        case .cStoreRSP(let message): message
        case .cFindRQ(let message): message
        case .cFindRSP(let message): message
        case .cGetRQ(let message): message
        case .cGetRSP(let message): message
        case .cMoveRQ(let message): message
        case .cMoveRSP(let message): message
        case .cCancelRQ(let message): message
        case .nEventReportRQ(let message): message
        case .nEventReportRSP(let message): message
        case .nActionRQ(let message): message
        case .nActionRSP(let message): message
        case .unsupported: nil
        }
    }

    /// Whether a data set follows the command.
    public var hasDataSet: Bool {
        if case .unsupported(_, _, let hasDataSet) = self { return hasDataSet }
        return message?.hasDataSet ?? false
    }

    /// The command set bytes.
    public func encode() throws -> [UInt8] {
        guard let message else { throw DIMSEDecodingError("cannot encode an unsupported command") }
        return try message.encodeCommand()
    }

    /// Message ID Being Responded To of a response, nil for requests and C-CANCEL.
    public var messageIDBeingRespondedTo: UInt16? {
        switch self {
        case .cEchoRSP(let response): response.messageIDBeingRespondedTo
        case .cStoreRSP(let response): response.messageIDBeingRespondedTo
        case .cFindRSP(let response): response.messageIDBeingRespondedTo
        case .cGetRSP(let response): response.messageIDBeingRespondedTo
        case .cMoveRSP(let response): response.messageIDBeingRespondedTo
        case .nEventReportRSP(let response): response.messageIDBeingRespondedTo
        case .nActionRSP(let response): response.messageIDBeingRespondedTo
        case .cEchoRQ, .cStoreRQ, .cFindRQ, .cGetRQ, .cMoveRQ, .cCancelRQ, .nEventReportRQ, .nActionRQ, .unsupported: nil
        }
    }

    /// Message ID of a request (C-CANCEL excepted, which names the request it cancels); nil otherwise.
    public var requestMessageID: UInt16? {
        switch self {
        case .cEchoRQ(let request): request.messageID
        case .cStoreRQ(let request): request.messageID
        case .cFindRQ(let request): request.messageID
        case .cGetRQ(let request): request.messageID
        case .cMoveRQ(let request): request.messageID
        case .nEventReportRQ(let request): request.messageID
        case .nActionRQ(let request): request.messageID
        case .cCancelRQ, .cEchoRSP, .cStoreRSP, .cFindRSP, .cGetRSP, .cMoveRSP, .nEventReportRSP, .nActionRSP, .unsupported: nil
        }
    }

    /// The response to this request carrying `result` (with the request's SOP class and
    /// instance); nil for responses, C-CANCEL and unsupported commands. `hasDataSet` announces
    /// an identifier or reply following it.
    public func response(_ result: DIMSEResult, hasDataSet: Bool = false,
                         subOperations: SubOperationCounts = SubOperationCounts()) -> DIMSECommand? {
        let (status, comment, offending) = (result.status, result.errorComment, result.offendingElements)
        switch self {
        case .cEchoRQ(let rq):
            return .cEchoRSP(CEchoResponse(messageIDBeingRespondedTo: rq.messageID, affectedSOPClassUID: rq.affectedSOPClassUID,
                                           status: status))
        case .cStoreRQ(let rq):
            // Both UIDs are optional in the response (PS3.7 Table 9.3-2): one that cannot be a UID
            // (not ASCII, too long) is left out, not echoed into a command that cannot be encoded.
            return .cStoreRSP(CStoreResponse(
                messageIDBeingRespondedTo: rq.messageID, affectedSOPClassUID: Self.echoable(rq.affectedSOPClassUID),
                affectedSOPInstanceUID: Self.echoable(rq.affectedSOPInstanceUID), status: status, errorComment: comment,
                offendingElements: offending))
        case .cFindRQ(let rq):
            return .cFindRSP(CFindResponse(
                messageIDBeingRespondedTo: rq.messageID, affectedSOPClassUID: rq.affectedSOPClassUID, status: status,
                hasIdentifier: hasDataSet, errorComment: comment, offendingElements: offending))
        case .cGetRQ(let rq):
            return .cGetRSP(CGetResponse(
                messageIDBeingRespondedTo: rq.messageID, affectedSOPClassUID: rq.affectedSOPClassUID, status: status,
                subOperations: subOperations, hasIdentifier: hasDataSet, errorComment: comment, offendingElements: offending))
        case .cMoveRQ(let rq):
            return .cMoveRSP(CMoveResponse(
                messageIDBeingRespondedTo: rq.messageID, affectedSOPClassUID: rq.affectedSOPClassUID, status: status,
                subOperations: subOperations, hasIdentifier: hasDataSet, errorComment: comment, offendingElements: offending))
        case .nEventReportRQ(let rq):
            return .nEventReportRSP(NEventReportResponse(
                messageIDBeingRespondedTo: rq.messageID, affectedSOPClassUID: rq.affectedSOPClassUID,
                affectedSOPInstanceUID: rq.affectedSOPInstanceUID, eventTypeID: rq.eventTypeID, status: status,
                hasEventReply: hasDataSet, errorComment: comment))
        case .nActionRQ(let rq):
            return .nActionRSP(NActionResponse(
                messageIDBeingRespondedTo: rq.messageID, affectedSOPClassUID: rq.requestedSOPClassUID,
                affectedSOPInstanceUID: rq.requestedSOPInstanceUID, actionTypeID: rq.actionTypeID, status: status,
                hasActionReply: hasDataSet, errorComment: comment))
        case .cCancelRQ, .cEchoRSP, .cStoreRSP, .cFindRSP, .cGetRSP, .cMoveRSP, .nEventReportRSP, .nActionRSP, .unsupported:
            return nil
        }
    }
}

extension DIMSECommand {
    /// A UID from a request as the response may echo it: nil unless it is 1–64 characters of the
    /// default repertoire without control characters (PS3.5 §9.1).
    static func echoable(_ uid: String) -> String? {
        let scalars = uid.unicodeScalars
        guard (1...64).contains(scalars.count), scalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }) else { return nil }
        return uid
    }
}
