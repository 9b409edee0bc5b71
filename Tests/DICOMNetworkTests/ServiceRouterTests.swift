import DICOMCore
import Testing
@testable import DICOMNetwork

/// A C-FIND SCP for tests: answers with the given matches, and after `holdAfter` of them waits
/// (at most 10 s) for a C-CANCEL before going on. Records what it did.
struct ScriptedFindProvider: DIMSEServiceProvider {
    let matches: [DataSet]
    var holdAfter: Int?
    let log = FindLog()

    func find(_ request: CFindRequest, identifier: DataSet, responder: CFindResponder) async throws -> DIMSEResult {
        await log.received(identifier)
        for (index, match) in matches.enumerated() {
            if index == holdAfter {
                for _ in 0..<1000 where !responder.isCancelled { try await Task.sleep(for: .milliseconds(10)) }
            }
            guard try await responder.pending(match) else {
                await log.cancelled(after: index)
                return .success
            }
        }
        return .success
    }

    static func patients(_ count: Int) throws -> [DataSet] {
        try (0..<count).map { number in
            var match = DataSet()
            try match.set(Tag(0x0008, 0x0052), vr: .CS, string: "PATIENT")
            try match.set(Tag(0x0010, 0x0010), vr: .PN, string: "DOE^PATIENT\(number)")
            return match
        }
    }
}

actor FindLog {
    private(set) var identifiers: [DataSet] = []
    /// How many matches were sent when the provider learned of the cancel.
    private(set) var cancelledAfter: Int?

    func received(_ identifier: DataSet) { identifiers.append(identifier) }
    func cancelled(after sent: Int) { cancelledAfter = sent }
}

@Suite("DIMSE service router, without sockets")
struct ServiceRouterTests {
    static func router(find: ScriptedFindProvider, store: StoreCollector) -> DIMSEServiceRouter {
        DIMSEServiceRouter([
            .init([CEchoRequest.verificationSOPClassUID], to: VerificationProvider()),
            .init([StoreCollector.ctImageStorage], to: store),
            .init([RoutedAssociation.studyRootFind.abstractSyntax], to: find),
        ])
    }

    static var query: [UInt8] {
        var query = DataSet()
        try! query.set(Tag(0x0008, 0x0052), vr: .CS, string: "PATIENT")
        try! query.set(Tag(0x0010, 0x0010), vr: .PN, string: "DOE*")
        return try! DataSetWriter.encode(query, transferSyntax: .implicitVRLittleEndian)
    }

    @Test func echoAndStoreGoToTheirProviders() async throws {
        let store = StoreCollector(received: ReceivedFragments())
        let dataSet = (0..<2500).map { UInt8($0 % 251) }
        try await RoutedAssociation.serve(Self.router(find: ScriptedFindProvider(matches: []), store: store)) { peer in
            try await peer.send(.cEchoRQ(CEchoRequest(messageID: 1)), contextID: 1)
            let echo = try await peer.nextMessage()
            #expect(echo.command == .cEchoRSP(CEchoResponse(messageIDBeingRespondedTo: 1)))

            let request = CStoreRequest(messageID: 2, affectedSOPClassUID: StoreCollector.ctImageStorage, affectedSOPInstanceUID: "1.2.3.4")
            try await peer.send(.cStoreRQ(request), contextID: 3, dataSet: dataSet)
            let stored = try await peer.nextMessage()
            #expect(stored.command == DIMSECommand.cStoreRQ(request).response(.success))
        }
        #expect(await store.received.fragments.joined().elementsEqual(dataSet))
    }

