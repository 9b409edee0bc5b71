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
}

/// The presentation context proposal for Verification in the little-endian transfer syntaxes.
extension PresentationContextRQ {
    public static func verification(id: UInt8 = 1) -> PresentationContextRQ {
        PresentationContextRQ(id: id, abstractSyntax: CEchoRequest.verificationSOPClassUID,
                              transferSyntaxes: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"])
    }
}

/// An acceptor service that answers C-ECHO for one called AE title: unknown called AE titles
/// are rejected (PS3.8 Table 9-21, reason 7).
public struct VerificationService: AssociationServiceHandler {
    public let calledAETitle: AETitle

    public init(calledAETitle: AETitle) { self.calledAETitle = calledAETitle }

    public func decide(on request: AAssociateRQ) async -> AssociationDecision {
        guard request.calledAETitle == calledAETitle else { return .reject(.user(.rejectedPermanent, .calledAETitleNotRecognized)) }
        return .accept(.preferring([CEchoRequest.verificationSOPClassUID: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]]))
    }

    public var router: DIMSEServiceRouter {
        DIMSEServiceRouter([.init([CEchoRequest.verificationSOPClassUID], to: VerificationProvider())])
    }
}

/// The Verification SCP (PS3.4 Annex A): every C-ECHO is answered with success.
public struct VerificationProvider: DIMSEServiceProvider {
    public init() {}

    public func echo(_ request: CEchoRequest, context: DIMSERequestContext) async throws -> DIMSEResult { .success }
}
