import NIOCore

/// One request body's minimum data rate, against clients that send a body slowly but steadily
/// (each piece within the idle timeout) and so would hold a connection forever. The rule is
/// Apache mod_reqtimeout's `MinRate`: a body may take a grace period, plus one second for every
/// `minimumBytesPerSecond` bytes it has brought so far. Pure: `RequestGuard` feeds it the times
/// and byte counts and arms a timer at `deadline`.
struct BodyRateWatch: Equatable {
    enum Verdict: Equatable {
        /// No body is being read.
        case idle
        /// The body is keeping up so far; look again at this time if nothing changes.
        case onTime(until: NIODeadline)
        /// The body fell behind the minimum rate: answer 408 and close.
        case tooSlow
    }

    let grace: TimeAmount
    let minimumBytesPerSecond: Int64
    private(set) var began: NIODeadline?
    private(set) var bytes: Int64 = 0

    /// `minimumBytesPerSecond` must be positive: a rate of 0 (`[web] body_min_rate = 0`) means
    /// no watch at all.
    init(grace: TimeAmount, minimumBytesPerSecond: Int64) {
        precondition(minimumBytesPerSecond > 0)
        self.grace = grace
        self.minimumBytesPerSecond = minimumBytesPerSecond
    }

    /// A request head was decoded: its body, if any, is timed from now.
    mutating func bodyBegan(at now: NIODeadline) {
        began = now
        bytes = 0
    }

    mutating func bytesArrived(_ count: Int) {
        guard began != nil else { return }
        bytes += Int64(count)
    }

    mutating func bodyEnded() {
        began = nil
        bytes = 0
    }

    /// When the body falls behind if no more bytes come; nil when no body is being read.
    var deadline: NIODeadline? {
        guard let began else { return nil }
        let earnedNanoseconds = Double(bytes) / Double(minimumBytesPerSecond) * 1e9
        // A body within any sane size earns far less than this; the cap keeps the sum from overflowing.
        let earned = TimeAmount.nanoseconds(Int64(min(earnedNanoseconds, 1e17)))
        return began + grace + earned
    }

    func check(at now: NIODeadline) -> Verdict {
        guard let deadline else { return .idle }
        return now >= deadline ? .tooSlow : .onTime(until: deadline)
    }
}
