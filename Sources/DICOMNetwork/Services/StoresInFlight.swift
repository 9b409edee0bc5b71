import NIOConcurrencyHelpers

/// The C-STOREs an association's router performs at once within the negotiated asynchronous
/// operations window (PS3.7 §D.3.3.3): each from the moment its request is read until just
/// before its response goes out, so the requestor may invoke the next one as soon as it reads
/// the response. Other requests, and the answer to the peer's A-RELEASE-RQ, wait until none is
/// outstanding.
final class StoresInFlight: Sendable {
    private struct State {
        var window: OperationsInFlight<Void>
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: NIOLockedValueBox<State>

    init(limit: Int) {
        state = NIOLockedValueBox(State(window: OperationsInFlight(limit: limit)))
    }

    func invoke(_ messageID: UInt16) -> OperationsInFlight<Void>.Invocation {
        state.withLockedValue { $0.window.invoke(messageID, ()) }
    }

    func complete(_ messageID: UInt16) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            _ = state.window.complete(messageID)
            guard state.window.isEmpty else { return [] }
            defer { state.drainWaiters = [] }
            return state.drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once no C-STORE is outstanding. Every store completes, failed or not, so this
    /// cannot wait forever on a store that ended.
    func drained() async {
        await withCheckedContinuation { continuation in
            let now = state.withLockedValue { state in
                if state.window.isEmpty { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
