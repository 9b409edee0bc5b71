import NIOCore

/// First in an accepted connection's pipeline: enforces `ConnectionAdmission`'s decision.
///
/// A refused connection is closed as soon as it is active, before anything is read. An admitted
/// one may send at most `maximumAssociateRQBytes` until its association is accepted; more is
/// answered with A-ABORT and the connection closed, and nothing past the bound is buffered. Its
/// unassociated place is given back when the association is accepted or the connection closes.
final class AdmissionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let ticket: AdmissionTicket?
    private let byteLimit: Int
    private var bytesBeforeAssociation = 0
    private var overLimit = false

    /// `ticket` nil: the connection was refused and is closed once active.
    init(ticket: AdmissionTicket?, byteLimit: Int) {
        self.ticket = ticket
        self.byteLimit = byteLimit
    }

    func channelActive(context: ChannelHandlerContext) {
        guard ticket != nil else {
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ticket?.release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ticket?.release()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let ticket, !overLimit else { return }
        if ticket.isUnassociated {
            bytesBeforeAssociation += unwrapInboundIn(data).readableBytes
            if bytesBeforeAssociation > byteLimit {
                // Answered here, at once: the association may be waiting on the service's decision.
                overLimit = true
                let abort = PDU.abort(AAbort(source: .serviceProvider, reason: .invalidPDUParameterValue))
                if let bytes = try? abort.encode() {
                    context.writeAndFlush(NIOAny(ByteBuffer(bytes: bytes)), promise: nil)
                }
                context.close(promise: nil)
                context.fireErrorCaught(PDUFramingError.tooLongBeforeAssociation(limit: byteLimit))
                return
            }
        }
        context.fireChannelRead(data)
    }
}
