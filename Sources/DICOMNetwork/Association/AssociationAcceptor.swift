import Logging
import NIOCore
import NIOPosix

/// What an SCP service does with associations (the acceptor's service user).
public protocol AssociationServiceHandler: Sendable {
    /// Accepts or rejects a request the provider found acceptable (PS3.8 §7.1.1.7), knowing the
    /// TCP peer it came from (nil if the transport does not say). A rejection names the
    /// standard's result, source and reason, e.g. calling AE title not recognized. The default
    /// asks `decide(on:)`, for handlers that judge the request alone.
    func decide(on request: AAssociateRQ, from peer: PeerAddress?) async -> AssociationDecision
    /// The decision from the request alone; only consulted through the default of `decide(on:from:)`.
    func decide(on request: AAssociateRQ) async -> AssociationDecision
    /// The service class providers that perform the requests of an accepted association.
    var router: DIMSEServiceRouter { get }
    /// Called once per accepted association after it ended, however it ended. Default: nothing.
    func associationEnded(_ summary: AssociationSummary) async
}

extension AssociationServiceHandler {
    public func decide(on request: AAssociateRQ, from peer: PeerAddress?) async -> AssociationDecision {
        await decide(on: request)
    }

    /// A handler that implements neither `decide` rejects everyone rather than recursing.
    public func decide(on request: AAssociateRQ) async -> AssociationDecision {
        .reject(.user(.rejectedPermanent, .noReasonGiven))
    }

    public func associationEnded(_ summary: AssociationSummary) async {}
}

public enum AssociationDecision: Sendable {
    case accept(PresentationContextPolicy)
    case reject(AAssociateRJ)
}

/// Listens for associations (the association-acceptor) and serves each with the handler's router.
public final class AssociationAcceptor: Sendable {
    /// An admitted connection; nil for one refused at accept (its channel closes by itself).
    typealias Connection = (channel: NIOAsyncChannel<PDU, ByteBuffer>, timer: UpperLayerTimer, ticket: AdmissionTicket)?

    public let configuration: AssociationConfiguration
    /// SOP classes for which a requestor may take the SCP role (PS3.7 §D.3.3.4).
    public let scpRoleSOPClasses: Set<String>
    public let localPort: Int
    /// What connections may cost before and after association (see `ConnectionLimits`).
    public var limits: ConnectionLimits { admission.limits }
    private let admission: ConnectionAdmission
    private let handler: any AssociationServiceHandler
    private let serverChannel: NIOAsyncChannel<Connection, Never>
    private let logger: Logger

    /// Binds the listening socket; `port` 0 picks a free one (see `localPort`).
    public init(
        host: String, port: Int, configuration: AssociationConfiguration, handler: any AssociationServiceHandler,
        scpRoleSOPClasses: Set<String> = [], limits: ConnectionLimits = ConnectionLimits(),
        logger: Logger = Logger(label: "dicom.acceptor"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws {
        self.configuration = configuration
        self.handler = handler
        self.scpRoleSOPClasses = scpRoleSOPClasses
        let admission = ConnectionAdmission(limits: limits)
        self.admission = admission
        self.logger = logger
        serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.admit(channel, admission: admission, configuration: configuration, logger: logger)
                }
            }
        localPort = serverChannel.channel.localAddress?.port ?? port
    }

