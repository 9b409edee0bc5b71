import DICOMCore
import DICOMNetwork
import TandemArchive
import Testing
@testable import TandemReceiver

@Suite("Association policy")
struct AssociationPolicyTests {
    /// Counts resolver calls; the resolver runs synchronously inside the policy's init.
    final class LookupCount: @unchecked Sendable { var count = 0 }

    static let ctImage = "1.2.840.10008.5.1.4.1.1.2"
    static let jpegLossless = TransferSyntax.jpegLosslessSV1.uid

    static func request(called: String = "TANDEM", calling: String = "MODALITY1",
                        contexts: [PresentationContextRQ] = []) throws -> AAssociateRQ {
        try AAssociateRQ(calledAETitle: AETitle(called), callingAETitle: AETitle(calling), presentationContexts: contexts,
                         userInformation: UserInformation(maximumLength: 16_384, implementationClassUID: "1.2.3"))
    }

    static let loopback = PeerAddress(host: "127.0.0.1", port: 50_000)

    @Test("a called AE title other than ours is rejected as not recognised, unless any is accepted")
    func calledAETitle() throws {
        let strict = AssociationPolicy(aeTitle: "TANDEM")
        #expect(strict.rejection(of: try Self.request(called: "OTHER"), from: Self.loopback)
            == .user(.rejectedPermanent, .calledAETitleNotRecognized))
        #expect(strict.rejection(of: try Self.request(), from: Self.loopback) == nil)
        let open = AssociationPolicy(aeTitle: "TANDEM", acceptAnyCalledAE: true)
        #expect(open.rejection(of: try Self.request(called: "OTHER"), from: nil) == nil)
    }

    @Test("require_known_callers admits a [[peer]] AE title only from that peer's host")
    func knownCallers() throws {
        let policy = AssociationPolicy(aeTitle: "TANDEM", requireKnownCallers: true, knownCallers: [
            PeerSettings(aeTitle: "SITE1", host: "127.0.0.1", port: 104),
            PeerSettings(aeTitle: "SITE2", host: "10.255.255.1", port: 104)])
        let notRecognized = AAssociateRJ.user(.rejectedPermanent, .callingAETitleNotRecognized)
        #expect(policy.rejection(of: try Self.request(calling: "SITE1"), from: Self.loopback) == nil)
        #expect(policy.rejection(of: try Self.request(calling: "SITE1"),
                                 from: PeerAddress(host: "::ffff:127.0.0.1", port: 1)) == nil)
        #expect(policy.rejection(of: try Self.request(calling: "SITE2"), from: Self.loopback) == notRecognized)
        #expect(policy.rejection(of: try Self.request(calling: "SITE1"), from: nil) == notRecognized)
        #expect(policy.rejection(of: try Self.request(calling: "STRANGER"), from: Self.loopback) == notRecognized)
    }

    @Test("a host name is resolved once, when the policy is made; one that does not resolve admits nobody")
    func hostResolution() throws {
        let lookups = LookupCount()
        let policy = AssociationPolicy(aeTitle: "TANDEM", requireKnownCallers: true, knownCallers: [
            PeerSettings(aeTitle: "SITE1", host: "modality.example", port: 104),
            PeerSettings(aeTitle: "GONE", host: "gone.example", port: 104)]) { host in
            lookups.count += 1
            return host == "modality.example" ? ["192.0.2.7", "2001:db8::7"] : []
        }
        #expect(policy.rejection(of: try Self.request(calling: "SITE1"), from: PeerAddress(host: "2001:DB8::7", port: 1)) == nil)
        #expect(policy.rejection(of: try Self.request(calling: "SITE1"), from: PeerAddress(host: "192.0.2.7", port: 1)) == nil)
        #expect(policy.unresolvedCallers.map(\.aeTitle) == ["GONE"])
        #expect(lookups.count == 2)
        #expect(AssociationPolicy(aeTitle: "TANDEM", knownCallers: [PeerSettings(aeTitle: "X", host: "x", port: 1)]) { _ in
            lookups.count += 1
            return []
        }.knownCallers.isEmpty)
        #expect(lookups.count == 2)  // no lookups while callers are not checked
    }

    @Test("a known caller without the store service has its storage contexts refused, not Verification")
    func storeService() throws {
        let contexts = [PresentationContextRQ(id: 1, abstractSyntax: Self.ctImage,
                                              transferSyntaxes: [TransferSyntax.explicitVRLittleEndian.uid]),
                        PresentationContextRQ.verification(id: 3)]
        let policy = AssociationPolicy(aeTitle: "TANDEM", requireKnownCallers: true, knownCallers: [
            PeerSettings(aeTitle: "VIEWER", host: "127.0.0.1", port: 104, services: [.find, .move]),
            PeerSettings(aeTitle: "SITE1", host: "127.0.0.1", port: 104, services: [.store])])
        for (caller, storage) in [("VIEWER", PresentationContextAC.Result.userRejection), ("SITE1", .acceptance)] {
            guard case .accept(let answer) = policy.decision(on: try Self.request(calling: caller, contexts: contexts),
                                                              from: Self.loopback) else {
                Issue.record("\(caller) rejected")
                continue
            }
            #expect(answer.answer(contexts[0]).result == storage, "\(caller)")
            #expect(answer.answer(contexts[1]).result == .acceptance, "\(caller)")
        }
    }

    @Test("peer addresses: IPv4-mapped IPv6 is its IPv4 form; localhost resolves to loopback")
    func peerAddresses() {
        #expect(PeerAddress(host: "::FFFF:127.0.0.1", port: 104) == PeerAddress(host: "127.0.0.1", port: 104))
        #expect(PeerAddress(host: "::1", port: 104).description == "[::1]:104")
        #expect(PeerAddress.resolve("127.0.0.1") == ["127.0.0.1"])
        #expect(PeerAddress.resolve("localhost").contains("127.0.0.1"))
        #expect(PeerAddress.resolve("no-such-host.invalid").isEmpty)
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
