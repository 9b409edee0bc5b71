import NIOConcurrencyHelpers
import NIOCore

/// Times out waiting for a PDU: armed while the association awaits one, it fires an
/// `UpperLayerTimeout` into the pipeline (ending the inbound stream) if none arrives in time.
///
/// Arming and disarming only store a deadline: one task scheduled on the channel's event loop
/// checks it when it wakes and, finding a later deadline, sleeps on until then. A PDU read thus
/// costs no event-loop hop; one is taken only when no wake-up is due by the new deadline (the
/// first arming, or a shorter timer after a longer one). A PDU passing through clears the
/// deadline on the event loop, where the wake-up runs, so a PDU and a firing cannot race.
final class UpperLayerTimer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = PDU
    typealias InboundOut = PDU

    private struct Deadlines {
        /// When the armed timer expires, and as what; nil while disarmed.
        var expiry: (at: NIODeadline, kind: UpperLayerTimeout)?
        /// When the scheduled task wakes up; nil while none is scheduled.
        var wakeUp: NIODeadline?
    }

    private let deadlines = NIOLockedValueBox(Deadlines())
    private let eventLoop: EventLoop
    // Touched only on `eventLoop`.
    private var context: ChannelHandlerContext?
    private var scheduled: Scheduled<Void>?

    init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        disarm()
        context.fireChannelRead(data)
    }

    func arm(_ timeout: TimeAmount, kind: UpperLayerTimeout) {
        let expiry = eventLoop.now + timeout
        let needsEarlierWakeUp = deadlines.withLockedValue { deadlines in
            deadlines.expiry = (expiry, kind)
            if let wakeUp = deadlines.wakeUp, wakeUp <= expiry { return false }
            deadlines.wakeUp = expiry
            return true
        }
        if needsEarlierWakeUp { eventLoop.execute { self.scheduleWakeUp() } }
    }

    func disarm() {
        deadlines.withLockedValue { $0.expiry = nil }
    }

    /// On the event loop: (re)schedules the task for the wake-up now recorded, which the latest
    /// arming set (two armings' hops may run in either order).
    private func scheduleWakeUp() {
        guard context != nil, let wakeUp = deadlines.withLockedValue({ $0.wakeUp }) else { return }
        scheduled?.cancel()
        scheduled = eventLoop.scheduleTask(deadline: wakeUp) { self.wake() }
    }

    /// On the event loop: fires if the armed deadline has passed, sleeps on if it moved later,
    /// and stops when disarmed.
    private func wake() {
        enum Outcome { case fire(UpperLayerTimeout), sleepOn, stop }
        scheduled = nil
        let now = eventLoop.now
        let outcome = deadlines.withLockedValue { deadlines -> Outcome in
            guard let expiry = deadlines.expiry else {
                deadlines.wakeUp = nil
                return .stop
            }
            guard expiry.at <= now else {
                deadlines.wakeUp = expiry.at
                return .sleepOn
            }
            deadlines.expiry = nil
            deadlines.wakeUp = nil
            return .fire(expiry.kind)
        }
        switch outcome {
        case .fire(let kind): context?.fireErrorCaught(kind)
        case .sleepOn: scheduleWakeUp()
        case .stop: break
        }
    }
}
