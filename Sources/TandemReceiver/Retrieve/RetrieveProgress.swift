import DICOMNetwork
import NIOConcurrencyHelpers

/// The tally of a retrieve under way, shared by the task performing its sub-operations and the
/// task reporting them to the requestor.
final class RetrieveProgress: Sendable {
    private struct State {
        var tally: SubOperationTally
        /// Why sub-operations failed, the first reason given (the final response's Error Comment).
        var failureReason: String?
        var finished = false
    }

    private let state: NIOLockedValueBox<State>

    init(total: Int) {
        state = NIOLockedValueBox(State(tally: SubOperationTally(total: total)))
    }

    var tally: SubOperationTally { state.withLockedValue { $0.tally } }
    var failureReason: String? { state.withLockedValue { $0.failureReason } }
    var isFinished: Bool { state.withLockedValue { $0.finished } }

    func record(_ outcome: SubOperationTally.Outcome, sopInstanceUID: String, reason: String? = nil) {
        state.withLockedValue { state in
            state.tally.record(outcome, sopInstanceUID: sopInstanceUID)
            if outcome == .failed, state.failureReason == nil { state.failureReason = reason }
        }
    }

    /// Runs `perform` (the sub-operations) while pending responses go to the requestor: when the
    /// counts changed, at most five a second, and at least one a second while nothing changes
    /// (PS3.4 C.4.2.1.6 lets the SCP choose; a second keeps a requestor's timeout at bay).
    /// A C-CANCEL, or the requestor's association failing, calls `stop`; `perform` then ends
    /// after the sub-operation in flight.
    func run(reportingTo responder: RetrieveResponder, stop: @escaping @Sendable () -> Void,
             _ perform: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup { group in
            group.addTask {
                defer { self.state.withLockedValue { $0.finished = true } }
                try await perform()
            }
            group.addTask {
                do {
                    try await self.reportPending(to: responder, stop: stop)
                } catch {
                    stop()
                    throw error
                }
            }
            try await group.waitForAll()
        }
    }

    private func reportPending(to responder: RetrieveResponder, stop: @Sendable () -> Void) async throws {
        let clock = ContinuousClock()
        var lastSent = clock.now
        var lastCounts = tally.pendingCounts
        // Polled, not cancelled: a pending response is never cut off half-written.
        while !isFinished {
            try? await Task.sleep(for: .milliseconds(20))
            if Task.isCancelled {  // the association is going away
                stop()
                return
            }
            if responder.isCancelled { stop() }
            let counts = tally.pendingCounts
            let elapsed = clock.now - lastSent
            guard !isFinished, (counts != lastCounts && elapsed >= .milliseconds(200)) || elapsed >= .seconds(1) else { continue }
            try await responder.pending(counts)
            lastSent = clock.now
            lastCounts = counts
        }
    }
}
