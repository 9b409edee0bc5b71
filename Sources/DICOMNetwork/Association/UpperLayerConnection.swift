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
        guard ended == nil, allows(.evt15) else { return }
        _ = try? await handle(.abortRequest)
        end(.abortedLocally)
    }

    /// Applies an event and performs what the machine asks: writes, timers, closing the
    /// transport. Indications are returned for the caller.
    @discardableResult
    func handle(_ input: AssociationInput) async throws -> [AssociationStep] {
        let transition: AssociationTransition
        do {
            transition = try shared.withLockedValue { try $0.machine.handle(input) }
        } catch let error as AssociationStateMachine.UnexpectedEvent {
            throw AssociationError.notAllowed("\(error.event) in \(error.state)")
        }
        for step in transition.steps {
            switch step {
            case .send(.abort(let abort)):
                try? await write(.abort(abort))
                // The abort ends the association; the connection is closed at once rather than
                // waiting for the peer to close it within ARTIM (PS3.8 §9.2.3 AA-1, AA-7, AA-8).
                close()
            case .send(let pdu): try await write(pdu)
            case .sendPData(let pdus): try await outbound.write(pdus)
            case .startARTIM: timer.arm(configuration.artimTimeout, kind: .artim)
            case .stopARTIM: timer.disarm()
            case .closeTransport: close()
            case .openTransport, .indicateAssociateRequest, .confirmAssociateAccepted, .confirmAssociateRejected,
                 .indicatePData, .indicateReleaseRequest, .confirmRelease, .indicateAbort, .indicateProviderAbort, .ignorePDU:
                break  // the transport is opened by the requestor's bootstrap; indications are the caller's
            }
        }
        return transition.steps
    }

    /// Applies a received PDU; throws if it ends the association (A-ABORT, or a PDU the state
    /// does not expect).
    func handleReceived(_ pdu: PDU) async throws -> [AssociationStep] {
        let steps = try await handle(.received(pdu))
        for step in steps {
            if case .indicateAbort(let abort) = step { throw end(.abortedByPeer(abort)) }
            if step == .indicateProviderAbort { throw end(.protocolViolation(.unexpectedPDU, "\(pdu.type) in \(machine.state)")) }
        }
        return steps
    }

    /// Aborts because the peer broke the protocol (Evt19 → AA-8 or AA-7), then throws.
    func abortForViolation(_ reason: AAbort.Reason, _ detail: String) async -> AssociationError {
        if allows(.evt19) {
            _ = try? await handle(.invalidPDU(reason))
        } else {
            close()
        }
        return end(.protocolViolation(reason, detail))
    }

    /// The next PDU, nil when the transport closed (after Evt17 was applied). The machine says
    /// which timer runs meanwhile; the idle timer rests while an operation is being performed.
    func readPDU() async throws -> PDU? {
        try checkOpen()
        shared.withLockedValue { shared in
            let kind = shared.machine.timerAwaitingPDU
            switch kind {
            case .artim: timer.arm(configuration.artimTimeout, kind: kind)
            case .association: timer.arm(configuration.associationTimeout, kind: kind)
            case .idle:
                shared.readerAwaitsIdle = true
                if shared.operations == 0 { timer.arm(configuration.idleTimeout, kind: kind) }
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
                let orderly = (try? shared.withLockedValue { try $0.machine.handle(.transportClosed) })?.action == .ar5
                close()
                if orderly && ended == nil { return nil }
                throw end(.connectionClosed)
            }
            return pdu
        } catch let timeout as UpperLayerTimeout {
            if allows(.evt18) {
                _ = try? await handle(.artimExpired)
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
    /// Whether Table 9-10 allows `event` now.
    func allows(_ event: AssociationEvent) -> Bool {
        shared.withLockedValue { $0.machine.allows(event) }
    }
}