    @Test func findSendsPendingMatchesThenSuccess() async throws {
        let find = ScriptedFindProvider(matches: try ScriptedFindProvider.patients(3))
        try await RoutedAssociation.serve(Self.router(find: find, store: StoreCollector(received: ReceivedFragments()))) { peer in
            let request = CFindRequest(messageID: 7, affectedSOPClassUID: RoutedAssociation.studyRootFind.abstractSyntax)
            try await peer.send(.cFindRQ(request), contextID: 5, dataSet: Self.query)
            for number in 0..<3 {
                let pending = try await peer.nextMessage()
                #expect(pending.command == DIMSECommand.cFindRQ(request).response(.init(.pending), hasDataSet: true))
                var reader = try DataSetReader(bytes: try #require(pending.dataSet), transferSyntax: .implicitVRLittleEndian)
                #expect(try reader.read().string(Tag(0x0010, 0x0010)) == "DOE^PATIENT\(number)")
            }
            #expect(try await peer.nextMessage().command == DIMSECommand.cFindRQ(request).response(.success))
        }
        #expect(await find.log.identifiers.first?.string(Tag(0x0010, 0x0010)) == "DOE*")
    }

    @Test func cancelStopsTheFindBetweenPendingResponses() async throws {
        let find = ScriptedFindProvider(matches: try ScriptedFindProvider.patients(5), holdAfter: 2)
        try await RoutedAssociation.serve(Self.router(find: find, store: StoreCollector(received: ReceivedFragments()))) { peer in
            let request = CFindRequest(messageID: 9, affectedSOPClassUID: RoutedAssociation.studyRootFind.abstractSyntax)
            try await peer.send(.cFindRQ(request), contextID: 5, dataSet: Self.query)
            for _ in 0..<2 { #expect(try await peer.nextMessage().command.hasDataSet) }
            try await peer.send(.cCancelRQ(CCancelRequest(messageIDBeingRespondedTo: 9)), contextID: 5)
            #expect(try await peer.nextMessage().command == DIMSECommand.cFindRQ(request).response(.init(.cancel)))
            // The association goes on: the next request is served.
            try await peer.send(.cEchoRQ(CEchoRequest(messageID: 10)), contextID: 1)
            #expect(try await peer.nextMessage().command == .cEchoRSP(CEchoResponse(messageIDBeingRespondedTo: 10)))
        }
        #expect(await find.log.cancelledAfter == 2)
    }

    @Test func requestsNoProviderPerformsAreRefused() async throws {
        let router = DIMSEServiceRouter([.init([CEchoRequest.verificationSOPClassUID], to: VerificationProvider())])
        try await RoutedAssociation.serve(router) { peer in
            // Verification does not perform C-FIND: unrecognized operation.
            let onVerification = CFindRequest(messageID: 1, affectedSOPClassUID: CEchoRequest.verificationSOPClassUID)
            try await peer.send(.cFindRQ(onVerification), contextID: 1, dataSet: Self.query)
            #expect(try await peer.nextMessage().command == DIMSECommand.cFindRQ(onVerification).response(.init(.unrecognizedOperation)))
            // No provider for CT storage: SOP class not supported, after the data set was drained.
            let store = CStoreRequest(messageID: 2, affectedSOPClassUID: StoreCollector.ctImageStorage, affectedSOPInstanceUID: "1.2")
            try await peer.send(.cStoreRQ(store), contextID: 3, dataSet: [UInt8](repeating: 0, count: 3000))
            #expect(try await peer.nextMessage().command == DIMSECommand.cStoreRQ(store).response(.init(.sopClassNotSupported)))
        }
    }

    @Test func undecodableIdentifierIsAnsweredWithAFailure() async throws {
        let find = ScriptedFindProvider(matches: [])
        try await RoutedAssociation.serve(Self.router(find: find, store: StoreCollector(received: ReceivedFragments()))) { peer in
            let request = CFindRequest(messageID: 4, affectedSOPClassUID: RoutedAssociation.studyRootFind.abstractSyntax)
            try await peer.send(.cFindRQ(request), contextID: 5, dataSet: [0x10, 0x00, 0x10, 0x00, 0xFF, 0xFF])
            guard case .cFindRSP(let response) = try await peer.nextMessage().command else {
                Issue.record("no C-FIND-RSP")
                return
            }
            #expect(response.status == .dataSetDoesNotMatchSOPClass)
        }
        #expect(await find.log.identifiers.isEmpty)
    }
}
