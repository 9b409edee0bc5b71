import NIOConcurrencyHelpers

/// Requests this side sent on an association it serves (a C-GET's C-STORE sub-operations,
/// storage commitment's N-EVENT-REPORT), awaiting the responses the router reads and hands over
/// by Message ID Being Responded To.
final class ResponseWaiters: Sendable {
    private enum Slot {
        case expected
        case waiting(CheckedContinuation<DIMSECommand, any Error>)
        case arrived(DIMSECommand)
    }

    private struct State {
        var slots: [UInt16: Slot] = [:]
        var ended: (any Error)?
    }

    private let state = NIOLockedValueBox(State())

    /// Expects a response to `messageID`; called before the request goes out, so the response
    /// cannot arrive unexpected.
    func expect(_ messageID: UInt16) throws {
        try state.withLockedValue { state in
            if let ended = state.ended { throw ended }
            state.slots[messageID] = .expected
        }
    }

    func response(to messageID: UInt16) async throws -> DIMSECommand {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<DIMSECommand, any Error>? = state.withLockedValue { state in
                if case .arrived(let response) = state.slots[messageID] {
                    state.slots[messageID] = nil
                    return .success(response)
                }
                if let ended = state.ended { return .failure(ended) }
                state.slots[messageID] = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Hands a response over; false when no request of this side awaits it.
    func deliver(_ response: DIMSECommand, to messageID: UInt16) -> Bool {
        let (expected, waiter): (Bool, CheckedContinuation<DIMSECommand, any Error>?) = state.withLockedValue { state in
            switch state.slots[messageID] {
            case .expected:
                state.slots[messageID] = .arrived(response)
                return (true, nil)
            case .waiting(let continuation):
                state.slots[messageID] = nil
                return (true, continuation)
            case .arrived, nil:
                return (false, nil)
            }
        }
        waiter?.resume(returning: response)
        return expected
    }

    /// Whether the association has ended (released, aborted or closed).
    var hasEnded: Bool { state.withLockedValue { $0.ended != nil } }

    /// The association ended, or the peer released it: every request still awaiting its response,
    /// and every later one, fails with `error` (the first given, when ended twice).
    func end(_ error: any Error) {
        let waiters = state.withLockedValue { state in
            if state.ended == nil { state.ended = error }
            let waiters = state.slots.values.compactMap { slot -> CheckedContinuation<DIMSECommand, any Error>? in
                if case .waiting(let continuation) = slot { return continuation }
                return nil
            }
            state.slots = [:]
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
