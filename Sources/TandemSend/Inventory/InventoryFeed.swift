import Foundation
import NIOConcurrencyHelpers

/// The inventory of what a sender is given, taken while the sending goes on: a thread of its own
/// walks the paths and inspects each file (blocking file I/O, kept off Swift's cooperative pool),
/// handing every entry over as soon as it is inspected. The walk runs at most `capacity` entries
/// ahead of the senders, so the first file leaves before the walk ends and a huge folder costs
/// no more memory than a small one. Each sender takes entries as one lane of a `SeriesAffinity`,
/// which keeps a series on the lane that took its first file while other lanes have other work.
public final class InventoryFeed: Sendable {
    private struct State {
        var affinity: SeriesAffinity
        /// The senders waiting for an entry, by lane.
        var takers: [Int: CheckedContinuation<InventoryEntry?, Never>] = [:]
        /// Every (SOP class, transfer syntax) pair inspected so far, in the order first seen.
        var keys: [ContextKey] = []
        var knownKeys: Set<ContextKey> = []
    }

    private let state: NIOLockedValueBox<State>
    /// Free places in the window; the walking thread waits for one before handing an entry over.
    private let room: DispatchSemaphore

    /// Starts walking `walk` at once. `inspected` sees every entry as it is inspected (a
    /// reporter's running totals), on the walking thread.
    public init(_ walk: FileWalk, capacity: Int = 64,
                inspected: @escaping @Sendable (InventoryEntry) -> Void = { _ in }) {
        state = NIOLockedValueBox(State(affinity: SeriesAffinity(horizon: capacity)))
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

    /// The next entry `lane` may take (see `SeriesAffinity`), nil once the walk ended and nothing
    /// is left that the lane may take. Each lane takes one entry at a time; each entry goes to one lane.
    public func next(for lane: Int) async -> InventoryEntry? {
        await withCheckedContinuation { (taker: CheckedContinuation<InventoryEntry?, Never>) in
            let handover = state.withLockedValue { state in
                let handover = state.affinity.request(for: lane)
                if handover == nil { state.takers[lane] = taker }
                return handover
            }
            guard let handover else { return }
            if handover.entry != nil { room.signal() }
            taker.resume(returning: handover.entry)
        }
    }

    /// `lane` takes no more: the series it claimed go to the other lanes.
    public func release(lane: Int) {
        let handovers = state.withLockedValue { state in
            state.affinity.release(lane).compactMap { handover in
                state.takers.removeValue(forKey: handover.lane).map { (handover, $0) }
            }
        }
        for (handover, taker) in handovers {
            room.signal()
            taker.resume(returning: handover.entry)
        }
    }

    /// The keys to propose for an association whose first file has `key`: that key and the
    /// others inspected so far, newest first, at most `limit` in all.
    public func keysToPropose(with key: ContextKey, limit: Int = AssociationPlan.maximumPresentationContexts) -> [ContextKey] {
        let known = state.withLockedValue { $0.keys }
        return [key] + known.reversed().filter { $0 != key }.prefix(limit - 1)
    }

    private func hand(_ entry: InventoryEntry) {
        let handed = state.withLockedValue { state -> (InventoryEntry?, CheckedContinuation<InventoryEntry?, Never>)? in
            if case .sendable(let file) = entry, state.knownKeys.insert(ContextKey(file)).inserted {
                state.keys.append(ContextKey(file))
            }
            guard let handover = state.affinity.arrive(entry),
                  let taker = state.takers.removeValue(forKey: handover.lane) else { return nil }
            return (handover.entry, taker)
        }
        guard let (handedEntry, taker) = handed else { return }
        // A sender took this entry, or one the window held for it: one place stays free.
        room.signal()
        taker.resume(returning: handedEntry)
    }

    private func end() {
        let takers = state.withLockedValue { state in
            state.affinity.endWalk().compactMap { state.takers.removeValue(forKey: $0.lane) }
        }
        for taker in takers { taker.resume(returning: nil) }
    }
}
