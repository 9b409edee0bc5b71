import NIOCore
import Testing
@testable import DICOMNetwork

/// Peers that break the protocol get an A-ABORT or a timeout close; the acceptor keeps serving.
@Suite("Hostile peers")
struct HostilePeerTests {
    typealias F = PDUFixtures
    static let service = VerificationService(calledAETitle: try! AETitle("ANY-SCP"))
    /// A-ABORT, source 0: AA-1 is what Table 9-10 prescribes before an A-ASSOCIATE-RQ (Sta2).
    static let abortInSta2 = F.hex("07 00 00000004 0000 00 00")

    static func shortTimers(_ configuration: inout AssociationConfiguration) {
        configuration.artimTimeout = .milliseconds(300)
        configuration.idleTimeout = .milliseconds(600)
    }

    @Test func garbageBeforeTheRequestIsAborted() async throws {
        try await withAcceptor(Self.service) { port in
            let result = try await rawExchange(port: port, sending: Array("GET / HTTP/1.1\r\n\r\n".utf8))
            #expect(result.received == Self.abortInSta2)
            #expect(result.closedByPeer)
        }
    }

    @Test func fourGigabyteClaimIsAbortedWithoutWaitingForTheBody() async throws {
        try await withAcceptor(Self.service) { port in
            let result = try await rawExchange(port: port, sending: F.hex("01 00 FFFFFFFF 0001 0000"))
            #expect(result.received == Self.abortInSta2)
            #expect(result.closedByPeer)
        }
    }

    @Test func unknownPDUTypeAfterAcceptanceIsAProviderAbort() async throws {
        try await withAcceptor(Self.service) { port in
            let result = try await rawExchange(port: port, sending: F.dcmtkAssociateRQ.joined + F.hex("09 00 00000000"))
            #expect(result.received.first == 0x02)  // A-ASSOCIATE-AC first
            // then A-ABORT, source 2 (service provider), reason 1 (unrecognized PDU): AA-8
            #expect(Array(result.received.suffix(10)) == F.hex("07 00 00000004 0000 02 01"))
            #expect(result.closedByPeer)
        }
    }

    @Test func dataOnAnUnnegotiatedContextIsAborted() async throws {
        try await withAcceptor(Self.service) { port in
            // P-DATA-TF on context 7, never proposed.
            let result = try await rawExchange(port: port, sending: F.dcmtkAssociateRQ.joined + F.hex("04 00 00000008 00000004 07 03 0000"))
            #expect(Array(result.received.suffix(10)) == F.hex("07 00 00000004 0000 02 06"))
            #expect(result.closedByPeer)
        }
    }

    @Test func truncatedCommandIsAborted() async throws {
        try await withAcceptor(Self.service) { port in
            // A last command fragment that holds half an element: no Command Data Set Type.
            let result = try await rawExchange(port: port, sending: F.dcmtkAssociateRQ.joined + F.hex("04 00 0000000A 00000006 01 03 00000008 0200"))
            #expect(Array(result.received.suffix(10)) == F.hex("07 00 00000004 0000 02 06"))
            #expect(result.closedByPeer)
        }
    }

    @Test func silentConnectionIsClosedByARTIM() async throws {
        try await withAcceptor(Self.service, configure: Self.shortTimers) { port in
            // Closed well before the default ARTIM (30 s) could fire: the configured 300 ms timer did it.
            // The wait is generous so a loaded machine cannot fail the test.
            let result = try await rawExchange(port: port, sending: [], limit: 15)
            #expect(result.closedByPeer)
            #expect(result.received.isEmpty)  // AA-2: ARTIM expiry closes without a PDU
        }
    }

    @Test func idleAssociationIsAbortedAndClosed() async throws {
        try await withAcceptor(Self.service, configure: Self.shortTimers) { port in
            let result = try await rawExchange(port: port, sending: F.dcmtkAssociateRQ.joined)
            #expect(result.received.first == 0x02)
            #expect(Array(result.received.suffix(10)) == F.hex("07 00 00000004 0000 00 00"))  // AA-1, user gave up
            #expect(result.closedByPeer)
        }
    }

