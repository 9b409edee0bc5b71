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
        try await withAcceptor(VerificationService(calledAETitle: try AETitle("TANDEM")), configure: timers) { port in
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

    @Test func connectionsBeyondTheLimitAreRejectedAsTransient() async throws {
        // ARTIM far longer than the pause below, so the slot is surely still taken on a loaded machine.
        try await withAcceptor(Self.service, maximumAssociations: 1, configure: { $0.artimTimeout = .seconds(4) }) { port in
            // One silent connection takes the only slot until ARTIM closes it…
            async let silent = rawExchange(port: port, sending: [])
            try await Task.sleep(for: .seconds(1))
            // …so a request meanwhile gets A-ASSOCIATE-RJ: transient (2), provider presentation (3), local limit (2).
            let result = try await rawExchange(port: port, sending: F.dcmtkAssociateRQ.joined, limit: 15)
            #expect(result.received == F.hex("03 00 00000004 00 02 03 02"))
            #expect(try await silent.closedByPeer)
        }
    }
}
