import NIOCore
import Testing
@testable import DICOMNetwork

/// The acceptor tells its service where a request came from, and how each association ended.
@Suite("Acceptor: peer address and association summary")
struct AcceptorPeerAndSummaryTests {
    static let echoContexts = [PresentationContextRQ.verification()]

    static func requestor() throws -> AssociationRequestor {
        AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle("SCU")))
    }

    @Test("decide(on:from:) receives the TCP peer; summaries count operations and say the peer released")
    func peerAndReleasedSummary() async throws {
        let service = RecordingService()
        try await withAcceptor(service) { port in
            let statuses = try await Self.requestor().withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: Self.echoContexts) { association in
                [try await association.echo(messageID: 1), try await association.echo(messageID: 2)]
            }
            #expect(statuses == [.success, .success])
            try await service.waitForSummaries(1)
        }
        let peers = await service.peers
        #expect(peers.count == 1)
        #expect(peers.first??.host == "127.0.0.1")
        let summary = try #require(await service.summaries.first)
        #expect(summary.end == .released)
        #expect(summary.counts.completed == 2)
        #expect(summary.callingAETitle == (try AETitle("SCU")))
        #expect(summary.calledAETitle == (try AETitle("TANDEM")))
        #expect(summary.peer == peers.first ?? nil)
    }

    @Test("an A-ABORT from the peer ends the association as aborted by peer")
    func abortedByPeer() async throws {
        let service = RecordingService()
        try await withAcceptor(service) { port in
            _ = try await Self.requestor().withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: Self.echoContexts) { association in
                _ = try await association.echo()
                await association.abort()
            }
            try await service.waitForSummaries(1)
        }
        #expect(await service.summaries.map(\.end) == [.abortedByPeer])
    }

    @Test("an association idle past the idle timeout ends as timed out")
    func idleTimeout() async throws {
        let service = RecordingService()
        try await withAcceptor(service, configure: { $0.idleTimeout = .milliseconds(200) }) { port in
            // The requestor waits for a PDU that never comes; the acceptor's idle timer fires first.
            _ = try? await Self.requestor().withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: Self.echoContexts) { association in
                _ = try await association.receive()
            }
            try await service.waitForSummaries(1)
        }
        #expect(await service.summaries.map(\.end) == [.timedOut(.idle)])
    }

    @Test("a rejected request gets no summary; a handler with only decide(on:) still decides")
    func rejectedAndRequestOnlyHandler() async throws {
        let service = RecordingService(rejectCalling: "STRANGER")
        try await withAcceptor(service) { port in
            let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle("STRANGER")))
            await #expect(throws: AssociationError.rejected(.user(.rejectedPermanent, .callingAETitleNotRecognized))) {
                try await requestor.withAssociation(
                    host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                    presentationContexts: Self.echoContexts) { _ in }
            }
            #expect(await service.peers.count == 1)
        }
        #expect(await service.summaries.isEmpty)
        // VerificationService implements decide(on:) only: the default decide(on:from:) asks it.
        try await withAcceptor(VerificationService(calledAETitle: try AETitle("TANDEM"))) { port in
            let status = try await Self.requestor().withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: Self.echoContexts) { try await $0.echo() }
            #expect(status == .success)
        }
    }

    @Test("A-ASSOCIATE-RJ describes itself in the words of PS3.8 Table 9-21")
    func rejectionDescription() {
        #expect("\(AAssociateRJ.user(.rejectedPermanent, .callingAETitleNotRecognized))"
            == "rejected-permanent, service-user, calling AE title not recognized (3)")
        #expect("\(AAssociateRJ.presentation(.rejectedTransient, .localLimitExceeded))"
            == "rejected-transient, service-provider (presentation), local limit exceeded (2)")
    }
}

/// Answers C-ECHO and counts it in the association's summary.
struct CountingVerification: DIMSEServiceProvider {
    func echo(_ request: CEchoRequest, context: DIMSERequestContext) async throws -> DIMSEResult {
        context.association.updateServiceCounts { $0.completed += 1 }
        return .success
    }
}

/// Answers C-ECHO, counts it, and records peers and summaries.
actor RecordingService: AssociationServiceHandler {
    private(set) var peers: [PeerAddress?] = []
    private(set) var summaries: [AssociationSummary] = []
    let rejectCalling: String?

    init(rejectCalling: String? = nil) { self.rejectCalling = rejectCalling }

    func decide(on request: AAssociateRQ, from peer: PeerAddress?) async -> AssociationDecision {
        peers.append(peer)
        if request.callingAETitle.value == rejectCalling {
            return .reject(.user(.rejectedPermanent, .callingAETitleNotRecognized))
        }
        return .accept(.preferring([CEchoRequest.verificationSOPClassUID: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]]))
    }

    nonisolated var router: DIMSEServiceRouter {
        DIMSEServiceRouter([.init([CEchoRequest.verificationSOPClassUID], to: CountingVerification())])
    }

    func associationEnded(_ summary: AssociationSummary) async {
        summaries.append(summary)
    }

    /// The summary is reported after the requestor has seen the end; wait for it (at most 10 s).
    func waitForSummaries(_ count: Int) async throws {
        for _ in 0..<200 where summaries.count < count {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
