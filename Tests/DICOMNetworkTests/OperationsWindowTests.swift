import DICOMCore
import Testing
@testable import DICOMNetwork

@Suite("Asynchronous operations window (PS3.7 §D.3.3.3), without sockets")
struct OperationsWindowNegotiationTests {
    static func window(_ invoked: UInt16, _ performed: UInt16) -> AsynchronousOperationsWindow {
        AsynchronousOperationsWindow(maximumOperationsInvoked: invoked, maximumOperationsPerformed: performed)
    }

    @Test func acceptorGrantsAtMostWhatWasProposedAndItsLimitNeverUnlimited() {
        #expect(AsynchronousOperationsWindow.answer(to: nil, limit: 16) == nil)
        #expect(AsynchronousOperationsWindow.answer(to: Self.window(10, 0), limit: 16) == Self.window(10, 1))
        #expect(AsynchronousOperationsWindow.answer(to: Self.window(100, 3), limit: 16) == Self.window(16, 1))
        #expect(AsynchronousOperationsWindow.answer(to: Self.window(0, 0), limit: 16) == Self.window(16, 1))
        #expect(AsynchronousOperationsWindow.answer(to: Self.window(1, 1), limit: 16) == Self.window(1, 1))
        #expect(AsynchronousOperationsWindow.answer(to: Self.window(8, 1), limit: 1) == Self.window(1, 1))
    }

    @Test func requestorProposesOnlyAWindowAboveOne() {
        #expect(AsynchronousOperationsWindow.proposal(limit: 1) == nil)
        #expect(AsynchronousOperationsWindow.proposal(limit: 16) == Self.window(16, 1))
    }

    @Test func outstandingLimitIsOneUnlessBothSidesAgreedAndNeverAboveTheProposal() {
        #expect(AsynchronousOperationsWindow.invokedLimit(proposal: nil, answer: nil) == 1)
        #expect(AsynchronousOperationsWindow.invokedLimit(proposal: Self.window(16, 1), answer: nil) == 1)
        #expect(AsynchronousOperationsWindow.invokedLimit(proposal: nil, answer: Self.window(16, 1)) == 1)
        #expect(AsynchronousOperationsWindow.invokedLimit(proposal: Self.window(16, 1), answer: Self.window(4, 1)) == 4)
        #expect(AsynchronousOperationsWindow.invokedLimit(proposal: Self.window(16, 1), answer: Self.window(0, 0)) == 16)
        #expect(AsynchronousOperationsWindow.invokedLimit(proposal: Self.window(16, 1), answer: Self.window(99, 1)) == 16)
    }

    @Test func acceptorAnswerFollowsItsConfiguredLimit() throws {
        var configuration = AssociationConfiguration(aeTitle: try AETitle("TANDEM"))
        configuration.maximumOperationsInvoked = 16
        let request = try AssociationNegotiationTests.request([], window: Self.window(10, 0))
        let answer = AssociationNegotiation.accept(request, policy: .preferring([:]), configuration: configuration,
                                                   scpRoleSOPClasses: [])
        #expect(answer.userInformation.asynchronousOperationsWindow == Self.window(10, 1))
        let unproposed = AssociationNegotiation.accept(
            try AssociationNegotiationTests.request([]), policy: .preferring([:]), configuration: configuration,
            scpRoleSOPClasses: [])
        #expect(unproposed.userInformation.asynchronousOperationsWindow == nil)
    }

    @Test func inFlightHoldsTheWindowAndCompletesByMessageIDInAnyOrder() {
        var inFlight = OperationsInFlight<String>(limit: 3)
        #expect(inFlight.invoke(1, "a") == .accepted)
        #expect(inFlight.invoke(2, "b") == .accepted)
        #expect(inFlight.invoke(2, "b again") == .duplicateMessageID)
        #expect(inFlight.invoke(3, "c") == .accepted)
        #expect(inFlight.isFull)
        #expect(inFlight.invoke(4, "d") == .windowFull)
        #expect(inFlight.outstanding == ["a", "b", "c"])
        #expect(inFlight.complete(2) == "b")
        #expect(inFlight.complete(2) == nil)  // answered already
        #expect(inFlight.complete(9) == nil)  // never invoked
        #expect(inFlight.invoke(4, "d") == .accepted)
        #expect(inFlight.outstanding == ["a", "c", "d"])
        #expect(inFlight.complete(4) == "d")
        #expect(inFlight.complete(1) == "a")
        #expect(inFlight.complete(3) == "c")
        #expect(inFlight.isEmpty)
    }

