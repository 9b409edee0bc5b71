import DICOMCore

/// Serves an accepted association: reads each DIMSE message once and hands the request to the
/// provider routed for its presentation context's abstract syntax (Verification, Storage,
/// Query/Retrieve, Storage Commitment…). C-ECHO, C-STORE and N-ACTION are performed as they are
/// read (a C-STORE's data set streams from the socket into the provider). C-FIND runs in its
/// own task while the router reads on, so a C-CANCEL reaches it between pending responses.
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
        let operations = RunningOperations()
        try await withThrowingDiscardingTaskGroup { group in
            defer { operations.cancelAll() }
            while let message = try await association.receive() {
                let context = DIMSERequestContext(association: association, presentationContext: message.presentationContext)
                if case .cCancelRQ(let cancel) = message.command {
                    operations.cancel(messageID: cancel.messageIDBeingRespondedTo)
                    continue
                }
                guard message.command.response(.success) != nil else { throw DIMSEServiceError.unexpected(message.command) }
                // One operation at a time (PS3.7 §D.3.3.3: this side grants no asynchronous window).
                guard operations.isEmpty else { throw DIMSEServiceError.operationWhileBusy(message.command) }
                guard let provider = provider(for: message.presentationContext.abstractSyntax) else {
                    try await refuse(message, status: .sopClassNotSupported, context: context)
                    continue
                }
                switch message.command {
                case .cEchoRQ(let request):
                    let result = try await provider.echo(request, context: context)
                    try await respond(to: message.command, with: result, context: context)
                case .cStoreRQ(let request):
                    guard let dataSet = message.dataSet else { throw DIMSEServiceError.unexpected(message.command) }
                    let result = try await provider.store(request, dataSet: dataSet, context: context)
                    try await respond(to: message.command, with: result, context: context)
                case .cFindRQ(let request):
                    guard let identifier = try await readIdentifier(of: message, context: context) else { continue }
                    let operation = operations.start(request.messageID)
                    let responder = CFindResponder(request: request, context: context, operation: operation)
                    association.connection.operationStarted()
                    group.addTask {
                        defer { association.connection.operationEnded() }
                        await performFind(request, identifier: identifier, provider: provider, responder: responder,
                                          operations: operations)
                    }
                case .nActionRQ(let request):
                    var information: DataSet?
                    if message.dataSet != nil {
                        guard let read = try await readIdentifier(of: message, context: context) else { continue }
                        information = read
                    }
                    let (result, reply) = try await provider.action(request, information: information, context: context)
                    try await respond(to: message.command, with: result, identifier: reply, context: context)
                default:
                    try await refuse(message, status: .unrecognizedOperation, context: context)
                }
            }
        }
    }

    /// Runs the provider's C-FIND and sends the final response: Cancel (FE00H) once cancelled,
    /// "unable to process" (C000H) when the provider failed.
    private func performFind(_ request: CFindRequest, identifier: DataSet, provider: any DIMSEServiceProvider,
                             responder: CFindResponder, operations: RunningOperations) async {
        var result: DIMSEResult
        do {
            result = try await provider.find(request, identifier: identifier, responder: responder)
        } catch is AssociationError {
            return  // the association ended; the router's reader reports how
        } catch {
            result = DIMSEResult(.cannotUnderstand, errorComment: "\(error)")
        }
        if responder.isCancelled { result = DIMSEResult(.cancel) }
        operations.finish(responder.operation)
        try? await respond(to: .cFindRQ(request), with: result, context: responder.context)
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
                         context: DIMSERequestContext) async throws {
        let dataSet = try identifier.map { DataSetSource.bytes(try DataSetWriter.encode($0, transferSyntax: context.transferSyntax)) }
        guard let response = request.response(result, hasDataSet: dataSet != nil) else { throw DIMSEServiceError.unexpected(request) }
        try await context.association.send(command: response.encode(), presentationContextID: context.presentationContext.id,
                                           dataSet: dataSet)
    }
}

/// A message the router cannot serve; the association is aborted.
public enum DIMSEServiceError: Error, Hashable, Sendable {
    /// A response or an unsupported command where a request was due.
    case unexpected(DIMSECommand)
    /// A request while another operation runs, though no asynchronous operations were negotiated.
    case operationWhileBusy(DIMSECommand)
}
