import NIOConcurrencyHelpers

/// One operation being performed in its own task (C-FIND, C-GET, C-MOVE), which a C-CANCEL-RQ
/// naming its Message ID marks cancelled.
final class RunningOperation: Sendable {
    let messageID: UInt16
    private let cancelled = NIOLockedValueBox(false)

    init(messageID: UInt16) { self.messageID = messageID }

    var isCancelled: Bool { cancelled.withLockedValue { $0 } }
    func cancel() { cancelled.withLockedValue { $0 = true } }
}

/// The operations of one association being performed, by Message ID.
final class RunningOperations: Sendable {
    private let operations = NIOLockedValueBox<[UInt16: RunningOperation]>([:])

    var isEmpty: Bool { operations.withLockedValue { $0.isEmpty } }

    func start(_ messageID: UInt16) -> RunningOperation {
        let operation = RunningOperation(messageID: messageID)
        operations.withLockedValue { $0[messageID] = operation }
        return operation
    }

    /// Called before the final response goes out, so the requestor's next request (which may
    /// follow it at once) finds no operation running.
    func finish(_ operation: RunningOperation) {
        operations.withLockedValue { _ = $0.removeValue(forKey: operation.messageID) }
    }

    /// C-CANCEL-RQ: a Message ID no longer running (its final response crossed the cancel) is ignored.
    func cancel(messageID: UInt16) {
        operations.withLockedValue { $0[messageID] }?.cancel()
    }

    func cancelAll() {
        for operation in operations.withLockedValue({ Array($0.values) }) { operation.cancel() }
    }
}
