import DICOMCore

/// Serves an accepted association: reads each DIMSE message once and hands the request to the
/// provider routed for its presentation context's abstract syntax (Verification, Storage,
/// Query/Retrieve, Storage Commitment…). C-ECHO, C-STORE and N-ACTION are performed as they are
/// read (a C-STORE's data set streams from the socket into the provider). With an asynchronous
/// operations window, each C-STORE's data set is read in turn and the rest of the store runs in
/// its own task, so several instances become safe at once. C-FIND, C-GET and C-MOVE run in their
/// own task while the router reads on, so a C-CANCEL reaches them between pending responses, and
/// a C-GET's C-STORE sub-operations get their responses. Within a window, requests of every kind
/// overlap and their responses interleave (PS3.7 §D.3.3.3); without one, a request arriving
/// while another is outstanding ends the association.
public struct DIMSEServiceRouter: Sendable {
    /// Which abstract syntaxes one provider serves.
    public struct Route: Sendable {
        let serves: @Sendable (String) -> Bool
        let provider: any DIMSEServiceProvider

        public init(_ abstractSyntaxes: Set<String>, to provider: any DIMSEServiceProvider) {
            self.serves = { abstractSyntaxes.contains($0) }
            self.provider = provider
        }

        /// A provider for a family of SOP classes, e.g. every storage SOP class.
        public init(where serves: @escaping @Sendable (String) -> Bool, to provider: any DIMSEServiceProvider) {
            self.serves = serves
            self.provider = provider
        }
    }

    private let routes: [Route]
    /// Largest identifier (the query keys of C-FIND, C-GET, C-MOVE) or N-ACTION information read
    /// into memory; a larger one is refused with "out of resources" (A700H).
    public let maximumIdentifierLength: Int

    /// The first route serving an abstract syntax wins.
    public init(_ routes: [Route], maximumIdentifierLength: Int = 4 << 20) {
        self.routes = routes
        self.maximumIdentifierLength = maximumIdentifierLength
    }

    public func provider(for abstractSyntax: String) -> (any DIMSEServiceProvider)? {
        routes.first { $0.serves(abstractSyntax) }?.provider
    }

    /// Serves the association until the peer releases it; throws when it ends otherwise.
    /// Operations still running when the association ends are cancelled.
    public func serve(_ association: Association) async throws {
        let operations = association.operationsBeingPerformed
        try await withThrowingDiscardingTaskGroup { group in
            defer {
                operations.cancelAll()
                association.responseWaiters.end(association.connection.ended ?? AssociationError.connectionClosed)
            }
            while let message = try await association.receive() {
                let context = DIMSERequestContext(association: association, presentationContext: message.presentationContext)
                if case .cCancelRQ(let cancel) = message.command {
                    operations.cancel(messageID: cancel.messageIDBeingRespondedTo)
                    continue
                }
                if let respondedTo = message.command.messageIDBeingRespondedTo {  // to a request of this side
                    if let fragments = message.dataSet { for try await _ in fragments {} }
                    guard association.responseWaiters.deliver(message.command, to: respondedTo) else {
                        throw DIMSEServiceError.unexpected(message.command)
                    }
                    continue
                }
                guard let messageID = message.command.requestMessageID, message.command.response(.success) != nil else {
                    throw DIMSEServiceError.unexpected(message.command)
                }
                // Every request counts against the negotiated window, whatever its kind, and
                // requests of any kind run side by side within it (PS3.7 §D.3.3.3).
                let operation: RunningOperation
                switch operations.invoke(messageID) {
                case .accepted(let accepted): operation = accepted
                case .windowFull: throw DIMSEServiceError.beyondOperationsWindow(message.command, window: association.operationsWindow)
                case .duplicateMessageID: throw DIMSEServiceError.messageIDOutstanding(message.command)
                }
                try await perform(message, as: operation, context: context, in: &group)
            }
        }
    }

