import DICOMCore
import DICOMNetwork
import Logging
import NIOCore

/// Where and how to send: the peer, the AE titles, limits and timeouts.
public struct SendSettings: Sendable {
    public var host: String
    public var port: Int
    public var callingAETitle: AETitle
    public var calledAETitle: AETitle
    /// Largest PDU this side receives, announced to the peer (PS3.8 §D.1).
    public var maximumReceivePDULength: UInt32 = 64 * 1024
    public var connectTimeout: Duration = .seconds(10)
    /// Waiting for A-ASSOCIATE-AC/RJ and A-RELEASE-RP.
    public var associationTimeout: Duration = .seconds(30)
    /// Waiting for a DIMSE response.
    public var dimseTimeout: Duration = .seconds(120)
    /// Set on the C-STORE sub-operations of a C-MOVE: who asked for it, and its Message ID
    /// (PS3.7 Table 9.3-1, Move Originator AE Title and Message ID).
    public var moveOriginatorAETitle: String?
    public var moveOriginatorMessageID: UInt16?
    /// C-STOREs kept outstanding at once when the peer grants an asynchronous operations window
    /// (PS3.7 §D.3.3.3); proposed when above 1. The peer's answer may lower it; no answer is 1.
    public var operationsWindow: UInt16 = 1

    public init(host: String, port: Int, callingAETitle: AETitle, calledAETitle: AETitle) {
        self.host = host
        self.port = port
        self.callingAETitle = callingAETitle
        self.calledAETitle = calledAETitle
    }

    var associationConfiguration: AssociationConfiguration {
        var configuration = AssociationConfiguration(aeTitle: callingAETitle)
        configuration.maximumReceivePDULength = maximumReceivePDULength
        configuration.maximumIncomingPDULength = max(configuration.maximumIncomingPDULength, maximumReceivePDULength)
        configuration.connectTimeout = TimeAmount(connectTimeout)
        configuration.associationTimeout = TimeAmount(associationTimeout)
        configuration.idleTimeout = TimeAmount(dimseTimeout)
        configuration.maximumOperationsInvoked = operationsWindow
        return configuration
    }
}

/// The C-STORE SCU (PS3.4 Annex B): runs a `SendPlan`, one task per lane, and reports each file.
public struct StoreSender: Sendable {
    public let settings: SendSettings
    let logger: Logger

    public init(settings: SendSettings, logger: Logger = Logger(label: "dcmsend")) {
        self.settings = settings
        self.logger = logger
    }

    /// Verifies the peer with C-ECHO (PS3.4 Annex A) on one association.
    public func echo() async throws(SendFailure) {
        do {
            try await withAssociation(proposing: [.verification()]) { association in
                guard association.acceptedContexts[1] != nil else {
                    throw SendFailure.rejected("the peer does not accept the Verification SOP Class")
                }
                let status = try await association.echo()
                guard status.category == .success || status.category == .warning else {
                    throw SendFailure.aborted("C-ECHO failed with status \(status)H")
                }
            }
        } catch {
            throw SendFailure.classify(error, host: settings.host, port: settings.port)
        }
    }

    /// Sends every file of the plan; returns the association-level failures (rejections,
    /// unreachable peer, aborts). Each file's result goes to `reporter`. Once `stop` is
    /// requested, the files in flight get their responses, the association is released, and the
    /// files not sent are reported as failed with `FailureCause.association`.
    public func send(_ plan: SendPlan, reporter: some FileResultSink, stop: SendStop = SendStop()) async -> [SendFailure] {
        await withTaskGroup(of: [SendFailure].self) { group in
            for lane in plan.lanes {
                group.addTask {
                    var failures: [SendFailure] = []
                    for association in lane {
                        if let failure = await send(association, reporter: reporter, stop: stop) { failures.append(failure) }
                    }
                    return failures
                }
            }
            var failures: [SendFailure] = []
            for await laneFailures in group { failures += laneFailures }
            return failures
        }
    }