    @Test func theRouterCountsOperationsOfEveryKindAgainstOneWindow() async throws {
        let operations = RunningOperations(limit: 3)
        guard case .accepted(let store) = operations.invoke(1),
              case .accepted(let find) = operations.invoke(2) else { throw HarnessError("not accepted") }
        guard case .duplicateMessageID = operations.invoke(2) else { throw HarnessError("Message ID 2 taken twice") }
        guard case .accepted(let move) = operations.invoke(3) else { throw HarnessError("not accepted") }
        guard case .windowFull = operations.invoke(4) else { throw HarnessError("a fourth within a window of 3") }
        operations.cancel(messageID: 2)  // C-CANCEL names the C-FIND alone
        #expect(find.isCancelled && !store.isCancelled && !move.isCancelled)
        let drained = Task {
            await operations.drained()
            return operations.count  // what was still outstanding when the release could be answered
        }
        operations.complete(find)
        guard case .accepted(let echo) = operations.invoke(2) else { throw HarnessError("Message ID 2 not free again") }
        #expect(!echo.isCancelled)
        for operation in [store, move, echo] { operations.complete(operation) }
        #expect(await drained.value == 0)
    }

    @Test func aWindowOfOneIsOneOperationAtATime() {
        var inFlight = OperationsInFlight<Int>(limit: 1)
        #expect(inFlight.invoke(7, 0) == .accepted)
        #expect(inFlight.invoke(8, 1) == .windowFull)
        #expect(inFlight.complete(7) == 0)
        #expect(inFlight.invoke(8, 1) == .accepted)
    }
}

/// Holds each C-STORE's completion until the test releases its Message ID; records what arrived.
actor StoreHold {
    private(set) var received: [UInt16] = []
    private var released: Set<UInt16> = []

    func arrived(_ messageID: UInt16) { received.append(messageID) }
    func release(_ messageID: UInt16) { released.insert(messageID) }

    /// Throws once the task is cancelled (the association ended).
    func wait(for messageID: UInt16) async throws {
        while !released.contains(messageID) { try await Task.sleep(for: .milliseconds(5)) }
    }

    func waitUntilReceived(_ count: Int) async throws {
        for _ in 0..<2000 where received.count < count { try await Task.sleep(for: .milliseconds(5)) }
        guard received.count >= count else { throw HarnessError("only \(received.count) of \(count) C-STOREs arrived") }
    }
}

/// A storage SCP whose C-STOREs complete when the gate lets them.
final class HeldStoreService: AssociationServiceHandler, DIMSEServiceProvider {
    let gate = StoreHold()
    private let ended = SummaryBox()

    func decide(on request: AAssociateRQ) async -> AssociationDecision {
        .accept(.preferring([StoreCollector.ctImageStorage: ["1.2.840.10008.1.2"],
                             RoutedAssociation.studyRootFind.abstractSyntax: ["1.2.840.10008.1.2"]]))
    }

    var router: DIMSEServiceRouter {
        DIMSEServiceRouter([.init([StoreCollector.ctImageStorage, RoutedAssociation.studyRootFind.abstractSyntax], to: self)])
    }

    /// Two matches, the second once the gate lets the C-FIND's Message ID go.
    func find(_ request: CFindRequest, identifier: DataSet, responder: CFindResponder) async throws -> DIMSEResult {
        await gate.arrived(request.messageID)
        let matches = try ScriptedFindProvider.patients(2)
        try await responder.pending(matches[0])
        try await gate.wait(for: request.messageID)
        try await responder.pending(matches[1])
        return .success
    }

