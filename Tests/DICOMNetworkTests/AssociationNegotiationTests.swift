import Testing
@testable import DICOMNetwork

@Suite("Association negotiation (PS3.8 §9.3.3, PS3.7 Annex D)")
struct AssociationNegotiationTests {
    static let ct = "1.2.840.10008.5.1.4.1.1.2"
    static let implicitLE = "1.2.840.10008.1.2", explicitLE = "1.2.840.10008.1.2.1", jpeg = "1.2.840.10008.1.2.4.50"

    static func request(_ contexts: [PresentationContextRQ], roles: [RoleSelection] = [],
                        window: AsynchronousOperationsWindow? = nil) throws -> AAssociateRQ {
        AAssociateRQ(
            calledAETitle: try AETitle("TANDEM"), callingAETitle: try AETitle("SITE1"), presentationContexts: contexts,
            userInformation: UserInformation(maximumLength: 16384, implementationClassUID: "1.2.3",
                                             asynchronousOperationsWindow: window, roleSelections: roles))
    }

    @Test func policyPicksOurPreferredSyntaxAmongThoseProposed() {
        let policy = PresentationContextPolicy.preferring([Self.ct: [Self.explicitLE, Self.implicitLE]])
        let both = PresentationContextRQ(id: 1, abstractSyntax: Self.ct, transferSyntaxes: [Self.implicitLE, Self.explicitLE])
        #expect(policy.answer(both) == PresentationContextAC(id: 1, result: .acceptance, transferSyntax: Self.explicitLE))
        let onlyJPEG = PresentationContextRQ(id: 3, abstractSyntax: Self.ct, transferSyntaxes: [Self.jpeg])
        #expect(policy.answer(onlyJPEG).result == .transferSyntaxesNotSupported)
        let unknown = PresentationContextRQ(id: 5, abstractSyntax: "1.2.3.4", transferSyntaxes: [Self.implicitLE])
        #expect(policy.answer(unknown).result == .abstractSyntaxNotSupported)
    }

    @Test func answerCarriesOurLimitsRolesAndAWindowOfOne() throws {
        var configuration = AssociationConfiguration(aeTitle: try AETitle("TANDEM"))
        configuration.maximumReceivePDULength = 32768
        let request = try Self.request(
            [PresentationContextRQ(id: 1, abstractSyntax: Self.ct, transferSyntaxes: [Self.implicitLE]),
             PresentationContextRQ(id: 3, abstractSyntax: "1.2.3.4", transferSyntaxes: [Self.implicitLE])],
            roles: [RoleSelection(sopClassUID: Self.ct, scuRole: true, scpRole: true),
                    RoleSelection(sopClassUID: "1.2.3.4", scuRole: false, scpRole: true)],
            window: AsynchronousOperationsWindow(maximumOperationsInvoked: 10, maximumOperationsPerformed: 0))
        let answer = AssociationNegotiation.accept(
            request, policy: .preferring([Self.ct: [Self.implicitLE]]), configuration: configuration,
            scpRoleSOPClasses: [Self.ct])
        #expect(answer.userInformation.maximumLength == 32768)
        #expect(answer.userInformation.asynchronousOperationsWindow
            == AsynchronousOperationsWindow(maximumOperationsInvoked: 1, maximumOperationsPerformed: 1))
        #expect(answer.userInformation.roleSelections == [
            RoleSelection(sopClassUID: Self.ct, scuRole: true, scpRole: true),
            RoleSelection(sopClassUID: "1.2.3.4", scuRole: false, scpRole: false),
        ])
        #expect(answer.calledAETitle == request.calledAETitle)
        let accepted = AssociationNegotiation.acceptedContexts(request: request, answer: answer)
        #expect(accepted == [1: AcceptedPresentationContext(id: 1, abstractSyntax: Self.ct, transferSyntax: Self.implicitLE)])
    }

    @Test func noWindowProposedMeansNoneAnswered() throws {
        let request = try Self.request([])
        let answer = AssociationNegotiation.accept(
            request, policy: .preferring([:]), configuration: AssociationConfiguration(aeTitle: try AETitle("A")),
            scpRoleSOPClasses: [])
        #expect(answer.userInformation.asynchronousOperationsWindow == nil)
    }

    @Test func providerRejectsWrongVersionOrApplicationContext() throws {
        var request = try Self.request([])
        #expect(AssociationNegotiation.providerRejection(of: request) == nil)
        request.protocolVersion = 2  // bit 0 clear
        #expect(AssociationNegotiation.providerRejection(of: request) == .acse(.rejectedPermanent, .protocolVersionNotSupported))
        request.protocolVersion = 1
        request.applicationContextName = "1.2.3"
        #expect(AssociationNegotiation.providerRejection(of: request)
            == .user(.rejectedPermanent, .applicationContextNameNotSupported))
    }

    @Test func acceptedContextsIgnoreAnswersToContextsNeverProposed() throws {
        let request = try Self.request([PresentationContextRQ(id: 1, abstractSyntax: Self.ct, transferSyntaxes: [Self.implicitLE])])
        let answer = AAssociateAC(
            calledAETitle: request.calledAETitle, callingAETitle: request.callingAETitle,
            presentationContexts: [PresentationContextAC(id: 1, result: .userRejection, transferSyntax: ""),
                                   PresentationContextAC(id: 9, result: .acceptance, transferSyntax: Self.implicitLE)],
            userInformation: UserInformation(maximumLength: 0, implementationClassUID: "1.2"))
        #expect(AssociationNegotiation.acceptedContexts(request: request, answer: answer).isEmpty)
    }
}
