import DICOMCore
import DICOMNetwork
import TandemArchive
import Testing
@testable import TandemReceiver

@Suite("Association policy")
struct AssociationPolicyTests {
    static let ctImage = "1.2.840.10008.5.1.4.1.1.2"
    static let jpegLossless = TransferSyntax.jpegLosslessSV1.uid

    static func request(called: String = "TANDEM", calling: String = "MODALITY1",
                        contexts: [PresentationContextRQ] = []) throws -> AAssociateRQ {
        try AAssociateRQ(calledAETitle: AETitle(called), callingAETitle: AETitle(calling), presentationContexts: contexts,
                         userInformation: UserInformation(maximumLength: 16_384, implementationClassUID: "1.2.3"))
    }

    @Test("a called AE title other than ours is rejected as not recognised, unless any is accepted")
    func calledAETitle() throws {
        let strict = AssociationPolicy(aeTitle: "TANDEM")
        #expect(strict.rejection(of: try Self.request(called: "OTHER")) == .user(.rejectedPermanent, .calledAETitleNotRecognized))
        #expect(strict.rejection(of: try Self.request()) == nil)
        let open = AssociationPolicy(aeTitle: "TANDEM", acceptAnyCalledAE: true)
        #expect(open.rejection(of: try Self.request(called: "OTHER")) == nil)
    }

    @Test("require_known_callers admits [[peer]] AE titles only")
    func knownCallers() throws {
        let policy = AssociationPolicy(aeTitle: "TANDEM", requireKnownCallers: true,
                                       knownCallers: [PeerSettings(aeTitle: "SITE1", host: "127.0.0.1", port: 104)])
        #expect(policy.rejection(of: try Self.request(calling: "SITE1")) == nil)
        #expect(policy.rejection(of: try Self.request(calling: "STRANGER"))
            == .user(.rejectedPermanent, .callingAETitleNotRecognized))
    }

    @Test("storage and verification contexts take the first proposed syntax; other classes are refused")
    func firstProposedSyntax() {
        let answer = AssociationPolicy(aeTitle: "TANDEM").presentationContexts.answer
        let ct = answer(PresentationContextRQ(id: 1, abstractSyntax: Self.ctImage,
                                              transferSyntaxes: [Self.jpegLossless, TransferSyntax.explicitVRLittleEndian.uid]))
        #expect(ct == PresentationContextAC(id: 1, result: .acceptance, transferSyntax: Self.jpegLossless))
        let echo = answer(PresentationContextRQ(id: 3, abstractSyntax: CEchoRequest.verificationSOPClassUID,
                                                transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid]))
        #expect(echo.result == .acceptance)
        let find = answer(PresentationContextRQ(id: 5, abstractSyntax: "1.2.840.10008.5.1.4.1.2.2.1",
                                                transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid]))
        #expect(find.result == .abstractSyntaxNotSupported)
    }

    @Test("prefer_uncompressed picks the first uncompressed syntax proposed, else the first one")
    func preferUncompressed() {
        let answer = AssociationPolicy(aeTitle: "TANDEM", preferUncompressed: true).presentationContexts.answer
        let mixed = answer(PresentationContextRQ(id: 1, abstractSyntax: Self.ctImage, transferSyntaxes: [
            Self.jpegLossless, TransferSyntax.explicitVRLittleEndian.uid]))
        #expect(mixed.transferSyntax == TransferSyntax.explicitVRLittleEndian.uid)
        let compressedOnly = answer(PresentationContextRQ(id: 3, abstractSyntax: Self.ctImage,
                                                          transferSyntaxes: [Self.jpegLossless]))
        #expect(compressedOnly.transferSyntax == Self.jpegLossless)
    }
}
