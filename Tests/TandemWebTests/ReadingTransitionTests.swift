import Foundation
import Testing
@testable import TandemWeb

@Suite("reading status transitions")
struct ReadingTransitionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let earlier = Date(timeIntervalSince1970: 1_799_999_000)

    func held(by user: String) -> ReadingStatus {
        ReadingStatus(state: .inProgress, user: user, since: earlier, heartbeat: earlier)
    }

    @Test("unread → claimed → read by the reader; reopen makes it unread")
    func happyPath() {
        let mine = ReadingStatus(state: .inProgress, user: "ann", since: now, heartbeat: now)
        #expect(ReadingTransition.apply(.claim, by: "ann", to: .unread, at: now) == .changed(mine))
        #expect(ReadingTransition.apply(.complete, by: "ann", to: held(by: "ann"), at: now)
                == .changed(ReadingStatus(state: .read, user: "ann", since: now)))
        let read = ReadingStatus(state: .read, user: "ann", since: earlier)
        #expect(ReadingTransition.apply(.reopen, by: "bob", to: read, at: now) == .changed(.unread))
        #expect(ReadingTransition.apply(.release, by: "ann", to: held(by: "ann"), at: now) == .changed(.unread))
    }

    @Test("the holder's claim and heartbeat renew the heartbeat only, keeping since")
    func renew() {
        var renewed = held(by: "ann")
        renewed.heartbeat = now
        #expect(ReadingTransition.apply(.heartbeat, by: "ann", to: held(by: "ann"), at: now) == .renewed(renewed))
        #expect(ReadingTransition.apply(.claim, by: "ann", to: held(by: "ann"), at: now) == .renewed(renewed))
    }

    @Test("someone else's study: claim, release, read and heartbeat are refused with the holder; take-over succeeds")
    func othersStudy() {
        let bobs = held(by: "bob")
        for action in [ReadingAction.claim, .release, .complete, .heartbeat] {
            guard case .conflict(let reason, let current) = ReadingTransition.apply(action, by: "ann", to: bobs, at: now) else {
                Issue.record("\(action) was not refused")
                continue
            }
            #expect(reason.contains("bob") && current == bobs, "\(action)")
        }
        #expect(ReadingTransition.apply(.takeOver, by: "ann", to: bobs, at: now)
                == .changed(ReadingStatus(state: .inProgress, user: "ann", since: now, heartbeat: now)))
    }

    @Test("a read study cannot be claimed or taken over; no-ops change nothing")
    func readAndNoOps() {
        let read = ReadingStatus(state: .read, user: "bob", since: earlier)
        for action in [ReadingAction.claim, .takeOver, .heartbeat] {
            guard case .conflict = ReadingTransition.apply(action, by: "ann", to: read, at: now) else {
                Issue.record("\(action) on a read study was not refused")
                continue
            }
        }
        #expect(ReadingTransition.apply(.complete, by: "ann", to: read, at: now) == .unchanged(read))
        #expect(ReadingTransition.apply(.release, by: "ann", to: .unread, at: now) == .unchanged(.unread))
        #expect(ReadingTransition.apply(.reopen, by: "ann", to: .unread, at: now) == .unchanged(.unread))
    }

    @Test("a heartbeat that finds the study unread (its claim lapsed) claims it again")
    func lapsedHeartbeat() {
        #expect(ReadingTransition.apply(.heartbeat, by: "ann", to: .unread, at: now)
                == .changed(ReadingStatus(state: .inProgress, user: "ann", since: now, heartbeat: now)))
    }
}
