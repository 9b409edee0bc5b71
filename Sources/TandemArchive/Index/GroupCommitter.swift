import GRDB

/// Batches concurrent single inserts into shared transactions: one commit (one fsync) for every
/// instance that arrived while the previous commit was running. A caller is resumed as soon as
/// the commit holding its record is durable, so no acknowledgement waits longer than the commit
/// in flight plus its own.
public actor GroupCommitter {
    private let index: ArchiveIndex
    private let maximumBatch: Int
    private let busyRetryWindow: Duration
    private var pending: [Request] = []
    /// Files made durable since the last commit, whose `unflushed_object` notes the next commit clears.
    private var flushedPaths: [String] = []
    private var flushing = false
    /// Commits and instances so far, for metrics: their ratio is the mean batch size.
    public private(set) var statistics = GroupCommitStatistics()
    /// Inserts in the commit in flight.
    private(set) var committingCount = 0
    /// Inserts waiting for the commit in flight to finish.
    var waitingCount: Int { pending.count }

    private struct Request {
        let record: InstanceRecord
        let unflushedJournalEntry: String?
        let continuation: CheckedContinuation<CommittedInsert, any Error>
    }

    /// - Parameters:
    ///   - maximumBatch: bounds a transaction's size, so a burst cannot make one commit slow.
    ///   - busyRetryWindow: how long a batch the database answers "busy" (another process holds
    ///     the write lock past the busy timeout) is tried again, whole, before its callers get
    ///     the error. Each try itself waits up to the index's busy timeout.
    public init(index: ArchiveIndex, maximumBatch: Int = 256, busyRetryWindow: Duration = .seconds(30)) {
        self.index = index
        self.maximumBatch = max(1, maximumBatch)
        self.busyRetryWindow = busyRetryWindow
    }

    /// Indexes `record` together with whatever else is waiting, and returns its outcome once committed.
    public func insert(_ record: InstanceRecord) async throws -> InsertOutcome {
        try await enqueue(record, unflushedJournalEntry: nil).outcome
    }

    /// `insert` of a record whose file is still being flushed, by the writer whose journal entry
    /// in `incoming/` is named `journalEntry` (`UnflushedObjectSchema`). Once the file is durable,
    /// the caller removes the returned replaced file, if any, and calls `confirmFlushed`.
    public func insert(_ record: InstanceRecord, unflushedJournalEntry journalEntry: String) async throws -> CommittedInsert {
        try await enqueue(record, unflushedJournalEntry: journalEntry)
    }

    /// The file at `filePath` is durable: its note goes with the next commit (a crash before
    /// then leaves recovery a complete file to confirm).
    public func confirmFlushed(_ filePath: String) {
        flushedPaths.append(filePath)
    }

    private func enqueue(_ record: InstanceRecord, unflushedJournalEntry: String?) async throws -> CommittedInsert {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Request(record: record, unflushedJournalEntry: unflushedJournalEntry,
                                   continuation: continuation))
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
        let deadline = ContinuousClock.now + busyRetryWindow
        while true {
            let flushed = flushedPaths
            flushedPaths.removeAll()
            do {
                let outcomes = try await index.insert(batch.map { ($0.record, $0.unflushedJournalEntry) },
                                                      clearingNotesOf: flushed)
                statistics.commits += 1
                statistics.instances += batch.count
                for (request, outcome) in zip(batch, outcomes) { request.continuation.resume(returning: outcome) }
            } catch let error as FencedError {
                flushedPaths += flushed
                for request in batch { request.continuation.resume(throwing: error) }
            } catch let error as DatabaseError where error.isBusy {
                flushedPaths += flushed
                // The lock is the whole database's, not one record's: splitting the batch would
                // make each record wait out the busy timeout in turn. Try the batch again, whole.
                if ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                for request in batch { request.continuation.resume(throwing: error) }
            } catch {
                flushedPaths += flushed
                // One bad record must not fail its neighbours: retry each on its own.
                guard batch.count > 1 else {
                    batch[0].continuation.resume(throwing: error)
                    return
                }
                for request in batch { await commit([request]) }
            }
            return
        }
    }
}

extension DatabaseError {
    /// Another connection holds the lock this one needs (after the busy timeout ran out).
    var isBusy: Bool {
        resultCode == .SQLITE_BUSY || resultCode == .SQLITE_LOCKED
    }
}

/// What the commit of one record did, and what is left to the caller when the record's own file
/// was still being flushed.
public struct CommittedInsert: Sendable, Equatable {
    public let outcome: InsertOutcome
    /// The file an overwrite replaced: to be removed once the new file is durable.
    public let replacedPath: String?
    /// A duplicate's kept first copy whose file another reception is still flushing: to be made
    /// durable before the duplicate is answered.
    public let unflushedKeptPath: String?

    init(outcome: InsertOutcome, replacedPath: String? = nil, unflushedKeptPath: String? = nil) {
        self.outcome = outcome
        self.replacedPath = replacedPath
        self.unflushedKeptPath = unflushedKeptPath
    }
}

/// Counters of a `GroupCommitter`.
public struct GroupCommitStatistics: Sendable, Equatable {
    public var commits = 0
    public var instances = 0
}
