import Foundation
import NIOConcurrencyHelpers

/// The inventory of what a sender is given, taken while the sending goes on: a thread of its own
/// walks the paths and inspects each file (blocking file I/O, kept off Swift's cooperative pool),
/// handing every entry over as soon as it is inspected. The walk runs at most `capacity` entries
/// ahead of the senders, so the first file leaves before the walk ends and a huge folder costs
/// no more memory than a small one.
public final class InventoryFeed: Sendable {
    private struct State {
        var ready: [InventoryEntry] = []
        var takers: [CheckedContinuation<InventoryEntry?, Never>] = []
        var walkEnded = false
        /// Every (SOP class, transfer syntax) pair inspected so far, in the order first seen.
        var keys: [ContextKey] = []
        var knownKeys: Set<ContextKey> = []
    }

    private let state = NIOLockedValueBox(State())
    /// Free places in `ready`; the walking thread waits for one before handing an entry over.
    private let room: DispatchSemaphore

    /// Starts walking `walk` at once. `inspected` sees every entry as it is inspected (a
    /// reporter's running totals), on the walking thread.
    public init(_ walk: FileWalk, capacity: Int = 64,
                inspected: @escaping @Sendable (InventoryEntry) -> Void = { _ in }) {
        room = DispatchSemaphore(value: capacity)
        let walking = Thread { [self] in
            var walk = walk
            while let path = walk.next() {
                let entry = FileInventory.inspect(path: path)
                inspected(entry)
                room.wait()
                hand(entry)
            }
            end()
        }
        walking.name = "inventory walk"
        walking.start()
    }

    /// The next entry in walk order, nil once the walk ended and every entry was taken.
    /// Several senders may take at once; each entry goes to one of them.
    public func next() async -> InventoryEntry? {
        await withCheckedContinuation { (taker: CheckedContinuation<InventoryEntry?, Never>) in
            let taken = state.withLockedValue { state -> InventoryEntry?? in
                if !state.ready.isEmpty { return .some(state.ready.removeFirst()) }
                if state.walkEnded { return .some(nil) }
                state.takers.append(taker)
                return .none
            }
            guard let taken else { return }
            if taken != nil { room.signal() }
            taker.resume(returning: taken)
        }
    }

    /// The keys to propose for an association whose first file has `key`: that key and the
    /// others inspected so far, newest first, at most `limit` in all.
    public func keysToPropose(with key: ContextKey, limit: Int = AssociationPlan.maximumPresentationContexts) -> [ContextKey] {
        let known = state.withLockedValue { $0.keys }
        return [key] + known.reversed().filter { $0 != key }.prefix(limit - 1)
    }

    private func hand(_ entry: InventoryEntry) {
        let taker = state.withLockedValue { state -> CheckedContinuation<InventoryEntry?, Never>? in
            if case .sendable(let file) = entry, state.knownKeys.insert(ContextKey(file)).inserted {
                state.keys.append(ContextKey(file))
            }
            guard !state.takers.isEmpty else {
                state.ready.append(entry)
                return nil
            }
            return state.takers.removeFirst()
        }
        guard let taker else { return }
        room.signal()  // handed straight to a waiting sender: its place stays free
        taker.resume(returning: entry)
    }

    private func end() {
        let takers = state.withLockedValue { state in
            state.walkEnded = true
            defer { state.takers = [] }
            return state.takers
        }
        for taker in takers { taker.resume(returning: nil) }
    }
}
