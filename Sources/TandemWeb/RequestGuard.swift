import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes
import NIOSSL
import NIOTLS

/// What one connection may hold (`[web] header_timeout`, `body_min_rate`, `max_connections`,
/// `max_connections_per_client`; docs/configuration.md).
struct ConnectionLimits: Sendable {
    var headTimeout: TimeAmount
    /// Bytes per second a request body must average after a grace of `headTimeout`; 0: no minimum.
    var bodyMinimumRate: Int64
    var maximumConnections: Int
    var maximumConnectionsPerClient: Int
    /// Request line and header fields together: a QIDO-RS query with long UID lists fits, and
    /// 256 connections' heads stay within a quarter of a gigabyte.
    static let maximumHeadBytes = 1 << 20
}

/// Open connections in total and per client address, shared by a server's connections.
final class ConnectionCount: Sendable {
    private let counts = NIOLockedValueBox((total: 0, byClient: [String: Int]()))
    let limits: ConnectionLimits

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// Counts a new connection; false when that puts it over a limit (it stays counted until
    /// `close`, like any other).
    func open(_ client: String) -> Bool {
        counts.withLockedValue { counts in
            counts.total += 1
            counts.byClient[client, default: 0] += 1
            return counts.total <= limits.maximumConnections
                && counts.byClient[client, default: 0] <= limits.maximumConnectionsPerClient
        }
    }

    /// Open connections from `client` and in all, for the log line of a refusal.
    func open(from client: String) -> (client: Int, total: Int) {
        counts.withLockedValue { ($0.byClient[client, default: 0], $0.total) }
    }

    func close(_ client: String) {
        counts.withLockedValue { counts in
            counts.total -= 1
            let remaining = counts.byClient[client, default: 1] - 1
            counts.byClient[client] = remaining > 0 ? remaining : nil
        }
    }
}

