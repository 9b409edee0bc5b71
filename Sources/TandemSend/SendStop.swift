import NIOConcurrencyHelpers

/// Asks a running `StoreSender.send` to stop after the file in flight. Not task cancellation,
/// which would also interrupt the wait for that file's response and leave its fate unknown.
public final class SendStop: Sendable {
    private let requested = NIOLockedValueBox(false)

    public init() {}

    public func request() {
        requested.withLockedValue { $0 = true }
    }

    public var isRequested: Bool {
        requested.withLockedValue { $0 }
    }
}

/// The sends under way, by an ID of the caller's (a routing job), so that one stop ends them
/// all: each finishes the file in flight and releases its association.
public final class SendRegistry: Sendable {
    private struct State {
        var running: [Int64: SendStop] = [:]
        var stopping = false
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// The stop switch of a new send, already thrown when the registry is stopping.
    public func register(_ id: Int64) -> SendStop {
        let stop = SendStop()
        let stopNow = state.withLockedValue { state in
            state.running[id] = stop
            return state.stopping
        }
        if stopNow { stop.request() }
        return stop
    }

    public func remove(_ id: Int64) {
        _ = state.withLockedValue { $0.running.removeValue(forKey: id) }
    }

    /// Stops every send under way and any that registers later.
    public func stopAll() {
        let stops = state.withLockedValue { state in
            state.stopping = true
            return Array(state.running.values)
        }
        for stop in stops { stop.request() }
    }

    public var isStopping: Bool {
        state.withLockedValue { $0.stopping }
    }
}
