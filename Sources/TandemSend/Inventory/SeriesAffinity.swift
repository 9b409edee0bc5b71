/// Which inspected entry each of a sender's lanes (its parallel associations) takes next, so
/// that the files of a series go on one association, in walk order, as far as that leaves no
/// association idle: receivers and routers downstream expect a series to arrive in order on one
/// association, and a technician running `-j 4` on a folder of one series expects four.
///
/// The lane that takes a series' first file claims the series; the other lanes leave its files
/// to it. A free lane takes from the window (the inspected entries not yet taken, in walk order)
/// the first file of its own series, else the first skipped entry, file without a Series
/// Instance UID or file of an unclaimed series. When the window holds only files of series other
/// lanes claimed, it waits for the walk to bring one, unless nothing else can come: the window
/// is full, so the walk waits on the senders. Then it joins the claim of the first file waiting
/// and shares that series, as the whole-folder plan of old split a series at its lanes'
/// boundaries. So a folder of one long series uses every association, and a series goes on a
/// second one only while the window is full of files no idle lane may otherwise take. A claim ends when its lanes end (finished or failed: the series'
/// files still to come go to whichever lane takes them next, on another association), or once
/// its lanes have finished the series as far as the walk can tell: none of its files is in the
/// window and none was among the last `horizon` entries that arrived.
/// Pure: the feed keeps the waiting senders and applies the handovers.
struct SeriesAffinity {
    /// `entry` goes to `lane`; nil tells the lane the walk ended with nothing left it may take.
    struct Handover: Equatable {
        let lane: Int
        let entry: InventoryEntry?
    }

    private struct Claim {
        var lanes: Set<Int>
        /// The arrival number of the newest file of the series taken so far.
        var lastArrival: Int
    }

    private struct Pending {
        let arrival: Int
        let entry: InventoryEntry
    }

    let horizon: Int
    private var window: [Pending] = []
    /// How many files of each series the window holds.
    private var filesInWindow: [String: Int] = [:]
    private var claims: [String: Claim] = [:]
    /// Lanes waiting for an entry they may take, longest waiting first.
    private var waiting: [Int] = []
    private var arrivals = 0
    private var walkEnded = false

    init(horizon: Int) {
        self.horizon = horizon
    }

    /// Whether a free lane may join a series others claimed: the window is full, so the walk
    /// waits on the senders and nothing else can come to the lane.
    private var mayShare: Bool { window.count >= horizon }

    /// `lane` is free: the entry it takes, or nil when it must wait for a later handover.
    mutating func request(for lane: Int) -> Handover? {
        precondition(!waiting.contains(lane), "lane \(lane) is already waiting")
        if let entry = takeFromWindow(for: lane) { return Handover(lane: lane, entry: entry) }
        if walkEnded { return Handover(lane: lane, entry: nil) }
        waiting.append(lane)
        return nil
    }

    /// The walk inspected `entry`: the waiting lane that takes it, or nil when it stays in the window.
    mutating func arrive(_ entry: InventoryEntry) -> Handover? {
        claims = claims.filter { !isFinished($0.key, $0.value) }
        arrivals += 1
        if let index = waiting.firstIndex(where: { mayTake(entry, $0) }) {
            let lane = waiting.remove(at: index)
            claim(entry, arrival: arrivals, for: lane)
            return Handover(lane: lane, entry: entry)
        }
        window.append(Pending(arrival: arrivals, entry: entry))
        if let series = entry.seriesInstanceUID { filesInWindow[series, default: 0] += 1 }
        // The window just filled: the lane waiting longest joins a series rather than idle.
        guard mayShare, let waiter = waiting.first, let taken = takeFromWindow(for: waiter) else { return nil }
        waiting.removeFirst()
        return Handover(lane: waiter, entry: taken)
    }

    /// The walk ended: every waiting lane is told so (none of them may take anything left).
    mutating func endWalk() -> [Handover] {
        walkEnded = true
        defer { waiting = [] }
        return waiting.map { Handover(lane: $0, entry: nil) }
    }

    /// `lane` takes no more (finished or failed): its series are free for the others, and
    /// waiting lanes take what that makes available to them.
    mutating func release(_ lane: Int) -> [Handover] {
        for series in claims.keys { claims[series]?.lanes.remove(lane) }
        claims = claims.filter { !$0.value.lanes.isEmpty }
        var handovers: [Handover] = []
        for waiter in waiting {
            guard let entry = takeFromWindow(for: waiter) else { continue }
            handovers.append(Handover(lane: waiter, entry: entry))
        }
        waiting.removeAll { waiter in handovers.contains { $0.lane == waiter } }
        return handovers
    }

    private func mayTake(_ entry: InventoryEntry, _ lane: Int) -> Bool {
        guard let series = entry.seriesInstanceUID, let claim = claims[series] else { return true }
        return claim.lanes.contains(lane)
    }

    /// The lane's own series first, so that it finishes them and leaves new ones to free lanes;
    /// then what it may take; then, when the window is full, the first file waiting.
    private mutating func takeFromWindow(for lane: Int) -> InventoryEntry? {
        let own = window.firstIndex { $0.entry.seriesInstanceUID.flatMap { claims[$0]?.lanes.contains(lane) } == true }
        let shared = mayShare && !window.isEmpty ? 0 : nil
        guard let index = own ?? window.firstIndex(where: { mayTake($0.entry, lane) }) ?? shared else { return nil }
        let pending = window.remove(at: index)
        if let series = pending.entry.seriesInstanceUID {
            filesInWindow[series, default: 0] -= 1
            if filesInWindow[series] == 0 { filesInWindow[series] = nil }
        }
        claim(pending.entry, arrival: pending.arrival, for: lane)
        return pending.entry
    }

    private mutating func claim(_ entry: InventoryEntry, arrival: Int, for lane: Int) {
        guard let series = entry.seriesInstanceUID else { return }
        var lanes = claims[series]?.lanes ?? []
        lanes.insert(lane)
        claims[series] = Claim(lanes: lanes, lastArrival: max(arrival, claims[series]?.lastArrival ?? 0))
    }

    private func isFinished(_ series: String, _ claim: Claim) -> Bool {
        filesInWindow[series] == nil && arrivals - claim.lastArrival > horizon
    }
}

extension InventoryEntry {
    /// The series whose files go on one association; nil for a skipped entry or a file without one.
    var seriesInstanceUID: String? {
        guard case .sendable(let file) = self else { return nil }
        return file.seriesInstanceUID
    }
}