    /// Performs one request: C-ECHO, N-ACTION and (without a window) C-STORE before the next
    /// request is read; C-FIND, C-GET, C-MOVE and windowed C-STOREs in their own task.
    /// `operation` is completed exactly once, before the final response goes out.
    private func perform(_ message: IncomingMessage, as operation: RunningOperation, context: DIMSERequestContext,
                         in group: inout ThrowingDiscardingTaskGroup<any Error>) async throws {
        let operations = context.association.operationsBeingPerformed
        guard let provider = provider(for: message.presentationContext.abstractSyntax) else {
            operations.complete(operation)
            try await refuse(message, status: .sopClassNotSupported, context: context)
            return
        }
        switch message.command {
        case .cStoreRQ(let request) where context.association.operationsWindow > 1:
            guard let dataSet = message.dataSet else { throw DIMSEServiceError.unexpected(message.command) }
            try await storeWithinWindow(request, as: operation, command: message.command, dataSet: dataSet,
                                        provider: provider, context: context, in: &group)
        case .cFindRQ(let request):
            guard let identifier = try await readIdentifier(of: message, as: operation, context: context) else { return }
            let responder = CFindResponder(request: request, context: context, operation: operation)
            start(operation, of: message.command, context: context, in: &group) {
                RetrieveResult(try await provider.find(request, identifier: identifier, responder: responder))
            }
        case .cGetRQ(let request):
            guard let identifier = try await readIdentifier(of: message, as: operation, context: context) else { return }
            let responder = RetrieveResponder(request: message.command, context: context, operation: operation)
            start(operation, of: message.command, context: context, in: &group) {
                try await provider.get(request, identifier: identifier, responder: responder)
            }
        case .cMoveRQ(let request):
            guard let identifier = try await readIdentifier(of: message, as: operation, context: context) else { return }
            let responder = RetrieveResponder(request: message.command, context: context, operation: operation)
            start(operation, of: message.command, context: context, in: &group) {
                try await provider.move(request, identifier: identifier, responder: responder)
            }
        default:
            // Performed before the next request is read, so completing first lets nothing in early.
            defer { operations.complete(operation) }
            try await performInline(message, provider: provider, context: context, in: &group)
        }
    }

    private func performInline(_ message: IncomingMessage, provider: any DIMSEServiceProvider, context: DIMSERequestContext,
                               in group: inout ThrowingDiscardingTaskGroup<any Error>) async throws {
        switch message.command {
        case .cEchoRQ(let request):
            let result = try await provider.echo(request, context: context)
            try await respond(to: message.command, with: result, context: context)
        case .cStoreRQ(let request):
            guard let dataSet = message.dataSet else { throw DIMSEServiceError.unexpected(message.command) }
            let result = try await provider.store(request, dataSet: dataSet, context: context)
            let responding = ContinuousClock.now
            try await respond(to: message.command, with: result, context: context)
            provider.storeResponseSent(after: ContinuousClock.now - responding)
        case .nActionRQ(let request):
            var information: DataSet?
            if message.dataSet != nil {
                guard let read = try await readIdentifier(of: message, context: context) else { return }
                information = read
            }
            let outcome = try await provider.action(request, information: information, context: context)
            try await respond(to: message.command, with: outcome.result, identifier: outcome.reply, context: context)
            if let followUp = outcome.followUp { group.addTask { await followUp() } }
        default:
            try await refuse(message, status: .unrecognizedOperation, context: context)
        }
    }

    /// A C-STORE within the asynchronous operations window (PS3.7 §D.3.3.3): its data set is read
    /// here, then the instance is made safe in its own task, which sends the response with the
    /// request's Message ID when its result is known, while the router reads the next request.
    private func storeWithinWindow(_ request: CStoreRequest, as operation: RunningOperation, command: DIMSECommand,
                                   dataSet: DataSetFragments, provider: any DIMSEServiceProvider,
                                   context: DIMSERequestContext,
                                   in group: inout ThrowingDiscardingTaskGroup<any Error>) async throws {
        let operations = context.association.operationsBeingPerformed
        let completion: StoreCompletion
        do {
            completion = try await provider.receiveStore(request, dataSet: dataSet, context: context)
        } catch {
            operations.complete(operation)
            throw error
        }
        let connection = context.association.connection
        connection.operationStarted()
        group.addTask {
            defer { connection.operationEnded() }
            let result: DIMSEResult
            do {
                result = try await completion()
            } catch {
                operations.complete(operation)
                throw error
            }
            operations.complete(operation)
            let responding = ContinuousClock.now
            try await respond(to: command, with: result, context: context)
            provider.storeResponseSent(after: ContinuousClock.now - responding)
        }
    }

