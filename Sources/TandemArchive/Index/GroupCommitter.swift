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
    /// Files made durable, whose `unflushed_object` notes the next commit clears.
    private var flushedPaths: [String] = []
    /// Callers of `confirmFlushed` waiting for the commit that clears their notes.
    private var confirmations: [CheckedContinuation<FencedError?, Never>] = []
    private var flushing = false
    /// Commits and instances so far, for metrics: their ratio is the mean batch size.
    public private(set) var statistics = GroupCommitStatistics()
    /// Inserts in the commit in flight.
    private(set) var committingCount = 0
    /// Inserts waiting for the commit in flight to finish.
    var waitingCount: Int { pending.count }
    /// Durable files whose notes wait for the next commit.
    var confirmingCount: Int { confirmations.count }

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

    /// The file at `filePath` is durable: returns once a commit has cleared its note, which
    /// makes its row visible to readers (`UnflushedObjectSchema.settled`). The note rides on the
    /// next batch of inserts; with none waiting it gets a commit of its own, not fsynced (losing
    /// it in a crash leaves recovery a complete file to confirm). On any failure but fencing the
    /// note stays for a later commit, and the file is durable all the same.
    public func confirmFlushed(_ filePath: String) async throws(FencedError) {
        let fenced = await withCheckedContinuation { continuation in
            flushedPaths.append(filePath)
            confirmations.append(continuation)
            startFlushing()
        }
        if let fenced { throw fenced }
    }

    private func enqueue(_ record: InstanceRecord, unflushedJournalEntry: String?) async throws -> CommittedInsert {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Request(record: record, unflushedJournalEntry: unflushedJournalEntry,
                                   continuation: continuation))
            startFlushing()
        }
    }

    private func startFlushing() {
        guard !flushing else { return }
        flushing = true
        Task { await flush() }
    }

    private func flush() async {
        while !pending.isEmpty || !confirmations.isEmpty {
            let batch = Array(pending.prefix(maximumBatch))
            pending.removeFirst(batch.count)
            committingCount = batch.count
            if batch.isEmpty { await clearNotes() } else { await commit(batch) }
            committingCount = 0
        }
        flushing = false
    }

    /// A commit that only clears notes of durable files.
    private func clearNotes() async {
        let (flushed, waiting) = (flushedPaths, confirmations)
        (flushedPaths, confirmations) = ([], [])
        do {
            try await index.clearUnflushedNotes(flushed)
            statistics.noteClearings += 1
            for confirmation in waiting { confirmation.resume(returning: nil) }
        } catch let error as FencedError {
            for confirmation in waiting { confirmation.resume(returning: error) }
        } catch {
            flushedPaths += flushed
            for confirmation in waiting { confirmation.resume(returning: nil) }
        }
    }

    private func commit(_ batch: [Request]) async {
        let deadline = ContinuousClock.now + busyRetryWindow
        while true {
            let (flushed, waiting) = (flushedPaths, confirmations)
            (flushedPaths, confirmations) = ([], [])
            do {
                let outcomes = try await index.insert(batch.map { ($0.record, $0.unflushedJournalEntry) },
                                                      clearingNotesOf: flushed)
                statistics.commits += 1
                statistics.instances += batch.count
                for confirmation in waiting { confirmation.resume(returning: nil) }
                for (request, outcome) in zip(batch, outcomes) { request.continuation.resume(returning: outcome) }
            } catch let error as FencedError {
                for confirmation in waiting { confirmation.resume(returning: error) }
                for request in batch { request.continuation.resume(throwing: error) }
            } catch let error as DatabaseError where error.isBusy {
                (flushedPaths, confirmations) = (flushed + flushedPaths, waiting + confirmations)
                // The lock is the whole database's, not one record's: splitting the batch would
                // make each record wait out the busy timeout in turn. Try the batch again, whole.
                if ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                for request in batch { request.continuation.resume(throwing: error) }
            } catch {
                (flushedPaths, confirmations) = (flushed + flushedPaths, waiting + confirmations)
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
    /// Commits that only cleared notes of durable files (no row waited to carry them).
    public var noteClearings = 0
}
