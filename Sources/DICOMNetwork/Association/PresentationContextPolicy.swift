/// How an acceptor answers each proposed presentation context (PS3.8 §9.3.3.2): the caller
/// decides which abstract syntaxes it serves and which transfer syntax it prefers.
public struct PresentationContextPolicy: Sendable {
    public let answer: @Sendable (PresentationContextRQ) -> PresentationContextAC
    /// The answer to a SOP class extended negotiation sub-item (PS3.7 §D.3.3.5) for a SOP class
    /// of an accepted context, e.g. relational queries for C-FIND (PS3.4 C.5.1.1); nil: none sent,
    /// which the requestor takes as no extended behaviour.
    public let extendedNegotiation: @Sendable (SOPClassExtendedNegotiation) -> SOPClassExtendedNegotiation?

    public init(answer: @escaping @Sendable (PresentationContextRQ) -> PresentationContextAC,
                extendedNegotiation: @escaping @Sendable (SOPClassExtendedNegotiation) -> SOPClassExtendedNegotiation? = { _ in nil }) {
        self.answer = answer
        self.extendedNegotiation = extendedNegotiation
    }

    /// Accepts the listed abstract syntaxes with the first of our transfer syntaxes (in our
    /// order of preference) that the requestor proposed.
    public static func preferring(_ transferSyntaxesByAbstractSyntax: [String: [String]]) -> PresentationContextPolicy {
        PresentationContextPolicy { proposed in
            guard let ours = transferSyntaxesByAbstractSyntax[proposed.abstractSyntax] else {
                return PresentationContextAC(id: proposed.id, result: .abstractSyntaxNotSupported, transferSyntax: "")
            }
            guard let chosen = ours.first(where: proposed.transferSyntaxes.contains) else {
                return PresentationContextAC(id: proposed.id, result: .transferSyntaxesNotSupported, transferSyntax: "")
            }
            return PresentationContextAC(id: proposed.id, result: .acceptance, transferSyntax: chosen)
        }
    }
}

/// A presentation context both sides agreed on.
public struct AcceptedPresentationContext: Hashable, Sendable {
    public let id: UInt8
    public let abstractSyntax: String
    public let transferSyntax: String
}

/// The acceptor's side of association negotiation, without I/O.
enum AssociationNegotiation {
    /// A reason the provider itself rejects a request (AE-6 "not acceptable"), if any.
    static func providerRejection(of request: AAssociateRQ) -> AAssociateRJ? {
        if request.protocolVersion & 0x0001 == 0 {  // PS3.8 §9.3.2: bit 0 is version 1
            return .acse(.rejectedPermanent, .protocolVersionNotSupported)
        }
        if request.applicationContextName != AssociationFields.dicomApplicationContextName {
            return .user(.rejectedPermanent, .applicationContextNameNotSupported)
        }
        return nil
    }

    /// The A-ASSOCIATE-AC for an acceptable request.
    static func accept(
        _ request: AAssociateRQ, policy: PresentationContextPolicy, configuration: AssociationConfiguration,
        scpRoleSOPClasses: Set<String>
    ) -> AAssociateAC {
        let contexts = request.presentationContexts.map(policy.answer)
        let proposedSyntaxes = Dictionary(request.presentationContexts.map { ($0.id, $0.abstractSyntax) },
                                          uniquingKeysWith: { first, _ in first })
        let acceptedSOPClasses = Set(contexts.filter { $0.result == .acceptance }.compactMap { proposedSyntaxes[$0.id] })
        let extendedNegotiations = request.userInformation.extendedNegotiations
            .filter { acceptedSOPClasses.contains($0.sopClassUID) }
            .compactMap(policy.extendedNegotiation)
        // Role selection (PS3.7 §D.3.3.4): the requestor may act as SCU of anything we accept;
        // it may act as SCP only for the classes the caller allows (e.g. C-GET storage).
        let roles = request.userInformation.roleSelections.map { proposed in
            RoleSelection(sopClassUID: proposed.sopClassUID, scuRole: proposed.scuRole,
                          scpRole: proposed.scpRole && scpRoleSOPClasses.contains(proposed.sopClassUID))
        }
        let window = AsynchronousOperationsWindow.answer(to: request.userInformation.asynchronousOperationsWindow,
                                                         limit: configuration.maximumOperationsInvoked)
        return AAssociateAC(
            calledAETitle: request.calledAETitle, callingAETitle: request.callingAETitle,
            presentationContexts: contexts,
            userInformation: configuration.userInformation(roleSelections: roles, asynchronousOperationsWindow: window,
                                                           extendedNegotiations: extendedNegotiations))
    }

    /// The contexts accepted in `answer`, with the abstract syntax the request proposed.
    static func acceptedContexts(request: AAssociateRQ, answer: AAssociateAC) -> [UInt8: AcceptedPresentationContext] {
        let proposed = Dictionary(request.presentationContexts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var accepted: [UInt8: AcceptedPresentationContext] = [:]
        for context in answer.presentationContexts where context.result == .acceptance {
            guard let abstractSyntax = proposed[context.id]?.abstractSyntax else { continue }
            accepted[context.id] = AcceptedPresentationContext(
                id: context.id, abstractSyntax: abstractSyntax, transferSyntax: context.transferSyntax)
        }
        return accepted
    }
}