    /// Serves connections until the task is cancelled or `close()` is called. Each connection
    /// runs in its own child task; a misbehaving peer only ever ends its own association.
    public func run() async throws {
        try await serverChannel.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    guard let (channel, timer, ticket) = connection else { continue }
                    group.addTask { await self.serve(channel, timer: timer, ticket: ticket) }
                }
            }
        }
    }

    /// Stops listening; running associations continue until they end.
    public func close() async {
        try? await serverChannel.channel.close()
    }

    private func serve(_ asyncChannel: NIOAsyncChannel<PDU, ByteBuffer>, timer: UpperLayerTimer,
                       ticket: AdmissionTicket) async {
        let opened = ContinuousClock.now
        let peer = asyncChannel.channel.remoteAddress.flatMap(PeerAddress.init)
        var summary: AssociationSummary?
        do {
            summary = try await asyncChannel.executeThenClose { inbound, outbound in
                let connection = UpperLayerConnection(
                    machine: AssociationStateMachine(), configuration: configuration, channel: asyncChannel.channel,
                    timer: timer, inbound: inbound, outbound: outbound)
                try await connection.handle(.transportAccepted)  // AE-5: ARTIM runs until the request
                return try await negotiateAndServe(connection, peer: peer, ticket: ticket, opened: opened)
            }
        } catch {
            // Before an association was established: a silent or misbehaving peer.
            logger.info("connection ended before an association", metadata: [
                "peer": Self.describe(peer), "reason": "\(error)"])
        }
        if let summary { await handler.associationEnded(summary) }
    }

    /// Negotiates, then serves the association until it ends; returns its summary, or nil when
    /// no association was established (rejected, or the peer went away first).
    private func negotiateAndServe(
        _ connection: UpperLayerConnection, peer: PeerAddress?, ticket: AdmissionTicket, opened: ContinuousClock.Instant
    ) async throws -> AssociationSummary? {
        guard let pdu = try await connection.readPDU() else { return nil }
        // AE-6: an A-ASSOCIATE indication, or the provider's own rejection; AA-1 or AA-2 for other PDUs.
        var indicated: AAssociateRQ?
        for step in try await connection.handleReceived(pdu) {
            switch (step, pdu) {
            case (.indicateAssociateRequest(let request), _):
                indicated = request
            case (.send(.associateRJ(let rejection)), .associateRQ(let request)):
                logRejection(rejection, of: request, from: peer)
                try await connection.awaitTransportClose()
            default:
                continue
            }
        }
        guard let request = indicated else { return nil }
        switch await handler.decide(on: request, from: peer) {
        case .reject(let rejection):
            logRejection(rejection, of: request, from: peer)
            try await connection.handle(.associateReject(rejection))  // AE-8
            try await connection.awaitTransportClose()
            return nil
        case .accept(let policy):
            guard admission.beginAssociation() else {
                let rejection = AAssociateRJ.presentation(.rejectedTransient, .localLimitExceeded)
                logRejection(rejection, of: request, from: peer)
                try await connection.handle(.associateReject(rejection))  // AE-8
                try await connection.awaitTransportClose()
                return nil
            }
            defer { admission.endAssociation() }
            ticket.release()  // associated: its bytes are no longer bounded by the A-ASSOCIATE-RQ limit
            let answer = AssociationNegotiation.accept(
                request, policy: policy, configuration: configuration, scpRoleSOPClasses: scpRoleSOPClasses)
            try await connection.handle(.associateAccept(answer))  // AE-7
            let association = Association(request: request, answer: answer, connection: connection)
            let end = await serveEstablished(association, peer: peer)
            return AssociationSummary(
                callingAETitle: request.callingAETitle, calledAETitle: request.calledAETitle, peer: peer,
                duration: .now - opened, end: end, counts: association.serviceCounts,
                operationsWindow: association.operationsWindow)
        }
    }

    /// Routes each request to its provider until the association ends, and says how it ended.
    private func serveEstablished(_ association: Association, peer: PeerAddress?) async -> AssociationEnd {
        do {
            try await handler.router.serve(association)
            return .released
        } catch {
            if !(error is AssociationError) {
                await association.abort()  // the service failed: end the association as its user
            }
            logger.debug("association ended abnormally", metadata: [
                "peer": Self.describe(peer), "reason": "\(error)"])
            return AssociationEnd(error)
        }
    }

    /// Decides on a new connection at accept and builds its pipeline; nil when it is refused.
    private static func admit(_ channel: Channel, admission: ConnectionAdmission, configuration: AssociationConfiguration,
                              logger: Logger) throws -> Connection {
        let peer = channel.remoteAddress.flatMap(PeerAddress.init)
        let handlers = channel.pipeline.syncOperations
        switch admission.admit(from: peer?.host) {
        case .failure(let refusal):
            logger.debug("connection refused at accept", metadata: ["peer": describe(peer), "reason": "\(refusal)"])
            try handlers.addHandler(AdmissionHandler(ticket: nil, byteLimit: 0))
            return nil
        case .success(let ticket):
            let limit = admission.limits.maximumAssociateRQBytes
            try handlers.addHandler(AdmissionHandler(ticket: ticket, byteLimit: limit))
            let (channel, timer) = try UpperLayerConnection.configure(
                channel, configuration: configuration, firstPDULimit: UInt32(clamping: limit - PDU.headerLength))
            return (channel, timer, ticket)
        }
    }

    private static func describe(_ peer: PeerAddress?) -> Logger.MetadataValue {
        .string(peer?.description ?? "unknown")
    }

    /// PS3.8 §7.1.1.7 and Table 9-21: who rejected and why, with the AE titles and the peer.
    private func logRejection(_ rejection: AAssociateRJ, of request: AAssociateRQ, from peer: PeerAddress?) {
        logger.info("association rejected", metadata: [
            "calling": "\(request.callingAETitle)", "called": "\(request.calledAETitle)",
            "peer": Self.describe(peer), "rejection": "\(rejection)"])
    }
}