/// Applies `RequestHeadWatch` and the connection limits to one HTTP/1 connection. Sits after the
/// HTTP decoder (it sees request parts and response parts) and puts a `ReadCounter` at the front
/// of the pipeline, whose byte counts tell it when a head begins and how large it has grown.
/// A connection over a limit is answered 503 to its first request and closed; a head too slow
/// (408) or too large (431), or a body below the minimum rate (`BodyRateWatch`, 408), is answered
/// when no response is under way, and the connection closed. Each refusal is a log line: the
/// application's access log never sees these requests. A request that expects `100-continue` is
/// sent that interim response as its head is read.
final class RequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let connections: ConnectionCount
    private let logger: Logger
    private var watch = RequestHeadWatch(maximumHeadBytes: ConnectionLimits.maximumHeadBytes)
    private var bodyRate: BodyRateWatch?
    private var bodyDeadline: Scheduled<Void>?
    /// Under TLS, until the handshake completes no response can be written: a refusal just closes.
    private var handshakePending = false
    private var client: String?
    private var overLimit = false
    private var closing = false
    private var closeAfterResponse = false
    private var deadline: Scheduled<Void>?
    /// Requests passed on whose response has not ended yet.
    private var unanswered = 0
    /// A response head has been written and its end not yet.
    private var responding = false
    /// This handler answered the request itself; the application's late response is dropped.
    private var answeredHere = false

    init(connections: ConnectionCount, logger: Logger) {
        self.connections = connections
        self.logger = logger
        let rate = connections.limits.bodyMinimumRate
        if rate > 0 { bodyRate = BodyRateWatch(grace: connections.limits.headTimeout, minimumBytesPerSecond: rate) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let client = context.channel.remoteAddress?.ipAddress ?? "local"
        self.client = client
        overLimit = !connections.open(client)
        handshakePending = (try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)) != nil
        do {
            try context.pipeline.syncOperations.addHandler(ReadCounter(), position: .first)
        } catch {
            context.close(promise: nil)
            return
        }
        perform(watch.connectionOpened(), context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        if let client { connections.close(client) }
        client = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let part = unwrapInboundIn(data)
        if overLimit {
            if case .head = part { refuse(.serviceUnavailable, because: "too many connections", context: context) }
            return
        }
        switch part {
        case .head(let request):
            perform(watch.headDecoded(), context: context)
            bodyRate?.bodyBegan(at: .now())
            unanswered += 1
            if !closing, request.headerFields[.expect]?.lowercased() == "100-continue" {
                // RFC 9110 §10.1.1: a client waits for this interim response (curl for a second)
                // before it sends the body. Sent at once; a refusal can still follow as the final
                // response, with `Connection: close` where the body is not wanted.
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        case .body:
            break
        case .end:
            watch.requestEnded()
            bodyRate?.bodyEnded()
            bodyDeadline?.cancel()
            bodyDeadline = nil
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        perform(watch.readComplete(), context: context)
        // Timed only once a body outlasts a read: most requests end in the read with their head.
        if !closing, bodyDeadline == nil, let due = bodyRate?.deadline { armBodyDeadline(at: due, context: context) }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let read = event as? ReadCounter.BytesRead else {
            if case .handshakeCompleted = event as? TLSUserEvent { handshakePending = false }
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !overLimit, !closing else { return }
        if watch.phase == .readingBody { bodyRate?.bytesArrived(read.count) }
        perform(watch.bytesArrived(read.count), context: context)
    }

    /// A response that says `Connection: close` is the connection's last (RFC 9112 §9.6): the
    /// server closes after it rather than read the rest of a request body it refused.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !answeredHere else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let response):
            responding = true
            closeAfterResponse = response.headerFields[.connection]?.lowercased() == "close"
        case .body:
            break
        case .end:
            unanswered -= 1
            responding = false
            guard closeAfterResponse else { break }
            closing = true
            cancelTimers()
            context.writeAndFlush(data).assumeIsolated().whenComplete { result in
                promise?.completeWith(result)
                context.close(promise: nil)
            }
            return
        }
        context.write(data, promise: promise)
    }

    private func perform(_ action: RequestHeadWatch.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .startDeadline:
            deadline?.cancel()
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: connections.limits.headTimeout) {
                self.deadline = nil
                self.perform(self.watch.deadlinePassed(), context: context)
            }
        case .cancelDeadline:
            deadline?.cancel()
            deadline = nil
        case .refuse(.headTooSlow):
            refuse(.requestTimeout, because: "request head too slow", context: context)
        case .refuse(.headTooLarge):
            refuse(.requestHeaderFieldsTooLarge, because: "request head too large", context: context)
        }
    }

    private func armBodyDeadline(at due: NIODeadline, context: ChannelHandlerContext) {
        bodyDeadline = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
            self.bodyDeadline = nil
            switch self.bodyRate?.check(at: .now()) ?? .idle {
            case .idle:
                break
            case .onTime(let until):
                self.armBodyDeadline(at: until, context: context)
            case .tooSlow:
                self.refuse(.requestTimeout, because: "request body below body_min_rate", context: context)
            }
        }
    }

    private func cancelTimers() {
        deadline?.cancel()
        deadline = nil
        bodyDeadline?.cancel()
        bodyDeadline = nil
    }

    /// Answers `status` with `Connection: close`, then closes; only closes when the answer could
    /// not be the connection's next response: a response is being written (whose bytes it would
    /// break into), an earlier request is still unanswered, or the TLS handshake is unfinished.
    private func refuse(_ status: HTTPResponse.Status, because reason: String, context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        cancelTimers()
        let client = client ?? "local", open = connections.open(from: client)
        var metadata: Logger.Metadata = [
            "client": "\(client)", "status": "\(status.code)", "reason": "\(reason)",
            "open_from_client": "\(open.client)", "open": "\(open.total)",
        ]
        // The request whose body is being read has been passed on, but may be answered here.
        let awaitingAnswer = watch.phase == .readingBody ? 1 : 0
        guard !handshakePending, !responding, unanswered == awaitingAnswer else {
            // A TCP health probe that never starts its handshake ends here: not worth a notice.
            metadata["answered"] = "false"
            logger.debug("connection closed", metadata: metadata)
            context.close(promise: nil)
            return
        }
        logger.notice("connection refused", metadata: metadata)
        answeredHere = unanswered > 0
        let head = HTTPResponse(status: status, headerFields: [.connection: "close", .contentLength: "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// First in a connection's pipeline: tells `RequestGuard` how many bytes each read brought,
/// before the HTTP decoder consumes them.
final class ReadCounter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    struct BytesRead: Sendable {
        var count: Int
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireUserInboundEventTriggered(BytesRead(count: unwrapInboundIn(data).readableBytes))
        context.fireChannelRead(data)
    }
}
