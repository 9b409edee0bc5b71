import Foundation
import NIOConcurrencyHelpers

/// Slows down password guessing (docs/dicomweb.md, "Users and access"): after `freeFailures`
/// failed sign-ins for one user name, or from one client address, further attempts for it are
/// refused without checking the password until a delay has passed, doubling with each failure
/// up to `maximumDelay`. A success clears the user's and the address's counts. Memory is bounded:
/// past `capacity` keys the stalest are forgotten.
struct LoginThrottle: Sendable {
    struct Entry: Sendable {
        var failures: Int
        var blockedUntil: Date
        var lastFailure: Date
    }

    enum Key: Hashable, Sendable {
        case user(String)
        case address(String)
    }

    var freeFailures = 3
    var baseDelay: TimeInterval = 1
    var maximumDelay: TimeInterval = 60
    var capacity = 10_000
    private(set) var entries: [Key: Entry] = [:]

    /// Seconds to wait before `keys` may try again; nil when they may try now.
    func retryAfter(_ keys: [Key], now: Date) -> TimeInterval? {
        let waits = keys.compactMap { entries[$0] }.map { $0.blockedUntil.timeIntervalSince(now) }.filter { $0 > 0 }
        return waits.max()
    }

    mutating func recordFailure(_ keys: [Key], now: Date) {
        for key in keys {
            var entry = entries[key] ?? Entry(failures: 0, blockedUntil: now, lastFailure: now)
            entry.failures += 1
            entry.lastFailure = now
            let excess = entry.failures - freeFailures
            if excess >= 0 {
                entry.blockedUntil = now.addingTimeInterval(min(baseDelay * pow(2, Double(min(excess, 30))), maximumDelay))
            }
            entries[key] = entry
        }
        if entries.count > capacity { forgetStalest(now: now) }
    }

    mutating func recordSuccess(_ keys: [Key]) {
        for key in keys { entries[key] = nil }
    }

    /// Drops entries no longer blocking, then, if still full, the oldest half.
    private mutating func forgetStalest(now: Date) {
        entries = entries.filter { $0.value.blockedUntil > now }
        if entries.count > capacity {
            let keep = entries.sorted { $0.value.lastFailure > $1.value.lastFailure }.prefix(capacity / 2)
            entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}

/// The throttle shared by every request.
final class SharedLoginThrottle: Sendable {
    private let state = NIOLockedValueBox(LoginThrottle())

    func retryAfter(_ keys: [LoginThrottle.Key]) -> TimeInterval? {
        state.withLockedValue { $0.retryAfter(keys, now: Date()) }
    }

    func recordFailure(_ keys: [LoginThrottle.Key]) {
        state.withLockedValue { $0.recordFailure(keys, now: Date()) }
    }

    func recordSuccess(_ keys: [LoginThrottle.Key]) {
        state.withLockedValue { $0.recordSuccess(keys) }
    }
}
