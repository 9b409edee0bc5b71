import Foundation

/// A study's reading status as the reading room shows it: unread, in progress (by whom, since
/// when, last heartbeat), or read (by whom, when).
struct ReadingStatus: Codable, Equatable, Sendable {
    var state: ReadingState
    var user: String?
    var since: Date?
    var heartbeat: Date?

    static let unread = ReadingStatus(state: .unread)
}

/// What a radiologist does to a study's status.
enum ReadingAction: String, Codable, CaseIterable, Sendable {
    /// Start reading an unread study.
    case claim
    /// Start reading a study someone else has in progress (the page asks for confirmation first).
    case takeOver = "take-over"
    /// Stop reading without finishing: unread again.
    case release
    /// Finished: read.
    case complete = "read"
    /// A read study goes back to unread (e.g. to be read again).
    case reopen
    /// The viewer is still open (every `[web] reading_timeout` / 4); not audited.
    case heartbeat
}

/// The reading status's transitions, pure: the effective current status (timeouts applied), an
/// action by a user, the time → what to store and whether it is a change to audit. Evaluated
/// inside one write transaction, so of two radiologists claiming at once exactly one wins.
enum ReadingTransition {
    enum Outcome: Equatable {
        /// A new status, audited.
        case changed(ReadingStatus)
        /// The holder's heartbeat is renewed; the status is otherwise the same (not audited).
        case renewed(ReadingStatus)
        /// Nothing to do: the study is already as asked.
        case unchanged(ReadingStatus)
        /// Not allowed from the current status (409), which is returned so the page can show it.
        case conflict(reason: String, current: ReadingStatus)
    }

    static func apply(_ action: ReadingAction, by user: String, to current: ReadingStatus, at now: Date) -> Outcome {
        let mine = ReadingStatus(state: .inProgress, user: user, since: now, heartbeat: now)
        let heldByMe = current.state == .inProgress && current.user == user
        var renewed = current
        renewed.heartbeat = now
        switch (action, current.state) {
        case (.claim, .unread), (.takeOver, .unread), (.heartbeat, .unread):
            return .changed(mine)
        case (.claim, .inProgress) where heldByMe, (.takeOver, .inProgress) where heldByMe,
             (.heartbeat, .inProgress) where heldByMe:
            return .renewed(renewed)
        case (.claim, .inProgress):
            return .conflict(reason: "in progress by \(current.user ?? "someone else")", current: current)
        case (.takeOver, .inProgress):
            return .changed(mine)
        case (.heartbeat, .inProgress):
            return .conflict(reason: "taken over by \(current.user ?? "someone else")", current: current)
        case (.claim, .read), (.takeOver, .read), (.heartbeat, .read):
            return .conflict(reason: "already read by \(current.user ?? "someone")", current: current)
        case (.release, .inProgress) where heldByMe:
            return .changed(.unread)
        case (.release, .unread), (.release, .read):
            return .unchanged(current)
        case (.release, .inProgress):
            return .conflict(reason: "in progress by \(current.user ?? "someone else")", current: current)
        case (.complete, .unread):
            return .changed(ReadingStatus(state: .read, user: user, since: now))
        case (.complete, .inProgress) where heldByMe:
            return .changed(ReadingStatus(state: .read, user: user, since: now))
        case (.complete, .inProgress):
            return .conflict(reason: "in progress by \(current.user ?? "someone else"): take it over first", current: current)
        case (.complete, .read):
            return .unchanged(current)
        case (.reopen, .read):
            return .changed(.unread)
        case (.reopen, .unread), (.reopen, .inProgress):
            return .unchanged(current)
        }
    }
}
