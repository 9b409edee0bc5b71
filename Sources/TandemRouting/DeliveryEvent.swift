import TandemSend

/// What a delivery waits for, on one `AsyncStream`: a file's result from the sender, the
/// sender's end with its association-level failures, or a wake-up of the record timer.
enum DeliveryEvent: Sendable {
    case result(FileResult)
    case finished([SendFailure])
    case wakeUp

    /// Where the sender reports: each file's result goes onto the stream as it arrives.
    struct Sink: FileResultSink {
        let continuation: AsyncStream<DeliveryEvent>.Continuation

        func report(_ result: FileResult) {
            continuation.yield(.result(result))
        }
    }
}

/// When a delivery records next: pending results once `flushInterval` has passed since the last
/// record; with nothing pending, a renewal of the claim once `renewalInterval` has.
struct RecordSchedule: Sendable {
    let flushInterval: Duration
    let renewalInterval: Duration
    var lastRecord: ContinuousClock.Instant

    func nextRecord(hasPending: Bool) -> ContinuousClock.Instant {
        lastRecord + (hasPending ? flushInterval : renewalInterval)
    }
}

/// The record timer: one wake-up armed at a time, yielded onto the delivery's stream. Re-arming
/// for the same instant keeps the armed one; a wake-up that fires early or late only makes the
/// consumer look at the schedule again.
struct DeliveryWakeUp {
    let continuation: AsyncStream<DeliveryEvent>.Continuation
    private var armed: (at: ContinuousClock.Instant, task: Task<Void, Never>)?

    init(continuation: AsyncStream<DeliveryEvent>.Continuation) {
        self.continuation = continuation
    }

    mutating func arm(at instant: ContinuousClock.Instant) {
        if armed?.at == instant { return }
        armed?.task.cancel()
        armed = (instant, Task { [continuation] in
            guard (try? await Task.sleep(until: instant, clock: .continuous)) != nil else { return }
            continuation.yield(.wakeUp)
        })
    }

    mutating func cancel() {
        armed?.task.cancel()
        armed = nil
    }
}
