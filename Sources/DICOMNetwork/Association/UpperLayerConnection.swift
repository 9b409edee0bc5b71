import NIOConcurrencyHelpers
import NIOCore

/// The upper layer service provider of one connection: applies events to the state machine
/// and carries out the resulting steps on the channel. One task reads (`readPDU`); any task
/// may send while it does (an operation's responses while the reader waits for a C-CANCEL):
/// the state machine and the end of the association are kept under a lock.
final class UpperLayerConnection: @unchecked Sendable {
    private let shared: NIOLockedValueBox<Shared>
    let configuration: AssociationConfiguration
    /// Touched only by the reading task.
    private var inbound: NIOAsyncChannelInboundStream<PDU>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let channel: Channel
    private let timer: UpperLayerTimer

    private struct Shared {
        var machine: AssociationStateMachine
        /// Set once the association has ended; any further use fails with it.
        var ended: AssociationError?
        /// Operations being performed: while any is, waiting for the peer is not idleness.
        var operations = 0
        /// The idle timer the reader would have armed, were no operation running.
        var readerAwaitsIdle = false
    }

    var machine: AssociationStateMachine { shared.withLockedValue { $0.machine } }
    var ended: AssociationError? { shared.withLockedValue { $0.ended } }

    init(
        machine: AssociationStateMachine, configuration: AssociationConfiguration, channel: Channel,
        timer: UpperLayerTimer, inbound: NIOAsyncChannelInboundStream<PDU>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        shared = NIOLockedValueBox(Shared(machine: machine))
        self.configuration = configuration
        self.channel = channel
        self.timer = timer
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Aborts as the local user (Evt15), where the state allows it.
    func abort() async {
        guard ended == nil, AssociationStateMachine.action(for: .evt15, in: machine.state) != nil else { return }
        _ = try? await perform(.evt15, sending: nil)
        end(.abortedLocally)
    }

    /// Applies an event and carries out its I/O steps; indications are left to the caller.
    @discardableResult
    func perform(
        _ event: AssociationEvent, sending pdu: PDU?, requestAcceptable: Bool = true,
        invalidPDUReason: AAbort.Reason = .unrecognizedPDU
    ) async throws -> [AssociationStep] {
        let transition: AssociationTransition
        do {
            transition = try shared.withLockedValue {
                try $0.machine.handle(event, requestAcceptable: requestAcceptable, invalidPDUReason: invalidPDUReason)
            }
        } catch let error as AssociationStateMachine.UnexpectedEvent {
            throw AssociationError.notAllowed("\(event) in \(error.state)")
        }
        for step in transition.steps {
            switch step {
            case .sendAssociateRQ, .sendAssociateAC, .sendAssociateRJ, .sendPData, .sendReleaseRQ, .sendReleaseRP:
                if let pdu { try await write(pdu) }
            case .sendAbort(let source, let reason):
                try? await write(.abort(AAbort(source: source, reason: reason)))
                // The abort ends the association; the connection is closed at once rather than
                // waiting for the peer to close it within ARTIM (PS3.8 §9.2.3 AA-1, AA-7, AA-8).
                close()
            case .startARTIM: timer.arm(configuration.artimTimeout, kind: .artim)
            case .stopARTIM: timer.disarm()
            case .closeTransport: close()
            default: break
            }
        }
        return transition.steps
    }

    /// Handles a PDU other than P-DATA-TF that arrived while reading; throws if it ends the association.
    func handleReceived(_ pdu: PDU) async throws -> [AssociationStep] {
        let steps = try await perform(AssociationEvent(received: pdu), sending: nil, invalidPDUReason: .unexpectedPDU)
        if steps.contains(.indicateAbort), case .abort(let abort) = pdu {
            throw end(.abortedByPeer(abort))
        }
        if steps.contains(.indicateProviderAbort) {
            throw end(.protocolViolation(.unexpectedPDU, "\(pdu.type) in \(machine.state)"))
        }
        return steps
    }

    /// Aborts because the peer broke the protocol (Evt19 → AA-8 or AA-7), then throws.
    func abortForViolation(_ reason: AAbort.Reason, _ detail: String) async -> AssociationError {
        if AssociationStateMachine.action(for: .evt19, in: machine.state) != nil {
            _ = try? await perform(.evt19, sending: nil, invalidPDUReason: reason)
        } else {
            close()
        }
        return end(.protocolViolation(reason, detail))
    }

    /// The next PDU, nil when the transport closed (after Evt17 was applied).
    func readPDU() async throws -> PDU? {
        try checkOpen()
        shared.withLockedValue { shared in
            switch shared.machine.state {
            case .sta2, .sta13: timer.arm(configuration.artimTimeout, kind: .artim)
            case .sta5, .sta7, .sta9, .sta10, .sta11, .sta12: timer.arm(configuration.associationTimeout, kind: .association)
            default:
                shared.readerAwaitsIdle = true
                if shared.operations == 0 { timer.arm(configuration.idleTimeout, kind: .idle) }
            }
        }
        defer {
            shared.withLockedValue { shared in
                shared.readerAwaitsIdle = false
                timer.disarm()
            }
        }
        do {
            guard let pdu = try await inbound.next() else {
                // Only AR-5 (closed after release or reject, Sta13) is orderly; AA-4/AA-5 are not.
                let orderly = (try? shared.withLockedValue { try $0.machine.handle(.evt17) })?.action == .ar5
                close()
                if orderly && ended == nil { return nil }
                throw end(.connectionClosed)
            }
            return pdu
        } catch let timeout as UpperLayerTimeout {
            if AssociationStateMachine.action(for: .evt18, in: machine.state) != nil {
                _ = try? await perform(.evt18, sending: nil)
            } else {
                await abort()  // idle or association timeout: the user gives up (AA-1)
                close()
            }
            throw end(.timedOut(timeout))
        } catch let error as PDUDecodingError {
            throw await abortForViolation(error.abortReason, "\(error)")
        } catch let error as PDUFramingError {
            throw await abortForViolation(.invalidPDUParameterValue, "\(error)")
        }
    }

    /// Waits for the peer to close after our A-RELEASE-RP or A-ASSOCIATE-RJ (Sta13, ARTIM running).
    func awaitTransportClose() async throws {
        while machine.state == .sta13, ended == nil {
            guard let pdu = try await readPDU() else { return }
            _ = try await handleReceived(pdu)
        }
    }

    func write(_ pdu: PDU) async throws {
        try await outbound.write(ByteBuffer(bytes: try pdu.encode()))
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await outbound.write(buffer)
    }

    func close() {
        outbound.finish()
        channel.close(promise: nil)
    }

    func checkOpen() throws {
        if let ended { throw ended }
    }

    /// Ends the association with `error` (unless it already ended) and returns `error`.
    @discardableResult
    func end(_ error: AssociationError) -> AssociationError {
        shared.withLockedValue { shared in
            if shared.ended == nil { shared.ended = error }
        }
        close()
        return error
    }

    /// An operation starts (e.g. a C-FIND sending pending responses): the peer may rightly stay
    /// silent until it ends, so the idle timer does not run meanwhile.
    func operationStarted() {
        shared.withLockedValue { shared in
            shared.operations += 1
            if shared.readerAwaitsIdle { timer.disarm() }
        }
    }

    func operationEnded() {
        shared.withLockedValue { shared in
            shared.operations -= 1
            if shared.operations == 0 && shared.readerAwaitsIdle { timer.arm(configuration.idleTimeout, kind: .idle) }
        }
    }
}

extension UpperLayerConnection {
    /// Adds framing and the timer to a new channel and wraps it for async use. PDUs are
    /// buffered at most a few at a time (the high watermark), bounding memory per connection.
    /// `firstPDULimit` bounds the first PDU alone (an acceptor's A-ASSOCIATE-RQ).
    static func configure(_ channel: Channel, configuration: AssociationConfiguration, firstPDULimit: UInt32? = nil) throws
        -> (NIOAsyncChannel<PDU, ByteBuffer>, UpperLayerTimer)
    {
        let timer = UpperLayerTimer(eventLoop: channel.eventLoop)
        let handlers = channel.pipeline.syncOperations
        try handlers.addHandler(ByteToMessageHandler(
            PDUFrameDecoder(maximumPDULength: configuration.frameLimit, firstPDULimit: firstPDULimit)))
        try handlers.addHandler(timer)
        let asyncChannel = try NIOAsyncChannel<PDU, ByteBuffer>(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2)))
        return (asyncChannel, timer)
    }
}

extension UpperLayerConnection {
    /// Throws unless Table 9-10 allows `event` now.
    func allow(_ event: AssociationEvent) throws {
        guard AssociationStateMachine.action(for: event, in: machine.state) != nil else {
            throw AssociationError.notAllowed("\(event) in \(machine.state)")
        }
    }
}
