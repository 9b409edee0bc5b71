import NIOCore
import Testing
@testable import TandemWeb

@Suite("request head watch")
struct RequestHeadWatchTests {
    @Test("the deadline starts at a head's first byte and ends with the head; a keep-alive pause between requests is not timed")
    func deadlineFollowsHeads() {
        var watch = RequestHeadWatch(maximumHeadBytes: 100)
        #expect(watch.deadlinePassed() == .none)
        #expect(watch.bytesArrived(10) == .startDeadline)
        #expect(watch.bytesArrived(10) == .none)
        #expect(watch.readComplete() == .none)
        #expect(watch.headDecoded() == .cancelDeadline)
        // Body bytes are not a head: no deadline, no size limit.
        #expect(watch.bytesArrived(1_000) == .none)
        #expect(watch.readComplete() == .none)
        #expect(watch.deadlinePassed() == .none)
        watch.requestEnded()
        #expect(watch.phase == .betweenRequests)
        #expect(watch.deadlinePassed() == .none)
        #expect(watch.bytesArrived(1) == .startDeadline)
        #expect(watch.deadlinePassed() == .refuse(.headTooSlow))
    }

    @Test("the first head is timed from the connection's opening: a client that never sends (or stalls its TLS handshake) is refused")
    func firstHeadFromOpening() {
        var silent = RequestHeadWatch(maximumHeadBytes: 100)
        #expect(silent.connectionOpened() == .startDeadline)
        #expect(silent.deadlinePassed() == .refuse(.headTooSlow))

        var prompt = RequestHeadWatch(maximumHeadBytes: 100)
        _ = prompt.connectionOpened()
        #expect(prompt.bytesArrived(60) == .none)  // already timed
        #expect(prompt.headDecoded() == .cancelDeadline)
        #expect(prompt.deadlinePassed() == .none)
    }

    @Test("a head still incomplete past the byte limit is refused; one completed in the same read is not")
    func headSize() {
        var growing = RequestHeadWatch(maximumHeadBytes: 100)
        _ = growing.bytesArrived(60)
        #expect(growing.readComplete() == .none)
        _ = growing.bytesArrived(60)
        #expect(growing.readComplete() == .refuse(.headTooLarge))

        var completed = RequestHeadWatch(maximumHeadBytes: 100)
        _ = completed.bytesArrived(500)  // a 50-byte head and 450 bytes of body in one read
        #expect(completed.headDecoded() == .cancelDeadline)
        #expect(completed.readComplete() == .none)
    }

    @Test("pipelined requests: a head decoded right after the previous end needs no deadline of its own")
    func pipelined() {
        var watch = RequestHeadWatch(maximumHeadBytes: 100)
        _ = watch.bytesArrived(80)
        _ = watch.headDecoded()
        watch.requestEnded()
        #expect(watch.headDecoded() == .cancelDeadline)
        #expect(watch.phase == .readingBody)
        watch.requestEnded()
        #expect(watch.bytesArrived(5) == .startDeadline)
    }
}

@Suite("body rate watch")
struct BodyRateWatchTests {
    let opened = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    @Test("a body has the grace period, then one second more for every minimum rate's worth of bytes")
    func allowanceGrowsWithBytes() {
        var watch = BodyRateWatch(grace: .seconds(20), minimumBytesPerSecond: 500)
        #expect(watch.check(at: opened) == .idle)
        watch.bodyBegan(at: opened)
        #expect(watch.deadline == opened + .seconds(20))
        #expect(watch.check(at: opened + .seconds(19)) == .onTime(until: opened + .seconds(20)))
        watch.bytesArrived(5_000)  // ten seconds' worth
        #expect(watch.check(at: opened + .seconds(25)) == .onTime(until: opened + .seconds(30)))
        #expect(watch.check(at: opened + .seconds(30)) == .tooSlow)
        watch.bodyEnded()
        #expect(watch.check(at: opened + .seconds(1_000)) == .idle)
    }

    @Test("a steady trickle below the rate falls behind after the grace period; one above it never does")
    func steadyTrickle() {
        var slow = BodyRateWatch(grace: .seconds(20), minimumBytesPerSecond: 500)
        var fast = slow
        slow.bodyBegan(at: opened)
        fast.bodyBegan(at: opened)
        var slowVerdicts: [Int64: BodyRateWatch.Verdict] = [:]
        for second in Int64(1)...600 {
            slow.bytesArrived(400)
            fast.bytesArrived(600)
            slowVerdicts[second] = slow.check(at: opened + .seconds(second))
            #expect(fast.check(at: opened + .seconds(second)) != .tooSlow)
        }
        // 400 B/s earns 0.8 s a second: behind once 20 s + 0.8 t <= t, at t = 100 s.
        #expect(slowVerdicts[99] != .tooSlow)
        #expect(slowVerdicts[100] == .tooSlow)
    }

    @Test("the next request's body starts its own allowance; bytes between bodies earn nothing")
    func nextBody() {
        var watch = BodyRateWatch(grace: .seconds(2), minimumBytesPerSecond: 100)
        watch.bytesArrived(1_000)
        #expect(watch.deadline == nil)
        watch.bodyBegan(at: opened)
        watch.bytesArrived(1_000)
        watch.bodyEnded()
        watch.bodyBegan(at: opened + .seconds(60))
        #expect(watch.deadline == opened + .seconds(62))
    }
}
