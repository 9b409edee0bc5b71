import NIOConcurrencyHelpers

/// Lets one task at a time send a whole DIMSE message on an association. A message larger than
/// one socket write goes out in several P-DATA-TF writes, between which the sending task
/// suspends; another task's message must not slip in there (PS3.8 §9.3.5: the fragments of a
/// command or data set follow each other). Waiters are served in arrival order.
final class MessageSendLock: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    /// Runs `body` once every message queued before it went out.
    func withLock<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLockedValue { state in
                guard state.held else {
                    state.held = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    /// Hands the lock to the next waiter, if any, which then holds it.
    private func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
