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

    @Test("a caller that may get but not store has storage contexts, for its C-GET sub-operations")
    func getServiceKeepsStorageContexts() throws {
        let contexts = [PresentationContextRQ(id: 1, abstractSyntax: Self.ctImage,
                                              transferSyntaxes: [TransferSyntax.explicitVRLittleEndian.uid])]
        let policy = AssociationPolicy(aeTitle: "TANDEM", requireKnownCallers: true, knownCallers: [
            PeerSettings(aeTitle: "WORKSTATION", host: "127.0.0.1", port: 104, services: [.get])]) { _ in ["127.0.0.1"] }
        let request = try Self.request(calling: "WORKSTATION", contexts: contexts)
        guard case .accept(let answer) = policy.decision(on: request, from: Self.loopback) else {
            Issue.record("WORKSTATION rejected")
            return
        }
        #expect(answer.answer(contexts[0]).result == .acceptance)
        #expect(policy.refusedForService(in: request).isEmpty)
        #expect(!policy.grantedServices(to: request).contains(.store))
    }

    @Test("peer addresses: IPv4-mapped IPv6 is its IPv4 form; localhost resolves to loopback")
    func peerAddresses() {
        #expect(PeerAddress(host: "::FFFF:127.0.0.1", port: 104) == PeerAddress(host: "127.0.0.1", port: 104))
        #expect(PeerAddress(host: "::1", port: 104).description == "[::1]:104")
        #expect(PeerAddress.resolve("127.0.0.1") == ["127.0.0.1"])
        #expect(PeerAddress.resolve("localhost").contains("127.0.0.1"))
        #expect(PeerAddress.resolve("no-such-host.invalid").isEmpty)
    }

    @Test("storage and verification contexts take the first proposed syntax; classes not served are refused")
    func firstProposedSyntax() {
        let answer = AssociationPolicy(aeTitle: "TANDEM").presentationContexts.answer
        let ct = answer(PresentationContextRQ(id: 1, abstractSyntax: Self.ctImage,
                                              transferSyntaxes: [Self.jpegLossless, TransferSyntax.explicitVRLittleEndian.uid]))
        #expect(ct == PresentationContextAC(id: 1, result: .acceptance, transferSyntax: Self.jpegLossless))
        let echo = answer(PresentationContextRQ(id: 3, abstractSyntax: CEchoRequest.verificationSOPClassUID,
                                                transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid]))
        #expect(echo.result == .acceptance)
        let worklist = answer(PresentationContextRQ(id: 5, abstractSyntax: "1.2.840.10008.5.1.4.31",
                                                    transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid]))
        #expect(worklist.result == .abstractSyntaxNotSupported)
    }

    static let studyRootFind = "1.2.840.10008.5.1.4.1.2.2.1"

    @Test("a query context takes the first uncompressed syntax proposed: its identifier is decoded here")
    func querySyntax() {
        let answer = AssociationPolicy(aeTitle: "TANDEM").presentationContexts.answer
        let mixed = answer(PresentationContextRQ(id: 1, abstractSyntax: Self.studyRootFind, transferSyntaxes: [
            Self.jpegLossless, TransferSyntax.implicitVRLittleEndian.uid]))
        #expect(mixed == PresentationContextAC(id: 1, result: .acceptance, transferSyntax: TransferSyntax.implicitVRLittleEndian.uid))
        let compressedOnly = answer(PresentationContextRQ(id: 3, abstractSyntax: Self.studyRootFind,
                                                          transferSyntaxes: [Self.jpegLossless]))
        #expect(compressedOnly.result == .transferSyntaxesNotSupported)
    }

    @Test("each service gates its contexts; a caller left with nothing is rejected, and the refusals name the service")
    func serviceGating() throws {
        let find = PresentationContextRQ(id: 1, abstractSyntax: Self.studyRootFind,
                                         transferSyntaxes: [TransferSyntax.explicitVRLittleEndian.uid])
        let store = PresentationContextRQ(id: 3, abstractSyntax: Self.ctImage,
                                          transferSyntaxes: [TransferSyntax.explicitVRLittleEndian.uid])
        let policy = AssociationPolicy(aeTitle: "TANDEM", requireKnownCallers: true, knownCallers: [
            PeerSettings(aeTitle: "VIEWER", host: "127.0.0.1", port: 104, services: [.find]),
            PeerSettings(aeTitle: "SITE1", host: "127.0.0.1", port: 104, services: [.store])]) { _ in ["127.0.0.1"] }

        let viewer = try Self.request(calling: "VIEWER", contexts: [find, store])
        guard case .accept(let answer) = policy.decision(on: viewer, from: Self.loopback) else {
            Issue.record("VIEWER rejected")
            return
        }
        #expect(answer.answer(find).result == .acceptance)
        #expect(answer.answer(store).result == .userRejection)
        #expect(policy.refusedForService(in: viewer).map(\.service) == [.store])

        let site = try Self.request(calling: "SITE1", contexts: [find])
        guard case .reject(let rejection) = policy.decision(on: site, from: Self.loopback) else {
            Issue.record("SITE1 accepted with nothing to serve")
            return
        }
        #expect(rejection == .user(.rejectedPermanent, .noReasonGiven))
        #expect(policy.refusedForService(in: site).map(\.service) == [.find])
        #expect(policy.refusedForService(in: viewer).count == 1)

        // Without require_known_callers every service is granted.
        let open = AssociationPolicy(aeTitle: "TANDEM")
        #expect(open.refusedForService(in: site).isEmpty)
        guard case .accept = open.decision(on: site, from: Self.loopback) else {
            Issue.record("rejected without require_known_callers")
            return
        }
    }

    @Test("relational queries are granted when asked for on a FIND SOP class, nothing else (PS3.4 C.5.1.1)")
    func relationalQueryNegotiation() throws {
        let asked = SOPClassExtendedNegotiation(sopClassUID: Self.studyRootFind, serviceClassApplicationInformation: [1, 1, 1])
        let reply = try #require(QueryNegotiation.answer(asked))
        #expect(reply.serviceClassApplicationInformation == [1, 0, 0])
        #expect(QueryNegotiation.answer(SOPClassExtendedNegotiation(
            sopClassUID: Self.studyRootFind, serviceClassApplicationInformation: [0]))?.serviceClassApplicationInformation == [0])
        #expect(QueryNegotiation.answer(SOPClassExtendedNegotiation(
            sopClassUID: Self.ctImage, serviceClassApplicationInformation: [1])) == nil)
        #expect(QueryNegotiation.answer(SOPClassExtendedNegotiation(
            sopClassUID: Self.studyRootFind, serviceClassApplicationInformation: [])) == nil)

        let rq = try Self.request(contexts: [PresentationContextRQ(id: 1, abstractSyntax: Self.studyRootFind,
                                                                   transferSyntaxes: [TransferSyntax.explicitVRLittleEndian.uid])])
        let user = UserInformation(maximumLength: 0, implementationClassUID: "1.2", extendedNegotiations: [reply])
        let answer = AAssociateAC(calledAETitle: rq.calledAETitle, callingAETitle: rq.callingAETitle,
                                  presentationContexts: [], userInformation: user)
        #expect(QueryNegotiation.grantsRelationalQueries(answer, sopClassUID: Self.studyRootFind))
        #expect(!QueryNegotiation.grantsRelationalQueries(answer, sopClassUID: "1.2.840.10008.5.1.4.1.2.1.1"))
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