    /// One association: every file not reported when it ends abnormally fails with the reason.
    private func send(_ plan: AssociationPlan, reporter: some FileResultSink, stop: SendStop) async -> SendFailure? {
        guard !stop.isRequested else {
            for file in plan.files { reporter.report(.failed(file, "stopped before sending", cause: .association)) }
            return nil
        }
        var reported = Set<Int>()  // positions in plan.files
        do {
            try await withAssociation(proposing: plan.presentationContexts) { association in
                var positions = plan.files.indices.makeIterator()
                try await storeAll(on: association, next: {
                    guard !stop.isRequested, let position = positions.next() else { return nil }
                    return (position, plan.files[position])
                }, report: { result, position in
                    reporter.report(result)
                    reported.insert(position)
                })
            }
            for (position, file) in plan.files.enumerated() where !reported.contains(position) {
                reporter.report(.failed(file, "stopped before sending", cause: .association))
            }
            return nil
        } catch {
            let failure = SendFailure.classify(error, host: settings.host, port: settings.port)
            logger.error("\(failure)")
            for (position, file) in plan.files.enumerated() where !reported.contains(position) {
                reporter.report(.failed(file, failure.description, cause: .association))
            }
            return failure
        }
    }

    /// Sends the files `next` hands out, each with a position of the caller's, until it hands out
    /// nil. Up to the negotiated window of C-STOREs are outstanding; each response completes the
    /// request it names by Message ID, in whatever order the peer answers, and `report` gets the
    /// file's result with its position. Errors of the association are thrown.
    func storeAll(on association: Association, next: () async -> (position: Int, file: InstanceSummary)?,
                  report: (FileResult, Int) -> Void) async throws {
        let accepted = Array(association.acceptedContexts.values)
        var inFlight = OperationsInFlight<OutstandingStore>(limit: association.operationsWindow)
        var messageID: UInt16 = 0
        while let (position, file) = await next() {
            while inFlight.isFull {
                let (result, completed) = try await nextResponse(on: association, inFlight: &inFlight)
                report(result, completed)
            }
            messageID &+= 1  // unique among the outstanding: the window is far below 65,536
            switch try await invoke(file, on: association, accepted: accepted, messageID: messageID) {
            case .answered(let result):
                report(result, position)
            case .outstanding(let sent):
                _ = inFlight.invoke(messageID, OutstandingStore(position: position, file: file, sent: sent))
            }
        }
        while !inFlight.isEmpty {
            let (result, completed) = try await nextResponse(on: association, inFlight: &inFlight)
            report(result, completed)
        }
    }

    func withAssociation(proposing contexts: [PresentationContextRQ],
                                 _ body: (Association) async throws -> Void) async throws {
        let requestor = AssociationRequestor(configuration: settings.associationConfiguration)
        try await requestor.withAssociation(host: settings.host, port: settings.port,
                                            calledAETitle: settings.calledAETitle, presentationContexts: contexts, body)
    }

    /// A C-STORE-RQ sent, awaiting its response.
    private struct SentStore {
        let syntax: TransferSyntax
        let bytes: Int
    }

    /// A C-STORE outstanding on the association: which file it sends, at the caller's position.
    private struct OutstandingStore {
        let position: Int
        let file: InstanceSummary
        let sent: SentStore
    }

    private enum Invocation {
        /// The file's result is known without a response (it cannot go out on this association).
        case answered(FileResult)
        case outstanding(SentStore)
    }