    @Test func hundredIdleConnectionsDoNotStopService() async throws {
        // ARTIM long enough that the echo's request is read in time while 100 sockets connect at once.
        let timers: (inout AssociationConfiguration) -> Void = { $0.artimTimeout = .seconds(2); $0.idleTimeout = .seconds(4) }
        let limits = ConnectionLimits(maximumUnassociatedConnections: 200, maximumUnassociatedPerAddress: 200)
        try await withAcceptor(VerificationService(calledAETitle: try AETitle("TANDEM")), limits: limits,
                               configure: timers) { port in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<100 {
                    // A generous wait: on a loaded machine the 100 closes queue behind one another.
                    group.addTask { try await rawExchange(port: port, sending: [], limit: 20).closedByPeer }
                }
                let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle("SCU")))
                let status = try await requestor.withAssociation(
                    host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                    presentationContexts: [.verification()]) { try await $0.echo() }
                #expect(status == .success)
                var closed = 0
                for try await wasClosed in group where wasClosed { closed += 1 }
                #expect(closed == 100)
            }
        }
    }

    @Test func silentConnectionTakesNoAssociationSlot() async throws {
        let limits = ConnectionLimits(maximumAssociations: 1)
        try await withAcceptor(VerificationService(calledAETitle: try AETitle("TANDEM")), limits: limits,
                               configure: { $0.artimTimeout = .seconds(4) }) { port in
            // A silent connection holds an unassociated place only: the one association slot stays free.
            async let silent = rawExchange(port: port, sending: [])
            try await Task.sleep(for: .seconds(1))
            let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle("SCU")))
            let status = try await requestor.withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: [.verification()]) { try await $0.echo() }
            #expect(status == .success)
            _ = try await silent
        }
    }

    @Test func requestsBeyondTheAssociationLimitAreRejectedAsTransient() async throws {
        let limits = ConnectionLimits(maximumAssociations: 1)
        let timers: (inout AssociationConfiguration) -> Void = { $0.idleTimeout = .seconds(4); $0.artimTimeout = .seconds(1) }
        try await withAcceptor(Self.service, limits: limits, configure: timers) { port in
            // One established association takes the only slot until its idle timer aborts it…
            async let established = rawExchange(port: port, sending: F.dcmtkAssociateRQ.joined)
            try await Task.sleep(for: .seconds(1))
            // …so a request meanwhile gets A-ASSOCIATE-RJ: transient (2), provider presentation (3), local limit (2).
            let result = try await rawExchange(port: port, sending: F.dcmtkAssociateRQ.joined, limit: 15)
            #expect(result.received == F.hex("03 00 00000004 00 02 03 02"))
            #expect(try await established.received.first == 0x02)
        }
    }

    @Test func connectionsBeyondThePerAddressCapAreClosedAtAccept() async throws {
        let limits = ConnectionLimits(maximumUnassociatedPerAddress: 2)
        try await withAcceptor(Self.service, limits: limits, configure: { $0.artimTimeout = .seconds(6) }) { port in
            async let first = rawExchange(port: port, sending: [], limit: 10)
            async let second = rawExchange(port: port, sending: [], limit: 10)
            try await Task.sleep(for: .seconds(1))
            // Closed at once, unanswered, well before the 6 s ARTIM that ends the first two.
            let third = try await rawExchange(port: port, sending: [], limit: 4)
            #expect(third.closedByPeer)
            #expect(third.received.isEmpty)
            _ = try await (first, second)
        }
    }

    @Test func addressOutsideTheAllowedSetIsClosedAtAccept() async throws {
        let limits = ConnectionLimits(allowedAddresses: ["127.0.0.2"])
        try await withAcceptor(Self.service, limits: limits, configure: { $0.artimTimeout = .seconds(6) }) { port in
            let result = try await rawExchange(port: port, sending: [], limit: 4)
            #expect(result.closedByPeer)
            #expect(result.received.isEmpty)  // closed at once, well before ARTIM, unanswered
        }
    }

    @Test func largeFirstPDUIsAbortedBeforeItsBody() async throws {
        let limits = ConnectionLimits(maximumAssociateRQBytes: 4096)
        try await withAcceptor(Self.service, limits: limits) { port in
            // An A-ASSOCIATE-RQ header claiming 1 MiB: refused at the header, not read.
            let result = try await rawExchange(port: port, sending: F.hex("01 00 00100000 0001 0000"))
            #expect(result.received == Self.abortInSta2)
            #expect(result.closedByPeer)
        }
    }

    @Test func bytesPipelinedBeforeAcceptanceAreBounded() async throws {
        let limits = ConnectionLimits(maximumAssociateRQBytes: 4096)
        try await withAcceptor(SlowlyDecidingService(), limits: limits) { port in
            // A valid request followed at once by 8 KB: more than may arrive before the association.
            let sent = F.dcmtkAssociateRQ.joined + [UInt8](repeating: 0, count: 8192)
            do {
                let result = try await rawExchange(port: port, sending: sent)
                // A-ABORT, service provider, invalid PDU parameter value; no A-ASSOCIATE-AC.
                #expect(result.received == F.hex("07 00 00000004 0000 02 06"))
                #expect(result.closedByPeer)
            } catch {
                // Closed with bytes still unread, the socket sends a reset, which may overtake the A-ABORT.
                #expect("\(error)".contains("Connection reset"), "\(error)")
            }
        }
    }
}

/// Takes a second to decide, so whatever the peer sends meanwhile arrives before acceptance.
struct SlowlyDecidingService: AssociationServiceHandler {
    let verification = HostilePeerTests.service

    func decide(on request: AAssociateRQ) async -> AssociationDecision {
        try? await Task.sleep(for: .seconds(1))
        return await verification.decide(on: request)
    }

    var router: DIMSEServiceRouter { verification.router }
}
