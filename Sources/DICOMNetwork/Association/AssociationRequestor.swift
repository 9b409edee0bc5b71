import NIOCore
import NIOPosix

/// Opens associations to a peer (the association-requestor, PS3.8 §7.1.1).
public struct AssociationRequestor: Sendable {
    public var configuration: AssociationConfiguration
    public let group: any EventLoopGroup

    public init(configuration: AssociationConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Connects, negotiates, runs `body` on the association, then releases it (or aborts it
    /// if `body` throws). Throws `AssociationError.rejected` when the peer rejects.
    public func withAssociation<Result>(
        host: String, port: Int, calledAETitle: AETitle, presentationContexts: [PresentationContextRQ],
        roleSelections: [RoleSelection] = [],
        _ body: (Association) async throws -> Result
    ) async throws -> Result {
        let configuration = self.configuration
        let request = AAssociateRQ(
            calledAETitle: calledAETitle, callingAETitle: configuration.aeTitle,
            presentationContexts: presentationContexts,
            userInformation: configuration.userInformation(
                roleSelections: roleSelections,
                asynchronousOperationsWindow: .proposal(limit: configuration.maximumOperationsInvoked)))
        var machine = AssociationStateMachine()
        _ = try machine.handle(.associateRequest(request))  // AE-1: the connect below
        let (asyncChannel, timer) = try await ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try UpperLayerConnection.configure(channel, configuration: configuration)
                }
            }
        return try await asyncChannel.executeThenClose { inbound, outbound in
            let connection = UpperLayerConnection(
                machine: machine, configuration: configuration, channel: asyncChannel.channel, timer: timer,
                inbound: inbound, outbound: outbound)
            try await connection.handle(.transportConnected)  // AE-2: sends the request
            guard let pdu = try await connection.readPDU() else { throw AssociationError.connectionClosed }
            // AE-3, AE-4, or an abort that throws.
            for step in try await connection.handleReceived(pdu) {
                switch step {
                case .confirmAssociateAccepted(let answer):
                    let association = Association(request: request, answer: answer, connection: connection)
                    do {
                        let result = try await body(association)
                        if association.canRelease { try await association.release() }
                        return result
                    } catch {
                        await association.abort()
                        throw error
                    }
                case .confirmAssociateRejected(let rejection):
                    throw AssociationError.rejected(rejection)
                default:
                    continue
                }
            }
            throw AssociationError.protocolViolation(.unexpectedPDU, "\(pdu.type) in answer to A-ASSOCIATE-RQ")
        }
    }
}
