/// The Verification service (PS3.4 Annex A) on top of an association: C-ECHO.
extension Association {
    /// Sends C-ECHO-RQ on the Verification context and returns the response status.
    public func echo(messageID: UInt16 = 1) async throws -> DIMSEStatus {
        guard let context = acceptedContexts.values.first(where: { $0.abstractSyntax == CEchoRequest.verificationSOPClassUID }) else {
            throw AssociationError.notAllowed("Verification SOP Class was not accepted")
        }
        try await send(command: try CEchoRequest(messageID: messageID).encode(), presentationContextID: context.id)
        guard let message = try await receive() else { throw AssociationError.connectionClosed }
        guard case .cEchoRSP(let response) = message.command,
              response.messageIDBeingRespondedTo == messageID else {
            throw DIMSEDecodingError("answer to C-ECHO-RQ is not its C-ECHO-RSP")
        }
        return response.status
    }

    /// Answers a C-ECHO-RQ received as `message` with success (PS3.4 §A.4).
    public func respondToEcho(_ request: CEchoRequest, in message: IncomingMessage) async throws {
        let response = CEchoResponse(messageIDBeingRespondedTo: request.messageID, affectedSOPClassUID: request.affectedSOPClassUID)
        try await send(command: try response.encode(), presentationContextID: message.presentationContext.id)
    }
}

/// The presentation context proposal for Verification in the little-endian transfer syntaxes.
extension PresentationContextRQ {
    public static func verification(id: UInt8 = 1) -> PresentationContextRQ {
        PresentationContextRQ(id: id, abstractSyntax: CEchoRequest.verificationSOPClassUID,
                              transferSyntaxes: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"])
    }
}

/// An acceptor service that answers C-ECHO for one called AE title and refuses anything else:
/// unknown called AE titles are rejected (PS3.8 Table 9-21, reason 7), other commands answered
/// with "unrecognized operation".
public struct VerificationService: AssociationServiceHandler {
    public let calledAETitle: AETitle

    public init(calledAETitle: AETitle) { self.calledAETitle = calledAETitle }

    public func decide(on request: AAssociateRQ) async -> AssociationDecision {
        guard request.calledAETitle == calledAETitle else { return .reject(.user(.rejectedPermanent, .calledAETitleNotRecognized)) }
        return .accept(.preferring([CEchoRequest.verificationSOPClassUID: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]]))
    }

    public func handle(_ message: IncomingMessage, on association: Association) async throws {
        switch message.command {
        case .cEchoRQ(let request): try await association.respondToEcho(request, in: message)
        default: throw DIMSEDecodingError("Verification service received a command other than C-ECHO-RQ")
        }
    }
}
