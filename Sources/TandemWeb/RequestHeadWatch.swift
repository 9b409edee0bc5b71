/// One connection's bounds on request heads, against slow-loris clients and unbounded heads: a
/// head (request line and header fields) must be complete within a deadline counted from its
/// first byte (the first head: from the connection's opening, so a client that connects and says
/// nothing, or stalls its TLS handshake, is cut off too), and within a number of bytes. Between
/// requests a keep-alive connection is governed by the idle timeout instead. Pure: `RequestGuard` feeds it the connection's events
/// and carries out the actions.
struct RequestHeadWatch: Equatable {
    enum Phase: Equatable {
        /// No byte of the next request yet.
        case betweenRequests
        /// `bytes` of a head read so far, the head not yet complete.
        case readingHead(bytes: Int)
        /// The head is complete; its body (if any) is being read.
        case readingBody
    }

    enum Action: Equatable {
        case none
        case startDeadline
        case cancelDeadline
        /// Answer with this status (when no response is under way) and close the connection.
        case refuse(Refusal)
    }

    enum Refusal: Equatable {
        /// 408: the head did not arrive within the deadline.
        case headTooSlow
        /// 431: the head grew past the byte limit.
        case headTooLarge
    }

    let maximumHeadBytes: Int
    private(set) var phase = Phase.betweenRequests

    init(maximumHeadBytes: Int) {
        self.maximumHeadBytes = maximumHeadBytes
    }

    /// The connection opened: its first head is timed from now.
    mutating func connectionOpened() -> Action {
        phase = .readingHead(bytes: 0)
        return .startDeadline
    }

    /// `count` bytes arrived from the client, before the HTTP decoder sees them.
    mutating func bytesArrived(_ count: Int) -> Action {
        switch phase {
        case .betweenRequests:
            phase = .readingHead(bytes: count)
            return .startDeadline
        case .readingHead(let bytes):
            phase = .readingHead(bytes: bytes + count)
            return .none
        case .readingBody:
            return .none
        }
    }

    /// The decoder has taken in everything read so far: a head still incomplete past the limit is
    /// refused (a head that completed in these bytes has moved the phase on).
    func readComplete() -> Action {
        guard case .readingHead(let bytes) = phase, bytes > maximumHeadBytes else { return .none }
        return .refuse(.headTooLarge)
    }

    /// The decoder produced a request head.
    mutating func headDecoded() -> Action {
        let wasTimed = phase != .readingBody
        phase = .readingBody
        return wasTimed ? .cancelDeadline : .none
    }

    /// The decoder produced the end of a request: the next byte starts the next head.
    mutating func requestEnded() {
        if phase == .readingBody { phase = .betweenRequests }
    }

    mutating func deadlinePassed() -> Action {
        guard case .readingHead = phase else { return .none }
        return .refuse(.headTooSlow)
    }
}
