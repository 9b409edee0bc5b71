import Foundation
import Testing
@testable import TandemWeb

@Suite("login throttle")
struct LoginThrottleTests {
    @Test("after the free failures each further one doubles the wait, per user and per address; success clears it")
    func delays() {
        var throttle = LoginThrottle()
        let now = Date(timeIntervalSince1970: 1_000_000)
        let keys: [LoginThrottle.Key] = [.user("alice"), .address("10.0.0.1")]
        for _ in 0..<2 { throttle.recordFailure(keys, now: now) }
        #expect(throttle.retryAfter(keys, now: now) == nil)
        throttle.recordFailure(keys, now: now)
        #expect(throttle.retryAfter(keys, now: now) == 1)
        throttle.recordFailure(keys, now: now)
        #expect(throttle.retryAfter(keys, now: now) == 2)
        // Another address guessing the same user is blocked too; another user from a fresh address is not.
        #expect(throttle.retryAfter([.user("alice"), .address("10.0.0.2")], now: now) == 2)
        #expect(throttle.retryAfter([.user("bob"), .address("10.0.0.2")], now: now) == nil)
        for _ in 0..<20 { throttle.recordFailure(keys, now: now) }
        #expect(throttle.retryAfter(keys, now: now) == throttle.maximumDelay)
        throttle.recordSuccess(keys)
        #expect(throttle.retryAfter(keys, now: now) == nil)
    }

    @Test("memory stays bounded under a flood of addresses")
    func bounded() {
        var throttle = LoginThrottle()
        throttle.capacity = 100
        let now = Date()
        for address in 0..<1_000 { throttle.recordFailure([.address("\(address)")], now: now) }
        #expect(throttle.entries.count <= 100)
    }
}
