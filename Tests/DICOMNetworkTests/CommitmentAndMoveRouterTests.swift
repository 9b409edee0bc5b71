import DICOMCore
import Testing
@testable import DICOMNetwork

/// A storage commitment SCP for tests (PS3.4 Annex J): answers N-ACTION at once, then reports
/// on the same association as a follow-up, as the push model does, and keeps the answer.
struct ScriptedCommitmentProvider: DIMSEServiceProvider {
    let reported = ReportLog()

    func action(_ request: NActionRequest, information: DataSet?, context: DIMSERequestContext) async throws -> NActionOutcome {
        let transactionUID = information?.string(Tag(0x0008, 0x1195)) ?? ""
        return NActionOutcome(.success) {
            do {
                try await report(transactionUID, for: request, context: context)
            } catch let error as AssociationError {
                await reported.recordFailure(error)
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    private func report(_ transactionUID: String, for request: NActionRequest, context: DIMSERequestContext) async throws {
        var event = DataSet()
        try event.set(Tag(0x0008, 0x1195), vr: .UI, string: transactionUID)  // Transaction UID
        let eventBytes = try DataSetWriter.encode(event, transferSyntax: context.transferSyntax)
        let response = try await context.request(presentationContextID: context.presentationContext.id,
                                                 dataSet: .bytes(eventBytes)) { messageID in
            .nEventReportRQ(NEventReportRequest(
                messageID: messageID, affectedSOPClassUID: request.requestedSOPClassUID,
                affectedSOPInstanceUID: request.requestedSOPInstanceUID, eventTypeID: 1, hasEventInformation: true))
        }
        await reported.record(response)
    }
}

actor ReportLog {
    private(set) var responses: [DIMSECommand] = []
    /// Why reports got no answer.
    private(set) var failures: [AssociationError] = []
    func record(_ response: DIMSECommand) { responses.append(response) }
    func recordFailure(_ failure: AssociationError) { failures.append(failure) }

    /// The answers recorded, once there are `count` (at most 5 s).
    func waitFor(_ count: Int) async throws -> [DIMSECommand] {
        for _ in 0..<500 where responses.count < count { try await Task.sleep(for: .milliseconds(10)) }
        return responses
    }

    /// The failures recorded, once there are `count` (at most 5 s).
    func waitForFailures(_ count: Int) async throws -> [AssociationError] {
        for _ in 0..<500 where failures.count < count { try await Task.sleep(for: .milliseconds(10)) }
        return failures
    }
}

/// A C-MOVE SCP for tests: reports one pending count per instance "moved" (no destination is
/// contacted) and stops at a cancel, holding after the first until one comes or 10 s pass.
struct ScriptedMoveProvider: DIMSEServiceProvider {
    let instances: Int

    func move(_ request: CMoveRequest, identifier: DataSet, responder: RetrieveResponder) async throws -> RetrieveResult {
        var counts = SubOperationCounts(remaining: UInt16(instances), completed: 0, failed: 0, warning: 0)
        for index in 0..<instances where !responder.isCancelled {
            counts.remaining? -= 1
            counts.completed? += 1
            try await responder.pending(counts)
            if index == 0 { for _ in 0..<1000 where !responder.isCancelled { try await Task.sleep(for: .milliseconds(10)) } }
        }
        return RetrieveResult(.success, subOperations: counts)
    }
}

@Suite("Storage commitment and C-MOVE through the router, without sockets")
struct CommitmentAndMoveRouterTests {
    /// The peer's N-ACTION (transaction 1.2.3.99), answered with success at once.
    static func requestCommitment(from peer: RoutedAssociation) async throws {
        var information = DataSet()
        try information.set(Tag(0x0008, 0x1195), vr: .UI, string: "1.2.3.99")
        let action = NActionRequest(messageID: 3, requestedSOPClassUID: "1.2.840.10008.1.20.1",
                                    requestedSOPInstanceUID: "1.2.840.10008.1.20.1.1", actionTypeID: 1, hasActionInformation: true)
        try await peer.send(.nActionRQ(action), contextID: 9,
                            dataSet: try DataSetWriter.encode(information, transferSyntax: .implicitVRLittleEndian))
        #expect(try await peer.nextMessage().command == DIMSECommand.nActionRQ(action).response(.success))
    }

    @Test func actionIsAnsweredThenTheEventReportGetsItsResponse() async throws {
        let commitment = ScriptedCommitmentProvider()
        let router = DIMSEServiceRouter([.init([RoutedAssociation.storageCommitment.abstractSyntax], to: commitment)])
        try await RoutedAssociation.serve(router) { peer in
            try await Self.requestCommitment(from: peer)

            let report = try await peer.nextMessage()
            guard case .nEventReportRQ(let event) = report.command else { throw HarnessError("no N-EVENT-REPORT-RQ") }
            #expect(event.eventTypeID == 1 && event.affectedSOPInstanceUID == "1.2.840.10008.1.20.1.1")
            var reader = try DataSetReader(bytes: try #require(report.dataSet), transferSyntax: .implicitVRLittleEndian)
            #expect(try reader.read().string(Tag(0x0008, 0x1195)) == "1.2.3.99")
            try await peer.send(try #require(report.command.response(.success)), contextID: 9)
            let answers = try await commitment.reported.waitFor(1)
            #expect(answers == [DIMSECommand.nEventReportRQ(event).response(.success)])
        }
    }

    /// PS3.8 Table 9-10: a requestor that sent A-RELEASE-RQ (Sta7) sends no more P-DATA, so the
    /// N-EVENT-REPORT it got meanwhile can never be answered. The report's request fails as soon
    /// as the release arrives, while the transport is still open: it does not wait for the peer to
    /// close it, nor for ARTIM (whose clock does not run on this channel unless the test moves it).
    @Test func eventReportAwaitingItsResponseFailsWhenThePeerReleases() async throws {
        let commitment = ScriptedCommitmentProvider()
        let router = DIMSEServiceRouter([.init([RoutedAssociation.storageCommitment.abstractSyntax], to: commitment)])
        try await RoutedAssociation.serve(router, bodyReleases: true) { peer in
            try await Self.requestCommitment(from: peer)
            guard case .nEventReportRQ = try await peer.nextMessage().command else { throw HarnessError("no N-EVENT-REPORT-RQ") }

            try await peer.release()
            #expect(try await commitment.reported.waitForFailures(1) == [.releasedByPeer])
            #expect(await commitment.reported.responses.isEmpty)
        }
    }

    @Test func cancelEndsAMoveWithItsCounts() async throws {
        let router = DIMSEServiceRouter([.init([RoutedAssociation.studyRootMove.abstractSyntax], to: ScriptedMoveProvider(instances: 4))])
        try await RoutedAssociation.serve(router) { peer in
            let request = CMoveRequest(messageID: 8, affectedSOPClassUID: RoutedAssociation.studyRootMove.abstractSyntax,
                                       moveDestination: "ELSEWHERE")
            try await peer.send(.cMoveRQ(request), contextID: 11, dataSet: ServiceRouterTests.query)
            #expect(try await peer.nextMessage().command == DIMSECommand.cMoveRQ(request).response(
                .init(.pending), subOperations: SubOperationCounts(remaining: 3, completed: 1, failed: 0, warning: 0)))
            try await peer.send(.cCancelRQ(CCancelRequest(messageIDBeingRespondedTo: 8)), contextID: 11)
            #expect(try await peer.nextMessage().command == DIMSECommand.cMoveRQ(request).response(
                .init(.cancel), subOperations: SubOperationCounts(remaining: 3, completed: 1, failed: 0, warning: 0)))
        }
    }
}
