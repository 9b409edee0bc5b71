import NIOConcurrencyHelpers

/// One operation the requestor invoked and this side performs, which a C-CANCEL-RQ naming its
/// Message ID marks cancelled (only C-FIND, C-GET and C-MOVE heed it, PS3.7 §9.3.2.3).
final class RunningOperation: Sendable {
    let messageID: UInt16
    private let cancelled = NIOLockedValueBox(false)

    init(messageID: UInt16) { self.messageID = messageID }

    var isCancelled: Bool { cancelled.withLockedValue { $0 } }
    func cancel() { cancelled.withLockedValue { $0 = true } }
}

/// The operations an association's router performs, whatever their kind, within the negotiated
/// asynchronous operations window (PS3.7 §D.3.3.3): each from the moment its request is read
/// until just before its final response goes out, so the requestor may invoke the next one as
/// soon as it reads that response. Without a window (1) this is one operation at a time. The
/// answer to the peer's A-RELEASE-RQ waits until none is outstanding.
final class RunningOperations: Sendable {
    private struct State {
        var window: OperationsInFlight<RunningOperation>
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    enum Invocation {
        case accepted(RunningOperation)
        case windowFull
        case duplicateMessageID
    }

    private let state: NIOLockedValueBox<State>

    init(limit: Int) {
        state = NIOLockedValueBox(State(window: OperationsInFlight(limit: limit)))
    }

    var count: Int { state.withLockedValue { $0.window.count } }

    /// Records the request `messageID`; nothing is recorded unless `.accepted`.
    func invoke(_ messageID: UInt16) -> Invocation {
        let operation = RunningOperation(messageID: messageID)
        switch state.withLockedValue({ $0.window.invoke(messageID, operation) }) {
        case .accepted: return .accepted(operation)
        case .windowFull: return .windowFull
        case .duplicateMessageID: return .duplicateMessageID
        }
    }

    /// The operation is over (its final response about to go, or the association ending). Call
    /// it exactly once per accepted invocation: the Message ID may be reused right after.
    func complete(_ operation: RunningOperation) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            _ = state.window.complete(operation.messageID)
            guard state.window.isEmpty else { return [] }
            defer { state.drainWaiters = [] }
            return state.drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// C-CANCEL-RQ: a Message ID no longer outstanding (its final response crossed the cancel) is ignored.
    func cancel(messageID: UInt16) {
        state.withLockedValue { state in state.window.outstanding.first { $0.messageID == messageID } }?.cancel()
    }

    func cancelAll() {
        for operation in state.withLockedValue({ $0.window.outstanding }) { operation.cancel() }
    }

    /// Returns once no operation is outstanding. Every operation completes, failed or not, so
    /// this cannot wait forever on one that ended.
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