    func store(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws -> DIMSEResult {
        try await receiveStore(request, dataSet: dataSet, context: context)()
    }

    func receiveStore(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws
        -> StoreCompletion
    {
        for try await _ in dataSet {}
        await gate.arrived(request.messageID)
        return { [gate] in
            try await gate.wait(for: request.messageID)
            context.association.updateServiceCounts { $0.completed += 1 }
            return .success
        }
    }

    func associationEnded(_ summary: AssociationSummary) async { await ended.add(summary) }

    func summary() async throws -> AssociationSummary {
        for _ in 0..<2000 {
            if let summary = await ended.first { return summary }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw HarnessError("no association summary")
    }
}

actor SummaryBox {
    private(set) var first: AssociationSummary?
    func add(_ summary: AssociationSummary) { first = first ?? summary }
}

@Suite("Asynchronous operations window on loopback")
struct OperationsWindowNetworkTests {
    static func requestor(window: UInt16) throws -> AssociationRequestor {
        var configuration = AssociationConfiguration(aeTitle: try AETitle("SCU"))
        configuration.maximumOperationsInvoked = window
        return AssociationRequestor(configuration: configuration)
    }

    static func sendStore(_ messageID: UInt16, on association: Association) async throws {
        let request = CStoreRequest(messageID: messageID, affectedSOPClassUID: StoreCollector.ctImageStorage,
                                    affectedSOPInstanceUID: "1.2.3.\(messageID)")
        try await association.send(command: try request.encode(), presentationContextID: 1,
                                   dataSet: .bytes([UInt8](repeating: UInt8(messageID), count: 3000)))
    }

    @Test("stores overlap within the granted window; each response names its own request, in completion order")
    func storesOverlapAndAnswerOutOfOrder() async throws {
        let service = HeldStoreService()
        let answered = try await withAcceptor(service, configure: { $0.maximumOperationsInvoked = 3 }) { port in
            try await Self.requestor(window: 8).withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: [StoreCollector.context]) { association in
                #expect(association.operationsWindow == 3)
                for messageID: UInt16 in 1...3 { try await Self.sendStore(messageID, on: association) }
                // All three data sets were read while none was answered.
                try await service.gate.waitUntilReceived(3)
                var answered: [UInt16] = []
                for messageID: UInt16 in [3, 1, 2] {
                    await service.gate.release(messageID)
                    guard case .cStoreRSP(let response) = try #require(try await association.receive()).command else {
                        throw HarnessError("not a C-STORE-RSP")
                    }
                    #expect(response.status == .success)
                    #expect(response.affectedSOPInstanceUID == "1.2.3.\(response.messageIDBeingRespondedTo)")
                    answered.append(response.messageIDBeingRespondedTo)
                }
                return answered
            }
        }
        #expect(answered == [3, 1, 2])
        let summary = try await service.summary()
        #expect(summary.end == .released)
        #expect(summary.counts.completed == 3)
    }

    @Test("a C-FIND and C-STOREs share the window: invoked while the others are outstanding, responses interleaved")
    func findAndStoresInterleave() async throws {
        let service = HeldStoreService()
        let findContext = PresentationContextRQ(id: 5, abstractSyntax: RoutedAssociation.studyRootFind.abstractSyntax,
                                                transferSyntaxes: ["1.2.840.10008.1.2"])
        let answers = try await withAcceptor(service, configure: { $0.maximumOperationsInvoked = 4 }) { port in
            try await Self.requestor(window: 4).withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: [StoreCollector.context, findContext]) { association in
                #expect(association.operationsWindow == 4)
                var answers: [String] = []
                func answer() async throws {
                    let message = try #require(try await association.receive())
                    if let fragments = message.dataSet { for try await _ in fragments {} }
                    switch message.command {
                    case .cStoreRSP(let response): answers.append("store \(response.messageIDBeingRespondedTo) \(response.status)")
                    case .cFindRSP(let response): answers.append("find \(response.messageIDBeingRespondedTo) \(response.status)")
                    default: throw HarnessError("unexpected \(message.command)")
                    }
                }
                try await Self.sendStore(1, on: association)
                try await service.gate.waitUntilReceived(1)
                // A C-FIND while a C-STORE is outstanding: performed at once.
                let find = CFindRequest(messageID: 2, affectedSOPClassUID: RoutedAssociation.studyRootFind.abstractSyntax)
                try await association.send(command: try find.encode(), presentationContextID: 5, dataSet: .bytes(ServiceRouterTests.query))
                try await answer()
                // A C-STORE while the C-FIND is between its pending responses: performed at once too.
                try await Self.sendStore(3, on: association)
                try await service.gate.waitUntilReceived(3)
                await service.gate.release(3)
                try await answer()
                await service.gate.release(2)
                try await answer()
                try await answer()
                await service.gate.release(1)
                try await answer()
                return answers
            }
        }
        let pending = DIMSEStatus.pending, success = DIMSEStatus.success
        #expect(answers == ["find 2 \(pending)", "store 3 \(success)", "find 2 \(pending)", "find 2 \(success)",
                            "store 1 \(success)"])
        let summary = try await service.summary()
        #expect(summary.end == .released)
        #expect(summary.counts.completed == 2)
    }

    @Test("a C-STORE beyond the granted window ends the association with A-ABORT")
    func beyondTheWindowAborts() async throws {
        let service = HeldStoreService()
        try await withAcceptor(service, configure: { $0.maximumOperationsInvoked = 2 }) { port in
            let error = await #expect(throws: AssociationError.self) {
                try await Self.requestor(window: 2).withAssociation(
                    host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                    presentationContexts: [StoreCollector.context]) { association in
                    #expect(association.operationsWindow == 2)
                    for messageID: UInt16 in 1...3 { try await Self.sendStore(messageID, on: association) }
                    _ = try await association.receive()
                }
            }
            guard case .abortedByPeer = error else {
                Issue.record("ended with \(String(describing: error)), not an A-ABORT from the acceptor")
                return
            }
        }
        let summary = try await service.summary()
        guard case .abortedLocally(let reason) = summary.end else {
            Issue.record("ended \(summary.end), not aborted by the service")
            return
        }
        #expect(reason.contains("beyondOperationsWindow"))
        #expect(summary.counts.completed == 0)
    }

    @Test("a requestor that proposes no window gets none: one C-STORE at a time")
    func noProposalNoWindow() async throws {
        let service = HeldStoreService()
        try await withAcceptor(service, configure: { $0.maximumOperationsInvoked = 16 }) { port in
            try await Self.requestor(window: 1).withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: [StoreCollector.context]) { association in
                #expect(association.answer.userInformation.asynchronousOperationsWindow == nil)
                #expect(association.operationsWindow == 1)
                await service.gate.release(1)
                try await Self.sendStore(1, on: association)
                guard case .cStoreRSP(let response) = try #require(try await association.receive()).command else {
                    throw HarnessError("not a C-STORE-RSP")
                }
                #expect(response.messageIDBeingRespondedTo == 1)
            }
        }
        #expect(try await service.summary().counts.completed == 1)
    }
}
