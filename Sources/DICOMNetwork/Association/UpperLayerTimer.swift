import NIOCore

/// Times out waiting for a PDU: armed while the association awaits one, it fires an
/// `UpperLayerTimeout` into the pipeline (ending the inbound stream) if none arrives in time.
/// Any PDU passing through cancels it, on the event loop, so a PDU and a firing cannot race.
final class UpperLayerTimer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = PDU
    typealias InboundOut = PDU

    // Touched only on `eventLoop`; the public entry points hop there.
    private var context: ChannelHandlerContext?
    private var scheduled: Scheduled<Void>?
    private let eventLoop: EventLoop

    init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        scheduled?.cancel()
        scheduled = nil
        context.fireChannelRead(data)
    }

    func arm(_ timeout: TimeAmount, kind: UpperLayerTimeout) {
        eventLoop.execute {
            self.scheduled?.cancel()
            self.scheduled = self.eventLoop.scheduleTask(in: timeout) {
                self.scheduled = nil
                self.context?.fireErrorCaught(kind)
            }
        }
    }

    func disarm() {
        eventLoop.execute {
            self.scheduled?.cancel()
            self.scheduled = nil
        }
    }
}
