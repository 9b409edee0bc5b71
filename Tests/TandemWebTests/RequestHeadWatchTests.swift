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
