import Logging
import NIOCore
import NIOPosix

/// What an SCP service does with associations (the acceptor's service user).
public protocol AssociationServiceHandler: Sendable {
    /// Accepts or rejects a request the provider found acceptable (PS3.8 §7.1.1.7); a rejection
    /// names the standard's result, source and reason, e.g. called AE title not recognized.
    func decide(on request: AAssociateRQ) async -> AssociationDecision
    /// One DIMSE message; the handler consumes its data set and answers with `association.send`.
    func handle(_ message: IncomingMessage, on association: Association) async throws
}

public enum AssociationDecision: Sendable {
    case accept(PresentationContextPolicy)
    case reject(AAssociateRJ)
}

/// Listens for associations (the association-acceptor) and serves each with the handler.
public final class AssociationAcceptor: Sendable {
    typealias Connection = (NIOAsyncChannel<PDU, ByteBuffer>, UpperLayerTimer)

    public let configuration: AssociationConfiguration
    /// SOP classes for which a requestor may take the SCP role (PS3.7 §D.3.3.4).
    public let scpRoleSOPClasses: Set<String>
    public let localPort: Int
    /// Connections served at once; requests beyond are rejected as transient "local limit
    /// exceeded" (PS3.8 Table 9-21), so a flood of connections cannot exhaust memory.
    public let maximumAssociations: Int
    private let active = ConnectionCount()
    private let handler: any AssociationServiceHandler
    private let serverChannel: NIOAsyncChannel<Connection, Never>
    private let logger: Logger

    /// Binds the listening socket; `port` 0 picks a free one (see `localPort`).
    public init(
        host: String, port: Int, configuration: AssociationConfiguration, handler: any AssociationServiceHandler,
        scpRoleSOPClasses: Set<String> = [], maximumAssociations: Int = 64, logger: Logger = Logger(label: "dicom.acceptor"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws {
        self.configuration = configuration
        self.handler = handler
        self.scpRoleSOPClasses = scpRoleSOPClasses
        self.maximumAssociations = maximumAssociations
        self.logger = logger
        serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try UpperLayerConnection.configure(channel, configuration: configuration)
                }
            }
        localPort = serverChannel.channel.localAddress?.port ?? port
    }

    /// Serves connections until the task is cancelled or `close()` is called. Each connection
    /// runs in its own child task; a misbehaving peer only ever ends its own association.
    public func run() async throws {
        try await serverChannel.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await (channel, timer) in connections {
                    group.addTask { await self.serve(channel, timer: timer) }
                }
            }
        }
    }

    /// Stops listening; running associations continue until they end.
    public func close() async {
        try? await serverChannel.channel.close()
    }

    private func serve(_ asyncChannel: NIOAsyncChannel<PDU, ByteBuffer>, timer: UpperLayerTimer) async {
        let peer = asyncChannel.channel.remoteAddress.map { "\($0)" } ?? "unknown peer"
        let admitted = await active.enter(limit: maximumAssociations)
        do {
            try await asyncChannel.executeThenClose { inbound, outbound in
                let connection = UpperLayerConnection(
                    machine: AssociationStateMachine(), configuration: configuration, channel: asyncChannel.channel,
                    timer: timer, inbound: inbound, outbound: outbound)
                try await connection.perform(.evt5, sending: nil)  // AE-5: ARTIM runs until the request
                try await negotiateAndServe(connection, peer: peer, admitted: admitted)
            }
        } catch {
            logger.info("association ended abnormally", metadata: ["peer": "\(peer)", "reason": "\(error)"])
        }
        if admitted { await active.leave() }
    }

    private func negotiateAndServe(_ connection: UpperLayerConnection, peer: String, admitted: Bool) async throws {
        guard let pdu = try await connection.readPDU() else { return }
        guard case .associateRQ(let request) = pdu else {
            _ = try await connection.handleReceived(pdu)  // AA-1 or AA-2
            return
        }
        let overLimit = admitted ? nil : AAssociateRJ.presentation(.rejectedTransient, .localLimitExceeded)
        if let rejection = overLimit ?? AssociationNegotiation.providerRejection(of: request) {
            try await connection.perform(.evt6, sending: .associateRJ(rejection), requestAcceptable: false)
            try await connection.awaitTransportClose()
            return
        }
        try await connection.perform(.evt6, sending: nil)  // AE-6 → Sta3, A-ASSOCIATE indication
        switch await handler.decide(on: request) {
        case .reject(let rejection):
            logger.info("association rejected", metadata: [
                "peer": "\(peer)", "calling": "\(request.callingAETitle)", "called": "\(request.calledAETitle)",
                "source": "\(rejection.source)", "reason": "\(rejection.reason)"])
            try await connection.perform(.evt8, sending: .associateRJ(rejection))  // AE-8
            try await connection.awaitTransportClose()
        case .accept(let policy):
            let answer = AssociationNegotiation.accept(
                request, policy: policy, configuration: configuration, scpRoleSOPClasses: scpRoleSOPClasses)
            try await connection.perform(.evt7, sending: .associateAC(answer))  // AE-7
            let association = Association(request: request, answer: answer, connection: connection)
            do {
                while let message = try await association.receive() {
                    try await handler.handle(message, on: association)
                }
            } catch let error as AssociationError {
                throw error
            } catch {
                await association.abort()  // the service failed: end the association as its user
                throw error
            }
        }
    }
}

/// Connections being served by one acceptor.
actor ConnectionCount {
    private var count = 0

    /// Counts a new connection if fewer than `limit` are being served.
    func enter(limit: Int) -> Bool {
        guard count < limit else { return false }
        count += 1
        return true
    }

    func leave() { count -= 1 }
}