    /// Performs an operation in its own task and sends its final response: Cancel (FE00H) once
    /// cancelled, "unable to process" (C000H) when the provider failed. The idle timer rests
    /// meanwhile: the requestor rightly stays silent while responses come.
    private func start(_ operation: RunningOperation, of request: DIMSECommand, context: DIMSERequestContext,
                       in group: inout ThrowingDiscardingTaskGroup<any Error>,
                       _ perform: @escaping @Sendable () async throws -> RetrieveResult) {
        let connection = context.association.connection
        let operations = context.association.operationsBeingPerformed
        connection.operationStarted()
        group.addTask {
            defer { connection.operationEnded() }
            var outcome: RetrieveResult
            do {
                outcome = try await perform()
            } catch is AssociationError {
                operations.complete(operation)
                return  // the association ended; the router's reader reports how
            } catch {
                outcome = RetrieveResult(DIMSEResult(.cannotUnderstand, errorComment: "\(error)"))
            }
            if operation.isCancelled && outcome.result.status.category != .failure { outcome.result.status = .cancel }
            var failedList: DataSet?
            if !outcome.failedSOPInstanceUIDs.isEmpty {
                var list = DataSet()
                try? list.set(Tag(0x0008, 0x0058), vr: .UI, strings: outcome.failedSOPInstanceUIDs)  // Failed SOP Instance UID List
                failedList = list
            }
            operations.complete(operation)
            try? await respond(to: request, with: outcome.result, identifier: failedList,
                               subOperations: outcome.subOperations, context: context)
        }
    }

    /// `readIdentifier`, completing `operation` when the identifier was refused (the refusal is
    /// its final response).
    private func readIdentifier(of message: IncomingMessage, as operation: RunningOperation,
                                context: DIMSERequestContext) async throws -> DataSet? {
        do {
            if let identifier = try await readIdentifier(of: message, context: context) { return identifier }
        } catch {
            context.association.operationsBeingPerformed.complete(operation)
            throw error
        }
        context.association.operationsBeingPerformed.complete(operation)
        return nil
    }

    /// The data set of a C-FIND/C-GET/C-MOVE or N-ACTION, decoded; nil when it was refused
    /// (too long, or not a data set in the context's transfer syntax), the refusal already sent.
    private func readIdentifier(of message: IncomingMessage, context: DIMSERequestContext) async throws -> DataSet? {
        guard let fragments = message.dataSet else { return nil }
        var bytes: [UInt8] = []
        var tooLong = false
        for try await fragment in fragments {
            tooLong = tooLong || bytes.count + fragment.count > maximumIdentifierLength
            if !tooLong { bytes += fragment }
        }
        if tooLong {
            try await respond(to: message.command, with: DIMSEResult(
                .outOfResources, errorComment: "identifier longer than \(maximumIdentifierLength) bytes"), context: context)
            return nil
        }
        do {
            var reader = try DataSetReader(bytes: bytes, transferSyntax: context.transferSyntax)
            return try reader.read()
        } catch {
            try await respond(to: message.command, with: DIMSEResult(
                .dataSetDoesNotMatchSOPClass, errorComment: "identifier cannot be decoded: \(error)"), context: context)
            return nil
        }
    }

    /// Answers a request no provider performs, after draining its data set.
    private func refuse(_ message: IncomingMessage, status: DIMSEStatus, context: DIMSERequestContext) async throws {
        if let fragments = message.dataSet { for try await _ in fragments {} }
        try await respond(to: message.command, with: DIMSEResult(status), context: context)
    }

    private func respond(to request: DIMSECommand, with result: DIMSEResult, identifier: DataSet? = nil,
                         subOperations: SubOperationCounts = SubOperationCounts(), context: DIMSERequestContext) async throws {
        let dataSet = try identifier.map { DataSetSource.bytes(try DataSetWriter.encode($0, transferSyntax: context.transferSyntax)) }
        guard let response = request.response(result, hasDataSet: dataSet != nil, subOperations: subOperations) else {
            throw DIMSEServiceError.unexpected(request)
        }
        try await context.association.send(command: response.encode(), presentationContextID: context.presentationContext.id,
                                           dataSet: dataSet)
    }
}

/// A message the router cannot serve; the association is aborted.
public enum DIMSEServiceError: Error, Hashable, Sendable {
    /// A response or an unsupported command where a request was due.
    case unexpected(DIMSECommand)
    /// A request while as many as the negotiated asynchronous operations window are outstanding.
    case beyondOperationsWindow(DIMSECommand, window: Int)
    /// A request reusing the Message ID of one still outstanding (PS3.7 §9.3.1.1).
    case messageIDOutstanding(DIMSECommand)
}
