/// Batches concurrent single inserts into shared transactions: one commit (one fsync) for every
/// instance that arrived while the previous commit was running. A caller is resumed as soon as
/// the commit holding its record is durable, so no acknowledgement waits longer than the commit
/// in flight plus its own.
public actor GroupCommitter {
    private let index: ArchiveIndex
    private let maximumBatch: Int
    private var pending: [Request] = []
    private var flushing = false
    /// Commits and instances so far, for metrics: their ratio is the mean batch size.
    public private(set) var statistics = GroupCommitStatistics()
    /// Inserts in the commit in flight.
    private(set) var committingCount = 0
    /// Inserts waiting for the commit in flight to finish.
    var waitingCount: Int { pending.count }

    private struct Request {
        let record: InstanceRecord
        let continuation: CheckedContinuation<InsertOutcome, any Error>
    }

    /// - Parameter maximumBatch: bounds a transaction's size, so a burst cannot make one commit slow.
    public init(index: ArchiveIndex, maximumBatch: Int = 256) {
        self.index = index
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Indexes `record` together with whatever else is waiting, and returns its outcome once committed.
    public func insert(_ record: InstanceRecord) async throws -> InsertOutcome {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Request(record: record, continuation: continuation))
            if !flushing {
                flushing = true
                Task { await flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maximumBatch))
            pending.removeFirst(batch.count)
            committingCount = batch.count
            await commit(batch)
            committingCount = 0
        }
        flushing = false
    }

    private func commit(_ batch: [Request]) async {
        do {
            let outcomes = try await index.insert(batch.map(\.record))
            statistics.commits += 1
            statistics.instances += batch.count
            for (request, outcome) in zip(batch, outcomes) { request.continuation.resume(returning: outcome) }
        } catch let error as FencedError {
            for request in batch { request.continuation.resume(throwing: error) }
        } catch {
            // One bad record must not fail its neighbours: retry each on its own.
            guard batch.count > 1 else {
                batch[0].continuation.resume(throwing: error)
                return
            }
            for request in batch { await commit([request]) }
        }
    }
}

/// Counters of a `GroupCommitter`.
public struct GroupCommitStatistics: Sendable, Equatable {
    public var commits = 0
    public var instances = 0
}