    /// Sends one C-STORE-RQ with its data set (PS3.7 §9.1.1). A file that cannot go out on this
    /// association fails alone; errors of the association itself are thrown.
    private func invoke(_ file: InstanceSummary, on association: Association,
                        accepted: [AcceptedPresentationContext], messageID: UInt16) async throws -> Invocation {
        let contextID: UInt8, syntax: TransferSyntax, dataSet: DataSetSource
        var transcoded: TranscodedDataSet?
        defer { transcoded?.remove() }
        do {
            switch TransferChoice.choose(for: file, accepted: accepted) {
            case .refused(let reason):
                return .answered(.failed(file, reason, cause: .notNegotiated))
            case .asStored(let id):
                (contextID, syntax, dataSet) = (id, file.transferSyntax, try OutgoingDataSet.asStored(file))
            case .converted(let id, let target):
                logger.debug("converting", metadata: ["path": "\(file.path)", "from": "\(file.transferSyntax)", "to": "\(target)"])
                (contextID, syntax, dataSet) = (id, target, try OutgoingDataSet.converted(file, to: target))
            case .transcoded(let id, let target):
                logger.info("transcoding: the peer accepts none of the stored syntaxes", metadata: [
                    "sop_instance_uid": "\(file.sopInstanceUID)", "from": "\(file.transferSyntax)", "to": "\(target)"])
                let written = try await OutgoingDataSet.transcoded(file, to: target)
                transcoded = written
                (contextID, syntax, dataSet) = (id, target, written.source)
            }
        } catch {
            return .answered(.failed(file, "\(error)", cause: .unreadable))
        }
        let request = CStoreRequest(messageID: messageID, affectedSOPClassUID: file.sopClassUID,
                                    affectedSOPInstanceUID: file.sopInstanceUID,
                                    moveOriginatorAETitle: settings.moveOriginatorAETitle,
                                    moveOriginatorMessageID: settings.moveOriginatorMessageID)
        try await association.send(command: try request.encode(), presentationContextID: contextID, dataSet: dataSet)
        return .outstanding(SentStore(syntax: syntax, bytes: dataSet.byteCount))
    }

    /// Reads the next C-STORE-RSP and completes the outstanding request it names: that file's
    /// result and its position in the plan. A response to no outstanding request, or anything
    /// but a C-STORE-RSP, is a protocol error.
    private func nextResponse(on association: Association, inFlight: inout OperationsInFlight<OutstandingStore>)
        async throws -> (FileResult, position: Int)
    {
        let response = try await storeResponse(on: association)
        guard let store = inFlight.complete(response.messageIDBeingRespondedTo) else {
            throw SendFailure.aborted("C-STORE-RSP to message ID \(response.messageIDBeingRespondedTo), which no outstanding request has")
        }
        return (result(of: store, response), store.position)
    }

    private func result(of store: OutstandingStore, _ response: CStoreResponse) -> FileResult {
        let (file, syntax, bytes) = (store.file, store.sent.syntax, store.sent.bytes)
        switch response.status.category {
        case .success:
            return FileResult(path: file.path, sopInstanceUID: file.sopInstanceUID, transferSyntax: syntax,
                              bytes: bytes, outcome: .sent)
        case .warning:
            return FileResult(path: file.path, sopInstanceUID: file.sopInstanceUID, transferSyntax: syntax, bytes: bytes,
                              outcome: .sentWithWarning(status: response.status.rawValue, comment: response.errorComment))
        case .failure, .cancel, .pending:
            // Pending and cancel are not C-STORE statuses (PS3.4 Table B.2-1): a failure here.
            let comment = response.errorComment.map { ": \($0)" } ?? ""
            return .failed(file, "status \(response.status)H (\(response.status.storeFailureMeaning))\(comment)",
                           cause: .status(response.status.rawValue))
        }
    }

    /// The next message from the peer, which must be a C-STORE-RSP: this side invokes nothing else.
    private func storeResponse(on association: Association) async throws -> CStoreResponse {
        let answer: IncomingMessage?
        do { answer = try await association.receive() } catch let error as DIMSEDecodingError {
            throw SendFailure.aborted("undecodable response to a C-STORE-RQ: \(error)")
        }
        guard let answer else {
            throw SendFailure.aborted("the peer released the association before responding")
        }
        guard case .cStoreRSP(let response) = answer.command else {
            throw SendFailure.aborted("the answer to a C-STORE-RQ is not a C-STORE-RSP: \(answer.command)")
        }
        return response
    }
}

extension DataSetSource {
    var byteCount: Int {
        switch self {
        case .bytes(let bytes): return bytes.count
        case .file(_, _, let length): return Int(length)
        }
    }
}
