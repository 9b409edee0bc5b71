/// Asynchronous operations window negotiation (PS3.7 §D.3.3.3). Without the item, or with it
/// answered 1/1, each side has one operation outstanding at a time. Zero means unlimited, which
/// this implementation never grants nor assumes: an unlimited window is capped at our own limit.
extension AsynchronousOperationsWindow {
    /// The acceptor's answer to a proposal: the requestor may invoke no more than it proposed
    /// nor more than `limit` (the standard lets the acceptor lower both values, never raise them);
    /// it may perform one operation at a time (this side invokes its sub-operations one by one).
    /// No proposal gets no answer.
    static func answer(to proposal: AsynchronousOperationsWindow?, limit: UInt16) -> AsynchronousOperationsWindow? {
        guard let proposal else { return nil }
        return AsynchronousOperationsWindow(
            maximumOperationsInvoked: Self.bounded(proposal.maximumOperationsInvoked, by: limit),
            maximumOperationsPerformed: 1)
    }

    /// The requestor's proposal for a limit; none for 1, the default both sides assume.
    static func proposal(limit: UInt16) -> AsynchronousOperationsWindow? {
        limit > 1 ? AsynchronousOperationsWindow(maximumOperationsInvoked: limit, maximumOperationsPerformed: 1) : nil
    }

    /// How many operations the requestor may have outstanding once `answer` came back to
    /// `proposal`: 1 when either is missing; an answer above the proposal (or unlimited) is
    /// held to the proposal.
    static func invokedLimit(proposal: AsynchronousOperationsWindow?, answer: AsynchronousOperationsWindow?) -> Int {
        guard let proposal, let answer else { return 1 }
        let proposed = proposal.maximumOperationsInvoked == 0 ? UInt16.max : proposal.maximumOperationsInvoked
        return Int(Self.bounded(answer.maximumOperationsInvoked, by: proposed))
    }

    /// `value` held to 1…`limit`, zero (unlimited) counting as the largest.
    private static func bounded(_ value: UInt16, by limit: UInt16) -> UInt16 {
        max(1, value == 0 ? limit : min(value, limit))
    }
}

/// The operations one side has outstanding on an association, by Message ID, within the
/// negotiated window (PS3.7 §D.3.3.3): a value type without I/O, kept by the sender for its
/// C-STOREs awaiting responses and by the receiver for the C-STOREs it performs.
public struct OperationsInFlight<Operation> {
    /// The window: most operations outstanding at once.
    public let limit: Int
    /// In invocation order.
    private var operations: [(messageID: UInt16, operation: Operation)] = []

    public init(limit: Int) {
        precondition(limit >= 1, "a window holds at least one operation")
        self.limit = limit
    }

    public enum Invocation: Equatable, Sendable {
        case accepted
        /// The window is full: one more would exceed what was negotiated.
        case windowFull
        /// An operation with this Message ID is still outstanding (PS3.7 §9.3.1.1: a Message ID
        /// is unique among those outstanding).
        case duplicateMessageID
    }

    public var count: Int { operations.count }
    public var isEmpty: Bool { operations.isEmpty }
    public var isFull: Bool { operations.count >= limit }
    /// What is still outstanding, oldest first.
    public var outstanding: [Operation] { operations.map(\.operation) }

    /// Records an invoked operation; nothing is recorded unless `.accepted`.
    public mutating func invoke(_ messageID: UInt16, _ operation: Operation) -> Invocation {
        guard !operations.contains(where: { $0.messageID == messageID }) else { return .duplicateMessageID }
        guard !isFull else { return .windowFull }
        operations.append((messageID, operation))
        return .accepted
    }

    /// The operation a response to `messageID` completes; nil when none is outstanding under it.
    public mutating func complete(_ messageID: UInt16) -> Operation? {
        guard let position = operations.firstIndex(where: { $0.messageID == messageID }) else { return nil }
        return operations.remove(at: position).operation
    }
}

extension OperationsInFlight: Sendable where Operation: Sendable {}
